"""Retry policy: the one place that decides what is retried, how long we wait and when we stop.

- Retryable: a server 429 (any method: DO rejects before processing), and — only for
  idempotent calls — 500/502/503/504, timeouts, refused/dropped connections and
  undecodable (truncated) bodies.
- Idempotent calls: GET, PUT, DELETE, PATCH, HEAD, and a POST the caller marked
  ``idempotent=True``. A plain POST that timed out is *never* retried: DO may have created the
  droplet already, and a retry would create a second one.
- Waits: ``Retry-After`` on a 429, else until ``ratelimit-reset`` (capped), else jittered
  exponential backoff. Bounded by ``max_attempts`` and ``max_retry_seconds`` overall.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from arcadia_cloud_core.digitalocean.errors import (
    DOError,
    DOParseError,
    DORateLimitError,
    DOServerError,
    DOTransportError,
)

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Jittered exponential backoff: a random wait in [0, min(MAX, INITIAL * 2**n)].
BACKOFF_INITIAL_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 10.0
#: Longest wait we derive from ``ratelimit-reset`` when a 429 has no ``Retry-After``.
RATE_LIMIT_RESET_CAP_SECONDS = 60.0


def is_idempotent(method: str, *, idempotent: bool = False) -> bool:
    """True when repeating the call cannot do anything twice."""
    return idempotent or method.upper() in IDEMPOTENT_METHODS


def is_retryable(error: BaseException, *, method: str, idempotent: bool = False) -> bool:
    """Whether ``error`` from one attempt of ``method`` may be retried."""
    if isinstance(error, DORateLimitError):
        return error.status is not None  # a local budget refusal (no status) is final
    if not is_idempotent(method, idempotent=idempotent):
        return False
    if isinstance(error, DOServerError):
        return error.status in RETRYABLE_STATUSES
    if isinstance(error, DOTransportError):
        return True
    if isinstance(error, DOParseError):
        return error.retryable
    return False


def rate_limit_wait(error: DORateLimitError, *, now: float | None = None) -> float:
    """Seconds to wait after a 429: ``Retry-After``, else until ``ratelimit-reset`` (capped)."""
    if error.retry_after is not None:
        return error.retry_after
    if error.reset_at is not None:
        now = time.time() if now is None else now
        return min(max(error.reset_at - now, 0.0), RATE_LIMIT_RESET_CAP_SECONDS)
    return 1.0


class _Wait:
    """tenacity wait: honour 429 hints, else jittered exponential backoff."""

    def __init__(self, on_rate_limit: Callable[[float], None]) -> None:
        self._backoff = wait_random_exponential(
            multiplier=BACKOFF_INITIAL_SECONDS, max=BACKOFF_MAX_SECONDS
        )
        self._on_rate_limit = on_rate_limit

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, DORateLimitError):
            wait = rate_limit_wait(error)
            self._on_rate_limit(wait)
            return wait
        return float(self._backoff(state))


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    sleep = state.next_action.sleep if state.next_action else 0.0
    if isinstance(error, DOError):
        logger.warning(
            "DO %s %s failed (%s, attempt %d); retrying in %.2fs",
            error.method,
            error.path,
            error.status if error.status is not None else type(error).__name__,
            state.attempt_number,
            sleep,
        )


def build_retrying(
    *,
    method: str,
    idempotent: bool,
    max_attempts: int,
    max_retry_seconds: float,
    on_rate_limit: Callable[[float], None],
) -> Retrying:
    """A tenacity ``Retrying`` for one call (re-raises the last error when it gives up)."""
    return Retrying(
        retry=retry_if_exception(
            lambda exc: is_retryable(exc, method=method, idempotent=idempotent)
        ),
        stop=stop_after_attempt(max_attempts) | stop_before_delay(max_retry_seconds),
        wait=_Wait(on_rate_limit),
        before_sleep=_log_retry,
        reraise=True,
    )

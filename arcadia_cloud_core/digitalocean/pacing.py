"""Client-side pacing: one rate budget per DigitalOcean token, shared within the process.

DO allows a token 250 requests per minute (burst) and 5,000 per sliding hour. A
:class:`RateBudget` keeps both windows on our side so a normal sync never meets a 429:

- a request holds a *slot* from the moment it is sent; when its response arrives the slot's
  timestamp becomes the completion time and it keeps counting for one window after that. The
  server stamped the request somewhere between send and completion, so this never undercounts.
- the server's ``ratelimit-remaining`` / ``ratelimit-reset`` headers are folded in: when the
  remaining allowance (minus our requests in flight) is used up before the reset, we wait for
  the reset (capped).
- after a 429 every thread using the token pauses until ``Retry-After`` has passed.

Budgets are keyed by a SHA-256 fingerprint of the token (the token itself is never stored).

DO also limits some endpoints on their own (:data:`DO_ENDPOINT_LIMITS`: ``GET
/v2/account/keys`` 10 per 60 s, every ``/v2/cdn/endpoints*`` request 5 per 10 s). Each gets a
budget of its own per token (:func:`endpoint_budgets`), held on top of the token's.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from arcadia_cloud_core.digitalocean.defaults import DEFAULT_BURST_WINDOW_SECONDS
from arcadia_cloud_core.digitalocean.headers import number_header

logger = logging.getLogger(__name__)

HOUR_SECONDS = 3600.0
#: Extra seconds a completed request keeps counting (clock granularity, server-side stamping).
SAFETY_MARGIN_SECONDS = 0.05
#: Longest wait the server's ``ratelimit-reset`` hint may impose before we just try.
MAX_HINT_WAIT_SECONDS = 60.0


def token_fingerprint(token: str) -> str:
    """A short, irreversible fingerprint of a token (safe to log and to key budgets by)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Slot:
    """One request's claim on the budget (released with its completion time)."""

    released: bool = False


class RateBudget:
    """Sliding-window budget (``per_minute`` per ``burst_window`` s, ``per_hour`` per hour)."""

    def __init__(
        self,
        *,
        fingerprint: str,
        per_minute: int,
        per_hour: int,
        burst_window: float = DEFAULT_BURST_WINDOW_SECONDS,
    ) -> None:
        if per_minute < 1 or per_hour < 1 or burst_window <= 0:
            raise ValueError("rate budget limits and window must be positive")
        self.fingerprint = fingerprint
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.burst_window = burst_window
        self._cond = threading.Condition()
        self._recent: deque[float] = deque()  # completion times within the burst window
        self._hour: deque[float] = deque()  # completion times within the hour
        self._in_flight = 0
        self._paused_until = 0.0
        self._server_remaining: int | None = None
        self._server_reset = 0.0  # monotonic time of the server's reset, capped
        self.waited_seconds = 0.0
        self.acquired = 0

    def __repr__(self) -> str:
        return (
            f"RateBudget(fingerprint={self.fingerprint!r}, per_minute={self.per_minute}, "
            f"per_hour={self.per_hour}, burst_window={self.burst_window})"
        )

    def tighten(self, *, per_minute: int, per_hour: int, burst_window: float) -> None:
        """Apply the stricter of the current and the given limits (clients sharing a token)."""
        with self._cond:
            self.per_minute = min(self.per_minute, per_minute)
            self.per_hour = min(self.per_hour, per_hour)
            self.burst_window = max(self.burst_window, burst_window)

    def _purge(self, now: float) -> None:
        burst_edge = now - self.burst_window - SAFETY_MARGIN_SECONDS
        while self._recent and self._recent[0] <= burst_edge:
            self._recent.popleft()
        hour_edge = now - HOUR_SECONDS - SAFETY_MARGIN_SECONDS
        while self._hour and self._hour[0] <= hour_edge:
            self._hour.popleft()

    def _wait_needed(self, now: float) -> float:
        """Seconds to wait before one more request may start (0 = go now)."""
        self._purge(now)
        if self._paused_until > now:
            return self._paused_until - now
        waits = [0.0]
        for used, window, limit in (
            (self._recent, self.burst_window, self.per_minute),
            (self._hour, HOUR_SECONDS, self.per_hour),
        ):
            if self._in_flight + len(used) >= limit:
                excess = self._in_flight + len(used) - limit  # entries that must expire first
                if excess < len(used):
                    waits.append(used[excess] + window + SAFETY_MARGIN_SECONDS - now)
                else:  # everything counted is still in flight: wait for a completion
                    waits.append(0.05)
        if self._server_remaining is not None:
            if now >= self._server_reset:
                self._server_remaining = None
            elif self._server_remaining - self._in_flight <= 0:
                waits.append(self._server_reset - now)
        return max(waits)

    def acquire(self, *, max_wait: float) -> _Slot | None:
        """Block until a request may be sent; ``None`` if that would take over ``max_wait`` s."""
        started = time.monotonic()
        with self._cond:
            while True:
                now = time.monotonic()
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._in_flight += 1
                    self.acquired += 1
                    self.waited_seconds += now - started
                    return _Slot()
                if now - started + wait > max_wait:
                    return None
                self._cond.wait(timeout=wait)

    def release(self, slot: _Slot) -> None:
        """The request finished (or failed): it counts from now for one window."""
        with self._cond:
            if slot.released:
                return
            slot.released = True
            now = time.monotonic()
            self._in_flight -= 1
            self._recent.append(now)
            self._hour.append(now)
            self._cond.notify_all()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Fold in the ``ratelimit-remaining`` / ``ratelimit-reset`` headers of a non-429 reply.

        (On a 429, ``remaining: 0`` may mean the burst limit while ``reset`` is the hourly
        one; the retry policy handles 429s through ``Retry-After`` and :meth:`pause`.)
        """
        remaining = number_header(headers, "ratelimit-remaining")
        reset = number_header(headers, "ratelimit-reset")
        if remaining is None or reset is None:
            return
        seconds_to_reset = min(max(reset - time.time(), 0.0), MAX_HINT_WAIT_SECONDS)
        with self._cond:
            self._server_remaining = math.floor(remaining)
            self._server_reset = time.monotonic() + seconds_to_reset
            self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request on this token for ``seconds`` (after a 429)."""
        if seconds <= 0:
            return
        with self._cond:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        logger.warning(
            "DO rate budget %s: pausing all requests for %.1fs after a 429",
            self.fingerprint,
            seconds,
        )


_REGISTRY: dict[str, RateBudget] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_budget(
    token: str, *, per_minute: int, per_hour: int, burst_window: float, scope: str = ""
) -> RateBudget:
    """The process-wide budget for ``token`` (created on first use, tightened on later use);
    ``scope`` names an endpoint limit's budget of the same token."""
    fingerprint = token_fingerprint(token) + (f"/{scope}" if scope else "")
    with _REGISTRY_LOCK:
        budget = _REGISTRY.get(fingerprint)
        if budget is None:
            budget = RateBudget(
                fingerprint=fingerprint,
                per_minute=per_minute,
                per_hour=per_hour,
                burst_window=burst_window,
            )
            _REGISTRY[fingerprint] = budget
        else:
            budget.tighten(per_minute=per_minute, per_hour=per_hour, burst_window=burst_window)
        return budget


@dataclass(frozen=True)
class EndpointLimit:
    """``per_window`` requests per ``window`` seconds on the paths under ``prefix`` (``exact``:
    the path itself only), for ``methods`` (None: every method)."""

    name: str
    prefix: str
    per_window: int
    window: float
    methods: frozenset[str] | None = None
    exact: bool = False

    def applies(self, method: str, path: str) -> bool:
        """True when a ``method`` request to ``path`` counts against this limit."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.exact:
            return path.rstrip("/") == self.prefix
        return path == self.prefix or path.startswith(self.prefix + "/")


#: DO's endpoint-specific limits (API reference, "Rate limits"), per token.
DO_ENDPOINT_LIMITS: tuple[EndpointLimit, ...] = (
    EndpointLimit("ssh_keys", "/v2/account/keys", 10, 60.0, frozenset({"GET"}), exact=True),
    EndpointLimit("cdn_endpoints", "/v2/cdn/endpoints", 5, 10.0),
)
#: An endpoint budget's hourly allowance: DO sets none beyond the token's.
_NO_HOURLY_LIMIT = 10**9

#: Endpoint limits with the budget each one holds for a token.
EndpointBudgets = tuple[tuple[EndpointLimit, RateBudget], ...]


def endpoint_budgets(
    token: str, limits: Sequence[EndpointLimit] = DO_ENDPOINT_LIMITS, *, window_scale: float = 1.0
) -> EndpointBudgets:
    """The process-wide budget of each endpoint limit for ``token``; ``window_scale`` shortens
    every window (only against a simulator started with the same ``--endpoint-window-scale``:
    tests need not wait a minute)."""
    if window_scale <= 0:
        raise ValueError("endpoint window_scale must be positive")
    return tuple(
        (
            limit,
            shared_budget(
                token,
                per_minute=limit.per_window,
                per_hour=_NO_HOURLY_LIMIT,
                burst_window=limit.window * window_scale,
                scope=f"{limit.name}@{window_scale:g}",
            ),
        )
        for limit in limits
    )


def budget_for(budgets: EndpointBudgets, method: str, path: str) -> RateBudget | None:
    """The endpoint budget a request to ``path`` must also hold (None: only the token's)."""
    for limit, budget in budgets:
        if limit.applies(method, path):
            return budget
    return None

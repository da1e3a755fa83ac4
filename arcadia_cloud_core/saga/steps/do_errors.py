"""DO client errors as step errors: retryable (429, 5xx, timeouts) or permanent (other 4xx).

The client already retried what it safely could; what reaches a step is either final or a
non-idempotent call that failed ambiguously (a POST that timed out may have happened). Steps make
re-entry idempotent, so the engine may retry those (`RetryableStepError`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from arcadia_cloud_core.digitalocean import (
    DOError,
    DOParseError,
    DORateLimitError,
    DOServerError,
    DOTransportError,
)
from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.saga.errors import PermanentStepError, RetryableStepError, StepError


class StepTimeoutError(PermanentStepError):
    """A bounded wait (action, droplet status, listing) ran out."""


def is_transient(error: DOError) -> bool:
    """True when another attempt may succeed."""
    if isinstance(error, DOParseError):
        return error.retryable
    return isinstance(error, DORateLimitError | DOServerError | DOTransportError)


def as_step_error(error: DOError | ConfigError, what: str) -> StepError:
    """The step error for a failed DO call; the message names ``what`` and the endpoint."""
    if isinstance(error, DOError) and is_transient(error):
        return RetryableStepError(f"{what}: {error}")
    return PermanentStepError(f"{what}: {error}")


@contextmanager
def do_call(what: str) -> Iterator[None]:
    """Translate DO (and missing-token) errors raised in the block into step errors."""
    try:
        yield
    except (DOError, ConfigError) as exc:
        raise as_step_error(exc, what) from exc

"""Typed errors of the saga engine.

A step says how its failure should be treated by raising a `StepError`:

- ``retryable=True`` (`RetryableStepError`): a transient failure; the engine tries the step again,
  up to the step's ``max_attempts``, before the saga fails.
- ``resumable=True`` (`ResumableStepError`): the saga should *not* be rolled back: it waits, failed,
  for an operator to fix the cause and resume it (re-execute the Dagster run from failure).
- neither (`PermanentStepError`, or any other exception): the saga fails and, by default,
  compensates.

Any exception that is not a `StepError` is treated as permanent: retrying is always explicit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arcadia_cloud_core.errors import ArcadiaError


class SagaError(ArcadiaError):
    """Base of the saga engine's errors."""


class SagaNotFoundError(SagaError):
    """No saga with this id is in the journal."""


class SagaDefinitionError(SagaError):
    """A step list is invalid, or does not match the saga the journal recorded."""


class IllegalTransitionError(SagaError):
    """A status change the saga (or step) state machine does not allow."""

    def __init__(self, message: str, *, current: str | None, requested: str) -> None:
        super().__init__(message)
        self.current = current
        self.requested = requested


class SagaBusyError(SagaError):
    """The saga is owned by another live run (it is `running` or `compensating` elsewhere)."""


class StepError(SagaError):
    """A step failed; the flags say whether to retry it and whether to keep the saga for resume.

    ``output`` is optional partial progress (JSON), journalled with the failure so that the
    step's next attempt and its compensation can see what was already done.
    """

    default_retryable = False
    default_resumable = False

    def __init__(
        self,
        message: str,
        *,
        retryable: bool | None = None,
        resumable: bool | None = None,
        output: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = self.default_retryable if retryable is None else retryable
        self.resumable = self.default_resumable if resumable is None else resumable
        self.output = dict(output) if output is not None else None


class RetryableStepError(StepError):
    """A transient failure: try the step again (bounded by the step's ``max_attempts``)."""

    default_retryable = True


class PermanentStepError(StepError):
    """A failure that another attempt will not fix."""


class ResumableStepError(StepError):
    """A failure an operator can fix: keep the saga `failed` for resume instead of rolling back."""

    default_resumable = True


class SagaCancelledError(StepError):
    """The saga was cancelled (``cancel_requested``) before its next step: it is rolled back."""

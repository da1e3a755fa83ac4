"""The saga and step state machines: every status change is checked here, and only here.

Saga::

    pending ──> running ──> completed
       │           │
       └──> failed <┘ ──> running            (resume: re-enter at the failed step)
              │
              └──> compensating ──> rolled_back
                     ↑    │ ↺       (re-entry after a crash while compensating)
                     │    └──> compensation_failed
                     └───────────────┘       (retry the compensations that failed)

Step (one journal row per step): a new row starts ``running``; ``running`` ends ``completed`` or
``failed``; a ``failed`` (or crashed, still ``running``) step may run again; any step that ran is
then ``compensated`` or ``compensation_failed``, and a failed compensation may be tried again.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from arcadia_cloud_core.saga.errors import IllegalTransitionError


class SagaStatus(StrEnum):
    """Status of a saga (`saga_runs.status`)."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    COMPENSATING = "compensating"
    ROLLED_BACK = "rolled_back"
    COMPENSATION_FAILED = "compensation_failed"


class StepStatus(StrEnum):
    """Status of one step's journal row (`saga_step_results.status`)."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"


S = SagaStatus
SAGA_TRANSITIONS: Mapping[SagaStatus, frozenset[SagaStatus]] = {
    S.PENDING: frozenset({S.RUNNING, S.FAILED}),
    S.RUNNING: frozenset({S.COMPLETED, S.FAILED}),
    S.FAILED: frozenset({S.RUNNING, S.COMPENSATING}),
    S.COMPENSATING: frozenset({S.COMPENSATING, S.ROLLED_BACK, S.COMPENSATION_FAILED}),
    S.COMPENSATION_FAILED: frozenset({S.COMPENSATING}),
    S.COMPLETED: frozenset(),
    S.ROLLED_BACK: frozenset(),
}

T = StepStatus
_RAN = frozenset({T.COMPENSATED, T.COMPENSATION_FAILED})
#: ``None`` is "no row yet".
STEP_TRANSITIONS: Mapping[StepStatus | None, frozenset[StepStatus]] = {
    None: frozenset({T.RUNNING}),
    T.RUNNING: frozenset({T.RUNNING, T.COMPLETED, T.FAILED}) | _RAN,
    T.FAILED: frozenset({T.RUNNING}) | _RAN,
    T.COMPLETED: _RAN,
    T.COMPENSATION_FAILED: _RAN,
    T.COMPENSATED: frozenset(),
}

#: Statuses in which a saga still needs someone: a run, the recovery sensor or an operator.
UNSETTLED_SAGA_STATUSES = frozenset({S.RUNNING, S.FAILED, S.COMPENSATING})
#: Statuses after which nothing more happens to a saga.
FINAL_SAGA_STATUSES = frozenset({S.COMPLETED, S.ROLLED_BACK})


def check_saga_transition(current: SagaStatus, requested: SagaStatus, *, saga_id: str) -> None:
    """Raise `IllegalTransitionError` unless ``current -> requested`` is allowed."""
    if requested not in SAGA_TRANSITIONS[current]:
        raise IllegalTransitionError(
            f"saga {saga_id}: illegal status change {current} -> {requested}",
            current=current,
            requested=requested,
        )


def check_step_transition(
    current: StepStatus | None, requested: StepStatus, *, saga_id: str, step_idx: int
) -> None:
    """Raise `IllegalTransitionError` unless the step row may go ``current -> requested``."""
    if requested not in STEP_TRANSITIONS[current]:
        raise IllegalTransitionError(
            f"saga {saga_id} step {step_idx}: illegal status change "
            f"{current or '(none)'} -> {requested}",
            current=current,
            requested=requested,
        )

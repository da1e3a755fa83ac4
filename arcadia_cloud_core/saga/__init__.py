"""Sagas: the step contract, the journal, forward runs and reverse compensation.

A workflow is a `SagaDefinition` (a kind and a list of `Step`s); `SagaRunner` runs it against the
journal (`saga_runs`, `saga_step_results`). See `runner` for the failure policy and `status` for
the state machines. No Dagster here: `arcadia_cloud_ops` turns a definition into an op job.
"""

from arcadia_cloud_core.saga.errors import (
    IllegalTransitionError,
    PermanentStepError,
    ResumableStepError,
    RetryableStepError,
    SagaBusyError,
    SagaCancelledError,
    SagaDefinitionError,
    SagaError,
    SagaNotFoundError,
    StepError,
)
from arcadia_cloud_core.saga.heartbeat import DEFAULT_HEARTBEAT_SECONDS, Heartbeat
from arcadia_cloud_core.saga.ids import saga_id_for_run
from arcadia_cloud_core.saga.journal import (
    SagaJournal,
    SagaRecord,
    StepRecord,
    StepStart,
    Worker,
)
from arcadia_cloud_core.saga.runner import (
    AfterFailure,
    OnFailure,
    SagaOutcome,
    SagaRunner,
    decide_after_failure,
)
from arcadia_cloud_core.saga.state import SagaState, StepView
from arcadia_cloud_core.saga.status import SagaStatus, StepStatus
from arcadia_cloud_core.saga.step import FunctionStep, SagaDefinition, Step

__all__ = [
    "DEFAULT_HEARTBEAT_SECONDS",
    "AfterFailure",
    "FunctionStep",
    "Heartbeat",
    "IllegalTransitionError",
    "OnFailure",
    "PermanentStepError",
    "ResumableStepError",
    "RetryableStepError",
    "SagaBusyError",
    "SagaCancelledError",
    "SagaDefinition",
    "SagaDefinitionError",
    "SagaError",
    "SagaJournal",
    "SagaNotFoundError",
    "SagaOutcome",
    "SagaRecord",
    "SagaRunner",
    "SagaState",
    "SagaStatus",
    "Step",
    "StepError",
    "StepRecord",
    "StepStart",
    "StepStatus",
    "StepView",
    "Worker",
    "decide_after_failure",
    "saga_id_for_run",
]

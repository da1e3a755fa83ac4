"""``compensate_saga``: roll back one saga by id (launched by the recovery sensor or an operator).

Also ``request_saga_cancel``: ask a running saga to stop before its next step (it is then rolled
back by its own run).
"""

# No `from __future__ import annotations`: Dagster reads these annotations at definition time.

from collections.abc import Sequence
from typing import Any

import dagster as dg
from pydantic import Field

from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource
from arcadia_cloud_core.saga import (
    DEFAULT_HEARTBEAT_SECONDS,
    SagaDefinition,
    SagaJournal,
    SagaRunner,
    SagaStatus,
)
from arcadia_cloud_core.saga.steps.services import bind_services
from arcadia_cloud_ops.saga_jobs import JOB_KIND_TAG, SAGA_POOL, step_services

COMPENSATE_JOB = "compensate_saga"
COMPENSATE_OP = "compensate_saga_steps"
CANCEL_JOB = "request_saga_cancel"


class SagaIdConfig(dg.Config):
    """Which saga."""

    saga_id: str = Field(description="The saga id (the Dagster root run id of its job's runs).")


def compensate_run_config(saga_id: str) -> dg.RunConfig:
    """The run config of ``compensate_saga`` for one saga."""
    return dg.RunConfig(ops={COMPENSATE_OP: SagaIdConfig(saga_id=saga_id)})


def _admin_job(name: str, *, kind: str, description: str) -> Any:
    """`dg.job` for a saga admin job: tagged with its job kind, its op in the run's process."""
    return dg.job(
        name=name,
        description=description,
        tags={JOB_KIND_TAG: kind},
        executor_def=dg.in_process_executor,
    )


def build_compensate_saga_job(
    sagas: Sequence[SagaDefinition],
    *,
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
) -> dg.JobDefinition:
    """The ``compensate_saga`` job for every saga kind in ``sagas``."""
    by_kind = {saga.kind: saga for saga in sagas}
    if len(by_kind) != len(sagas):
        raise ValueError("saga kinds must be unique")

    @dg.op(
        name=COMPENSATE_OP,
        pool=SAGA_POOL,
        description="Run the compensations of every step that ran, in reverse (idempotent).",
    )
    def compensate_saga_steps(
        context: dg.OpExecutionContext,
        config: SagaIdConfig,
        database: DatabaseResource,
        do_provisioning: DigitalOceanResource,
    ) -> None:
        services = step_services(database, do_provisioning)
        journal = SagaJournal(services.engine)
        record = journal.get(config.saga_id)
        saga = by_kind.get(record.kind)
        if saga is None:
            raise dg.Failure(
                description=f"saga {record.saga_id} is of kind {record.kind!r}, which this code "
                f"location does not define (known: {sorted(by_kind)})"
            )
        runner = SagaRunner(journal, saga, heartbeat_seconds=heartbeat_seconds, logger=context.log)
        with bind_services(services):
            result = runner.compensate(config.saga_id, dagster_run_id=context.run_id)
        log = [f"{e['step']}: {e['result']}" for e in result.compensation_log]
        if result.status is SagaStatus.COMPENSATION_FAILED:
            raise dg.Failure(
                description=f"saga {result.saga_id}: {result.error}",
                metadata={"compensations": dg.MetadataValue.json(log)},
            )
        context.log.info(f"saga {result.saga_id}: {result.status}; {', '.join(log)}")

    @_admin_job(
        COMPENSATE_JOB,
        kind="saga_compensation",
        description="Roll back one saga (config: saga_id): each step that ran is compensated "
        "once, in reverse; a failed compensation is recorded and the run fails after trying the "
        "rest. Launched by saga_recovery_sensor for runs that died, or by an operator.",
    )
    def compensate_saga() -> None:
        compensate_saga_steps()

    return compensate_saga


@dg.op(name="request_saga_cancel_op", description="Set cancel_requested on the saga.")
def request_saga_cancel_op(
    context: dg.OpExecutionContext, config: SagaIdConfig, database: DatabaseResource
) -> None:
    record = SagaJournal(database.engine()).request_cancel(config.saga_id)
    context.log.info(f"saga {record.saga_id} ({record.status}): cancel requested")


@_admin_job(
    CANCEL_JOB,
    kind="saga_cancel",
    description="Ask a saga (config: saga_id) to stop: it is rolled back before its next step. "
    "A failed saga kept for resume is rolled back when it is next resumed; use compensate_saga "
    "to roll it back now.",
)
def request_saga_cancel() -> None:
    request_saga_cancel_op()

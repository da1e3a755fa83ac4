"""The `arcadia_cloud_ops` code location: provisioning sagas as op jobs, and drift resolution.

Every saga job comes from the one factory (`saga_jobs.build_saga_job`); ``compensate_saga`` knows
every saga kind listed here; ``saga_recovery_sensor`` rolls back sagas whose run died.
"""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_core.resources import shared_resources
from arcadia_cloud_core.saga import SagaDefinition
from arcadia_cloud_ops.compensation import build_compensate_saga_job, request_saga_cancel
from arcadia_cloud_ops.demo import build_saga_demo_job, demo_saga_definition
from arcadia_cloud_ops.drift_jobs import accept_drift_job
from arcadia_cloud_ops.provisioning import build_provisioning_jobs, provisioning_sagas
from arcadia_cloud_ops.recovery import build_saga_recovery_sensor


def saga_definitions() -> tuple[SagaDefinition, ...]:
    """Every saga kind this location runs (``compensate_saga`` can roll back each)."""
    return (demo_saga_definition(), *provisioning_sagas())


def build_definitions() -> dg.Definitions:
    """The saga jobs, their sensors and the shared resources."""
    sagas = {saga.kind: saga for saga in saga_definitions()}
    return dg.Definitions(
        jobs=[
            build_saga_demo_job(sagas["demo"]),
            *build_provisioning_jobs(sagas),
            build_compensate_saga_job(tuple(sagas.values())),
            request_saga_cancel,
            accept_drift_job,
        ],
        sensors=[build_saga_recovery_sensor()],
        resources=shared_resources(),
        executor=dg.in_process_executor,  # one op per saga step, in the run's own process
    )


defs = build_definitions()

"""``saga_recovery_sensor``: finds sagas whose run died and rolls them back (or fails them).

A failure hook only runs when a step fails inside a live run. A run whose process is killed runs
no hook. The code server that launched it marks it FAILURE when it sees the worker exit (within a
second, dagster 1.13.27); a worker started otherwise (``dagster job execute``, ``execute_job``) or
whose code server died too sits in STARTED indefinitely (the default run launcher cannot
health-check workers). So the sensor reads the journal and, for each saga still ``running``,
``compensating`` or ``failed``-awaiting-compensation, asks whether its Dagster run is alive
(`arcadia_cloud_core.saga.liveness`: SUCCESS / FAILURE / CANCELED runs are dead; STARTED /
CANCELING ones alive while the heartbeat is fresh or the worker pid exists on this host, else
dead and marked FAILURE; queued or starting ones alive; with no run, the heartbeat decides).

A sensor, not declarative automation: sagas are op jobs (no assets to condition), and what is
dead is read from the saga journal and the run's process, not from materialisations.

A dead ``running`` saga is marked ``failed`` (with the policy's decision); then, unless it is kept
for resume (``leave_for_resume``), a ``compensate_saga`` run is requested with run key
``compensate:<saga_id>:<dead run id>``, so it is launched once per dead run.

A dead run holds no pool: with run-granularity pools (dagster.yaml) a run counts against its
pools only while it is STARTING, STARTED or CANCELING, so once the sensor has marked it failed the
compensation it requests next can be dequeued into ``do_api_provisioning`` (issue 17).

Known limit: liveness is the step heartbeat plus, on the same host, the worker pid. A run on
another host that pauses longer than ``stale_after_seconds`` between two steps looks dead: its
Dagster run is marked failed and, since a run never resumes its own failed saga, it stops at its
next step and the saga is rolled back. (Waiting for a pool is not such a pause: that wait happens
while the run is QUEUED, which counts as alive.)
"""

# No `from __future__ import annotations`: Dagster reads these annotations at definition time.

import logging
import socket
from datetime import datetime, timedelta
from typing import Any

import dagster as dg

from arcadia_cloud_core.resources import DatabaseResource
from arcadia_cloud_core.saga import (
    IllegalTransitionError,
    SagaBusyError,
    SagaJournal,
    SagaStatus,
)
from arcadia_cloud_core.saga.journal import utc_now
from arcadia_cloud_core.saga.liveness import RunPhase, RunView, assess_liveness
from arcadia_cloud_core.saga.runner import fail_running_saga
from arcadia_cloud_ops.compensation import COMPENSATE_JOB, compensate_run_config
from arcadia_cloud_ops.saga_jobs import TARGET_INPUT, TARGET_TAG

#: A heartbeat older than this (and no live worker pid on this host) means the run is dead.
#: It must exceed the heartbeat interval (5 s) and any pause between two steps of a run.
DEFAULT_STALE_AFTER_SECONDS = 120.0
SENSOR_NAME = "saga_recovery_sensor"

#: Dagster's run statuses → the phase liveness reasons about (every status is listed).
RUN_PHASES: dict[dg.DagsterRunStatus, RunPhase] = {
    **dict.fromkeys(
        (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED),
        RunPhase.ENDED,
    ),
    **dict.fromkeys(
        (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING), RunPhase.EXECUTING
    ),
    **dict.fromkeys(
        (
            dg.DagsterRunStatus.QUEUED,
            dg.DagsterRunStatus.NOT_STARTED,
            dg.DagsterRunStatus.MANAGED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.SUSPENDED,
        ),
        RunPhase.WAITING,
    ),
}


def run_view(status: dg.DagsterRunStatus) -> RunView:
    """What liveness needs of a Dagster run status."""
    return RunView(phase=RUN_PHASES[status], status=status.value)


def recover_sagas(
    *,
    instance: dg.DagsterInstance,
    journal: SagaJournal,
    stale_after: timedelta,
    log: logging.Logger | logging.LoggerAdapter[Any],
    now: datetime | None = None,
) -> list[dg.RunRequest]:
    """One sensor tick: settle dead runs and return the ``compensate_saga`` runs to launch."""
    now = now or utc_now()
    host = socket.gethostname()
    requests: list[dg.RunRequest] = []
    for record in journal.unsettled():
        if record.status is SagaStatus.FAILED and record.after_failure != "compensate":
            continue  # kept for an operator to resume
        run = instance.get_run_by_id(record.dagster_run_id) if record.dagster_run_id else None
        liveness = assess_liveness(
            record,
            run_view(run.status) if run else None,
            now=now,
            stale_after=stale_after,
            host=host,
        )
        if liveness.alive:
            continue
        dead_run = record.dagster_run_id or "none"
        try:
            if liveness.mark_run_failed and run is not None:
                instance.report_run_failed(
                    run, message=f"saga {record.saga_id} recovery: {liveness.reason}"
                )
                log.warning(f"marked Dagster run {run.run_id} failed: {liveness.reason}")
            if record.status is SagaStatus.RUNNING:
                record = fail_running_saga(
                    journal,
                    record.saga_id,
                    error=f"Dagster run {dead_run} died: {liveness.reason}",
                    expected_run_id=record.dagster_run_id,
                )
                if record.after_failure != "compensate":
                    log.warning(
                        f"saga {record.saga_id}: run {dead_run} died; kept failed for resume "
                        "(re-execute it from failure, or launch compensate_saga)"
                    )
                    continue
        except (SagaBusyError, IllegalTransitionError) as exc:
            log.info(f"saga {record.saga_id}: changed while recovering ({exc}); next tick")
            continue
        log.warning(f"saga {record.saga_id}: run {dead_run} is dead ({liveness.reason})")
        tags = {"arcadia/saga_id": record.saga_id, "arcadia/recovers_run": dead_run}
        target = record.inputs.get(TARGET_INPUT)
        if target is not None:  # the undo is serialised with other sagas on the resource
            tags[TARGET_TAG] = str(target)
        requests.append(
            dg.RunRequest(
                run_key=f"compensate:{record.saga_id}:{dead_run}",
                run_config=compensate_run_config(record.saga_id),
                tags=tags,
            )
        )
    return requests


def build_saga_recovery_sensor(
    *,
    stale_after_seconds: float = DEFAULT_STALE_AFTER_SECONDS,
    minimum_interval_seconds: int = 30,
) -> dg.SensorDefinition:
    """The recovery sensor (running by default), targeting ``compensate_saga``."""
    stale_after = timedelta(seconds=stale_after_seconds)

    @dg.sensor(
        name=SENSOR_NAME,
        job_name=COMPENSATE_JOB,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Finds sagas whose Dagster run died (run ended without settling the saga, or "
            f"STARTED with no heartbeat for {stale_after_seconds:.0f}s and no live worker), "
            "marks the run failed and launches compensate_saga for each, once."
        ),
    )
    def saga_recovery_sensor(
        context: dg.SensorEvaluationContext, database: DatabaseResource
    ) -> dg.SensorResult | dg.SkipReason:
        requests = recover_sagas(
            instance=context.instance,
            journal=SagaJournal(database.engine()),
            stale_after=stale_after,
            log=context.log,
        )
        if not requests:
            return dg.SkipReason("no saga needs recovery")
        return dg.SensorResult(run_requests=requests)

    return saga_recovery_sensor

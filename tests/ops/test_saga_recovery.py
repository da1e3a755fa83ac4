"""saga_recovery_sensor: dead runs are found (finished, or STARTED with a stale heartbeat and no
live worker) and compensated once; live and resumable sagas are left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from arcadia_cloud_core.saga import SagaJournal, SagaRecord, SagaStatus, Worker
from arcadia_cloud_core.saga.liveness import RunPhase, assess_liveness
from arcadia_cloud_core.testing.demo_saga import demo_saga
from arcadia_cloud_ops.recovery import RUN_PHASES, SENSOR_NAME, run_view

HOST = socket.gethostname()
NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(minutes=10)


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def left_running(
    journal: SagaJournal,
    instance: dg.DagsterInstance,
    *,
    run_status: dg.DagsterRunStatus | None,
    heartbeat_at: datetime,
    pid: int,
    on_failure: str = "compensate",
) -> str:
    """A demo saga whose echo_1 completed and echo_2 is journalled running, as a killed worker
    leaves it; its Dagster run (if any) is in ``run_status``."""
    saga_id = str(uuid.uuid4())
    if run_status is not None:
        instance.add_run(dg.DagsterRun(job_name="saga_demo", run_id=saga_id, status=run_status))
    at_heartbeat = SagaJournal(journal.engine, clock=lambda: heartbeat_at)
    worker = Worker(pid=pid, host=HOST, dagster_run_id=saga_id)
    at_heartbeat.create(
        saga_id=saga_id,
        kind="demo",
        step_names=demo_saga().step_names,
        inputs={},
        on_failure=on_failure,
    )
    at_heartbeat.transition(saga_id, SagaStatus.RUNNING, worker=worker)
    at_heartbeat.start_step(saga_id, 0, "echo_1", worker=worker)
    at_heartbeat.complete_step(saga_id, 0, output={"echo_1": 1}, context={"echo_1": 1})
    at_heartbeat.start_step(saga_id, 1, "echo_2", worker=worker)
    return saga_id


def evaluate(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    sensor = defs.resolve_sensor_def(SENSOR_NAME)
    context = dg.build_sensor_context(
        instance=instance, definitions=defs, resources={"database": defs.resources["database"]}
    )
    data = sensor.evaluate_tick(context)
    return list(data.run_requests or [])


def test_a_saga_whose_run_failed_is_compensated_once(
    ops_defs: dg.Definitions, instance: dg.DagsterInstance, journal: SagaJournal
) -> None:
    saga_id = left_running(
        journal, instance, run_status=dg.DagsterRunStatus.FAILURE, heartbeat_at=NOW, pid=1
    )

    requests = evaluate(ops_defs, instance)

    assert [r.run_key for r in requests] == [f"compensate:{saga_id}:{saga_id}"]
    assert requests[0].job_name in (None, "compensate_saga")
    assert requests[0].run_config["ops"] == {
        "compensate_saga_steps": {"config": {"saga_id": saga_id}}
    }
    record = journal.get(saga_id)
    assert record.status is SagaStatus.FAILED and record.after_failure == "compensate"
    assert "ended FAILURE" in (record.error or "")
    # The same dead run yields the same run key: the daemon launches it once.
    assert [r.run_key for r in evaluate(ops_defs, instance)] == [requests[0].run_key]

    # The requested run rolls the saga back, the crashed (running) step included.
    result = ops_defs.get_job_def("compensate_saga").execute_in_process(
        run_config=requests[0].run_config, instance=instance
    )
    assert result.success
    record = journal.get(saga_id)
    assert record.status is SagaStatus.ROLLED_BACK
    assert [e["step"] for e in record.compensation_log] == ["echo_2", "echo_1"]
    assert evaluate(ops_defs, instance) == []


def test_live_runs_are_left_alone(
    ops_defs: dg.Definitions, instance: dg.DagsterInstance, journal: SagaJournal
) -> None:
    fresh = left_running(
        journal, instance, run_status=dg.DagsterRunStatus.STARTED, heartbeat_at=NOW, pid=1
    )
    slow = left_running(  # stale heartbeat, but its worker process is alive on this host
        journal,
        instance,
        run_status=dg.DagsterRunStatus.STARTED,
        heartbeat_at=LONG_AGO,
        pid=os.getpid(),
    )
    starting = left_running(  # launched, not yet executing: Dagster's run monitoring's job
        journal, instance, run_status=dg.DagsterRunStatus.STARTING, heartbeat_at=LONG_AGO, pid=1
    )

    assert evaluate(ops_defs, instance) == []

    for saga_id in (fresh, slow, starting):
        assert journal.get(saga_id).status is SagaStatus.RUNNING
        run = instance.get_run_by_id(saga_id)
        assert run is not None and run.status is not dg.DagsterRunStatus.FAILURE


def test_a_started_run_with_a_stale_heartbeat_and_no_worker_is_failed_then_compensated(
    ops_defs: dg.Definitions, instance: dg.DagsterInstance, journal: SagaJournal
) -> None:
    saga_id = left_running(
        journal,
        instance,
        run_status=dg.DagsterRunStatus.STARTED,
        heartbeat_at=LONG_AGO,
        pid=dead_pid(),
    )

    requests = evaluate(ops_defs, instance)

    assert [r.run_key for r in requests] == [f"compensate:{saga_id}:{saga_id}"]
    run = instance.get_run_by_id(saga_id)
    assert run is not None and run.status is dg.DagsterRunStatus.FAILURE  # marked first
    assert "no heartbeat" in (journal.get(saga_id).error or "")


def test_leave_for_resume_only_fails_the_saga(
    ops_defs: dg.Definitions, instance: dg.DagsterInstance, journal: SagaJournal
) -> None:
    saga_id = left_running(
        journal,
        instance,
        run_status=dg.DagsterRunStatus.CANCELED,
        heartbeat_at=NOW,
        pid=1,
        on_failure="leave_for_resume",
    )

    assert evaluate(ops_defs, instance) == []

    record = journal.get(saga_id)
    assert record.status is SagaStatus.FAILED and record.after_failure == "resume"
    assert "ended CANCELED" in (record.error or "")
    assert evaluate(ops_defs, instance) == []  # and stays with the operator


def test_a_compensation_whose_run_died_is_relaunched(
    ops_defs: dg.Definitions, instance: dg.DagsterInstance, journal: SagaJournal
) -> None:
    saga_id = left_running(
        journal, instance, run_status=dg.DagsterRunStatus.FAILURE, heartbeat_at=NOW, pid=1
    )
    journal.transition(saga_id, SagaStatus.FAILED)
    compensate_run = str(uuid.uuid4())
    instance.add_run(
        dg.DagsterRun(
            job_name="compensate_saga", run_id=compensate_run, status=dg.DagsterRunStatus.CANCELED
        )
    )
    journal.transition(
        saga_id, SagaStatus.COMPENSATING, worker=Worker(1, HOST, dagster_run_id=compensate_run)
    )

    requests = evaluate(ops_defs, instance)

    assert [r.run_key for r in requests] == [f"compensate:{saga_id}:{compensate_run}"]
    assert journal.get(saga_id).status is SagaStatus.COMPENSATING


def _record(**changes: object) -> SagaRecord:
    base = {
        "saga_id": "s",
        "kind": "demo",
        "status": SagaStatus.RUNNING,
        "step_names": ("a",),
        "current_step_idx": 0,
        "inputs": {},
        "context": {},
        "meta": {},
        "cancel_requested": False,
        "error": None,
        "dagster_run_id": "r",
        "worker_pid": 123,
        "worker_host": "elsewhere",
        "heartbeat_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    base.update(changes)
    return SagaRecord(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "heartbeat_at", "alive", "mark"),
    [
        (dg.DagsterRunStatus.SUCCESS, NOW, False, False),
        (dg.DagsterRunStatus.STARTING, LONG_AGO, True, False),
        (dg.DagsterRunStatus.STARTED, NOW - timedelta(seconds=30), True, False),
        (dg.DagsterRunStatus.CANCELING, LONG_AGO, False, True),
        (None, LONG_AGO, False, False),  # no Dagster run known: the heartbeat decides
        (None, NOW, True, False),
    ],
)
def test_assess_liveness(
    status: dg.DagsterRunStatus | None, heartbeat_at: datetime, alive: bool, mark: bool
) -> None:
    liveness = assess_liveness(
        _record(heartbeat_at=heartbeat_at),
        run_view(status) if status is not None else None,
        now=NOW,
        stale_after=timedelta(seconds=120),
        host=HOST,
        is_pid_alive=lambda pid: True,  # another host's pid says nothing
    )
    assert (liveness.alive, liveness.mark_run_failed) == (alive, mark), liveness.reason


def test_every_dagster_run_status_has_a_liveness_phase() -> None:
    assert set(RUN_PHASES) == set(dg.DagsterRunStatus)
    assert {s for s, phase in RUN_PHASES.items() if phase is RunPhase.ENDED} == {
        dg.DagsterRunStatus.SUCCESS,
        dg.DagsterRunStatus.FAILURE,
        dg.DagsterRunStatus.CANCELED,
    }
    assert run_view(dg.DagsterRunStatus.CANCELING).status == "CANCELING"


def test_the_recovery_sensor_is_on_by_default_and_targets_compensate_saga(
    ops_defs: dg.Definitions,
) -> None:
    sensor = ops_defs.resolve_sensor_def(SENSOR_NAME)
    assert sensor.default_status is dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "compensate_saga"
    assert sensor.minimum_interval_seconds == 30

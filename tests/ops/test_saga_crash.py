"""Crash tests: a real `dagster job execute` run of saga_demo SIGKILLs itself right after echo_2's
action (before the journal knows). No hook runs; the journal shows the saga running with a stale
heartbeat; the recovery sensor marks the run failed and either compensates the saga (default
policy) or leaves it for an operator, who resumes it by re-executing the run from failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
import yaml

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.resources import shared_resources
from arcadia_cloud_core.saga import SagaJournal, SagaStatus, StepStatus
from arcadia_cloud_core.saga.liveness import pid_alive
from arcadia_cloud_ops.compensation import build_compensate_saga_job
from arcadia_cloud_ops.definitions import saga_definitions
from arcadia_cloud_ops.recovery import SENSOR_NAME, build_saga_recovery_sensor
from tests.conftest import REPO
from tests.ops.jobs import saga_demo_job

STALE_AFTER_SECONDS = 0.5
SETTINGS_TO_DROP = ("DO_API_TOKEN", "DO_API_BASE_URL", DATABASE_URL_SETTING, "DAGSTER_HOME")


@dataclass
class CrashedRun:
    """One killed `dagster job execute` run and where it left its state."""

    home: Path
    db_url: str
    config: dict[str, object]
    returncode: int
    output: str

    @property
    def journal(self) -> SagaJournal:
        return SagaJournal(open_database(self.db_url))


def _config(on_failure: str) -> dict[str, object]:
    settings = {"crash_at": "echo_2:after_action", "on_failure": on_failure}
    return {"ops": {"demo__echo_1": {"config": settings}}}


@pytest.fixture(scope="module")
def crashed_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CrashedRun]]:
    """Both policies' crash runs, started together (each is a few seconds of imports)."""
    dagster_cli = str(Path(sys.executable).parent / "dagster")
    started = {}
    for policy in ("compensate", "leave_for_resume"):
        root = tmp_path_factory.mktemp(f"crash_{policy}")
        (root / "home").mkdir()
        config_file = root / "run_config.yaml"
        config = _config(policy)
        config_file.write_text(yaml.safe_dump(config))
        db_url = f"sqlite:///{root / 'arcadia.db'}"
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS_TO_DROP}
        env.update({"DAGSTER_HOME": str(root / "home"), DATABASE_URL_SETTING: db_url})
        command = [dagster_cli, "job", "execute", "-m", "arcadia_cloud_ops.definitions"]
        command += ["-j", "saga_demo", "-c", str(config_file)]
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started[policy] = (process, root, db_url, config)
    runs = {}
    for policy, (process, root, db_url, config) in started.items():
        try:
            output, _ = process.communicate(timeout=180)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        runs[policy] = CrashedRun(root / "home", db_url, config, process.returncode, output)
    yield runs


def _instance(home: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home))


def _recovery_defs() -> dg.Definitions:
    """The location's compensate job with a recovery sensor whose heartbeats go stale fast."""
    return dg.Definitions(
        jobs=[build_compensate_saga_job(saga_definitions())],
        sensors=[build_saga_recovery_sensor(stale_after_seconds=STALE_AFTER_SECONDS)],
        resources=shared_resources(),
    )


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    context = dg.build_sensor_context(
        instance=instance, definitions=defs, resources={"database": defs.resources["database"]}
    )
    return list(defs.resolve_sensor_def(SENSOR_NAME).evaluate_tick(context).run_requests or [])


def _check_crashed(run: CrashedRun, instance: dg.DagsterInstance) -> str:
    """The journal and Dagster agree the run was killed mid-step; returns the saga id."""
    assert run.returncode == -signal.SIGKILL, run.output[-3000:]
    assert "crashing at echo_2:after_action" in run.output
    (saga,) = run.journal.unsettled()
    assert saga.status is SagaStatus.RUNNING and saga.saga_id == saga.dagster_run_id
    steps = {row.step_name: row.status for row in run.journal.steps(saga.saga_id)}
    assert steps == {"echo_1": StepStatus.COMPLETED, "echo_2": StepStatus.RUNNING}
    assert "echo_2" not in saga.context  # the action happened, the journal never heard
    assert saga.worker_pid is not None and not pid_alive(saga.worker_pid)
    time.sleep(STALE_AFTER_SECONDS + 0.1)
    assert saga.heartbeat_at is not None
    assert datetime.now(UTC) - saga.heartbeat_at > timedelta(seconds=STALE_AFTER_SECONDS)
    dagster_run = instance.get_run_by_id(saga.saga_id)
    assert dagster_run is not None and dagster_run.status is dg.DagsterRunStatus.STARTED
    return saga.saga_id


def test_a_killed_run_is_found_by_the_sensor_and_rolled_back(
    crashed_runs: dict[str, CrashedRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = crashed_runs["compensate"]
    monkeypatch.setenv(DATABASE_URL_SETTING, run.db_url)
    with _instance(run.home) as instance:
        saga_id = _check_crashed(run, instance)
        defs = _recovery_defs()

        requests = _tick(defs, instance)

        assert [r.run_key for r in requests] == [f"compensate:{saga_id}:{saga_id}"]
        dagster_run = instance.get_run_by_id(saga_id)
        assert dagster_run is not None and dagster_run.status is dg.DagsterRunStatus.FAILURE
        result = defs.get_job_def("compensate_saga").execute_in_process(
            run_config=requests[0].run_config, instance=instance
        )
        assert result.success

    record = run.journal.get(saga_id)
    assert record.status is SagaStatus.ROLLED_BACK
    assert "died" in (record.error or "") and "no heartbeat" in (record.error or "")
    assert [(e["step"], e["result"]) for e in record.compensation_log] == [
        ("echo_2", "compensated"),  # the crashed step too: its action may have happened
        ("echo_1", "compensated"),
    ]


def test_a_killed_run_left_for_resume_is_resumed_by_re_execution_from_failure(
    crashed_runs: dict[str, CrashedRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = crashed_runs["leave_for_resume"]
    monkeypatch.setenv(DATABASE_URL_SETTING, run.db_url)
    with _instance(run.home) as instance:
        saga_id = _check_crashed(run, instance)

        assert _tick(_recovery_defs(), instance) == []  # no compensation under this policy

        record = run.journal.get(saga_id)
        assert record.status is SagaStatus.FAILED and record.after_failure == "resume"
        dagster_run = instance.get_run_by_id(saga_id)
        assert dagster_run is not None and dagster_run.status is dg.DagsterRunStatus.FAILURE

        resumed = dg.execute_job(
            dg.reconstructable(saga_demo_job),
            instance=instance,
            run_config=run.config,
            reexecution_options=dg.ReexecutionOptions.from_failure(saga_id, instance),
        )
        assert resumed.success
        assert sorted(e.step_key for e in resumed.get_step_success_events()) == [
            "demo__echo_2",
            "demo__echo_3",
        ]

    record = run.journal.get(saga_id)
    assert record.status is SagaStatus.COMPLETED and record.dagster_run_id == resumed.run_id
    attempts = {row.step_name: row.attempts for row in run.journal.steps(saga_id)}
    assert attempts == {"echo_1": 1, "echo_2": 2, "echo_3": 1}

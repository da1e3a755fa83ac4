"""A ``compensate_saga`` run blocked on its pool slot can be cancelled (issue 17).

A real ``dagster job execute`` worker on the ``make dev`` instance (the production dagster.yaml,
SQLite storage: pools on, op granularity, 2 slots) while two other runs hold both
``do_api_provisioning`` slots: its one step waits in Dagster's in-process plan loop, which spins
and never looks at the worker's captured interrupt (dagster 1.13.27). It is then cancelled as the
UI does (the run is reported CANCELING, then the worker is interrupted with SIGINT, which is what
the code server's termination thread sends): the run's cancel watchdog
(`arcadia_cloud_core.cancel_watchdog`) makes it stop, reported CANCELED, its queued claim gone.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import yaml

from arcadia_cloud_core.cancel_watchdog import DEFAULT_GRACE_SECONDS, DEFAULT_POLL_SECONDS
from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING
from arcadia_cloud_ops.saga_jobs import SAGA_POOL
from tests.conftest import REPO

pytestmark = pytest.mark.slow

BLOCKED = f"Step blocked by limit for pool {SAGA_POOL}"
SETTINGS_TO_DROP = ("DO_API_TOKEN", "DO_API_BASE_URL", DATABASE_URL_SETTING, "DAGSTER_HOME")


def _write_dev_instance(home: Path) -> None:
    """$DAGSTER_HOME/dagster.yaml exactly as ``make dev`` writes it (scripts/dev.py)."""
    spec = importlib.util.spec_from_file_location("arcadia_dev", REPO / "scripts" / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_instance_config(home)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _blocked_run(instance: dg.DagsterInstance) -> str | None:
    for run in instance.get_runs(filters=dg.RunsFilter(job_name="compensate_saga")):
        if any(BLOCKED in (entry.message or "") for entry in instance.all_logs(run.run_id)):
            return run.run_id
    return None


def test_a_compensation_blocked_on_its_pool_is_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("ARCADIA_DAGSTER_PG_URL", raising=False)
    _write_dev_instance(home)
    config_file = tmp_path / "run_config.yaml"
    run_config = {"ops": {"compensate_saga_steps": {"config": {"saga_id": str(uuid.uuid4())}}}}
    config_file.write_text(yaml.safe_dump(run_config))
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_TO_DROP}
    env.update(
        DAGSTER_HOME=str(home),
        **{DATABASE_URL_SETTING: f"sqlite:///{tmp_path / 'arcadia.db'}"},
        DO_API_TOKEN="unused-token",
    )

    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(SAGA_POOL)
        holders = [str(uuid.uuid4()) for _ in range(storage.get_concurrency_info(SAGA_POOL).limit)]
        for holder in holders:  # two live sagas mid-step
            assert storage.claim_concurrency_slot(SAGA_POOL, holder, "step", 0).is_claimed
        command = [str(Path(sys.executable).parent / "dagster"), "job", "execute"]
        command += ["-m", "arcadia_cloud_ops.definitions", "-j", "compensate_saga"]
        worker = subprocess.Popen(
            [*command, "-c", str(config_file)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 90
            run_id = None
            while run_id is None and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.5)
                run_id = _blocked_run(instance)
            assert run_id is not None, worker.communicate(timeout=30)[0][-3000:]
            cpu_before, at = _cpu_seconds(worker.pid), time.monotonic()
            time.sleep(2)
            busy = (_cpu_seconds(worker.pid) - cpu_before) / (time.monotonic() - at)

            cancelled_at = time.monotonic()
            run = instance.get_run_by_id(run_id)
            assert run is not None and run.status is dg.DagsterRunStatus.STARTED
            instance.report_run_canceling(run)  # the UI's terminate, then its interrupt:
            worker.send_signal(signal.SIGINT)
            stop_within = DEFAULT_POLL_SECONDS + DEFAULT_GRACE_SECONDS + 20
            output, _ = worker.communicate(timeout=stop_within)
            stopped_after = time.monotonic() - cancelled_at
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status is dg.DagsterRunStatus.CANCELED, output[-3000:]
        info = storage.get_concurrency_info(SAGA_POOL)
        assert sorted(claim.run_id for claim in info.pending_steps) == sorted(holders)
        assert "interrupting it" in output
        print(
            f"\nblocked compensate_saga: {busy:.0%} of a core while blocked; "
            f"stopped {stopped_after:.1f} s after the cancel"
        )

"""The crash matrix: real run workers SIGKILLed at every crash point of three provisioning sagas.

For ``provision_droplet``, ``snapshot_droplet`` and ``upsert_dns_record``, a run worker — a forked
Python runner executing the job with ``dg.execute_job`` on a persistent Dagster instance — kills
itself (``ARCADIA_SAGA_CRASH_AT``) before a step, after its DO write but before the journal save,
or after the save. No hook runs; the Dagster run stays STARTED. Then, as in production, the
recovery sensor finds the dead run and either

- ``rollback``: launches ``compensate_saga`` (policy ``compensate``), or
- ``resume``: marks it failed for an operator (policy ``leave_for_resume``), who re-executes the
  run from failure.

Afterwards the simulator's raw state is checked against every journal: nothing leaked, nothing
twice, and each journal says what the world shows. One harness process imports Dagster once and
forks a case worker per case (two at a time); the cases share one Dagster instance and one
simulator, each has its own app database.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.db.schema import cloud_provisioned, cloud_resources
from arcadia_cloud_core.resources import DigitalOceanResource
from arcadia_cloud_core.saga import SagaJournal, SagaStatus, StepStatus
from arcadia_cloud_core.saga.steps import MANAGED_TAG, saga_tag, snapshot_name
from arcadia_cloud_core.testing.drills import CRASH_ENV, FAULT_ENV
from arcadia_cloud_ops.recovery import SENSOR_NAME
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.conftest import REPO
from tests.core.saga.steps.world import (
    TOKEN,
    client,
    droplets_tagged,
    records,
    snapshots_named,
)

ZONE = "acme-store.com"
STALE_AFTER_SECONDS = 0.1
PARALLEL = 2
HARNESS_TIMEOUT_SECONDS = 240
WAITS = {"wait_timeout_seconds": 20, "poll_interval_seconds": 0.02}
#: The crash points of each saga: before every step, after every write, after every save.
CRASH_POINTS: dict[str, list[str]] = {
    "provision_droplet": [
        "create_droplet:before_action",
        "create_droplet:after_action",
        "create_droplet:after_save",
        "wait_droplet_active:before_action",  # reads only: no after_action
        "wait_droplet_active:after_save",
        "register_droplet:before_action",
        "register_droplet:after_action",
        "register_droplet:after_save",
    ],
    "snapshot_droplet": [
        "create_droplet_snapshot:before_action",
        "create_droplet_snapshot:after_action",
        "create_droplet_snapshot:after_save",
    ],
    "upsert_dns_record": [
        "read_dns_records:before_action",  # reads only: no after_action
        "read_dns_records:after_save",
        "upsert_dns_record:before_action",
        "upsert_dns_record:after_action",
        "upsert_dns_record:after_save",
    ],
}
#: The harness's Dagster instance: SQLite storage under its home, one event log database (not
#: one per run), no per-step log capture (it spawns `tail` processes), no telemetry.
INSTANCE_YAML = """\
telemetry:
  enabled: false
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir:
      env: DAGSTER_HOME
"""
SETTINGS_TO_DROP = (CRASH_ENV, FAULT_ENV, "DAGSTER_HOME", DATABASE_URL_SETTING, "DO_API_TOKEN")


# ---- job loaders (for dg.reconstructable; they read the environment at call time) -------------


@functools.cache
def _job(name: str) -> dg.JobDefinition:
    """The job of the real code location (settings from this process's environment)."""
    from arcadia_cloud_ops.definitions import build_definitions

    return build_definitions().get_job_def(name)


def provision_droplet_job() -> dg.JobDefinition:
    """``provision_droplet`` with resources from the environment."""
    return _job("provision_droplet")


def snapshot_droplet_job() -> dg.JobDefinition:
    """``snapshot_droplet`` with resources from the environment."""
    return _job("snapshot_droplet")


def upsert_dns_record_job() -> dg.JobDefinition:
    """``upsert_dns_record`` with resources from the environment."""
    return _job("upsert_dns_record")


LOADERS = {
    "provision_droplet": provision_droplet_job,
    "snapshot_droplet": snapshot_droplet_job,
    "upsert_dns_record": upsert_dns_record_job,
}


# ---- cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    """One crash: which saga, where it dies, what recovery does, and what the world held before."""

    id: str
    job: str
    crash_at: str
    recovery: str  # "rollback" | "resume"
    config: dict[str, Any]
    tags: dict[str, str]
    fault_at: str | None = None
    prior: dict[str, Any] = field(default_factory=dict)  # e.g. a DNS record that existed

    @property
    def first_op(self) -> str:
        first_step = {
            "provision_droplet": "create_droplet",
            "snapshot_droplet": "create_droplet_snapshot",
            "upsert_dns_record": "read_dns_records",
        }[self.job]
        return f"{self.job}__{first_step}"

    def run_config(self) -> dict[str, Any]:
        policy = "compensate" if self.recovery == "rollback" else "leave_for_resume"
        config = {**self.config, "on_failure": policy}
        return {
            "ops": {self.first_op: {"config": config}},
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        }


def build_cases(admin: SimAdmin, sim: SimulatorHandle) -> list[Case]:
    """Every crash point x recovery (DNS rollbacks of both a new and an existing record)."""
    cases: list[Case] = []
    with client(sim) as do:
        for point in CRASH_POINTS["provision_droplet"]:
            for recovery in ("rollback", "resume"):
                n = len(cases)
                name = f"crash-{n}"
                cases.append(
                    Case(f"c{n}", "provision_droplet", point, recovery,
                         {"name": name, **WAITS}, {"arcadia/saga_target": name})
                )  # fmt: skip
        for point in CRASH_POINTS["snapshot_droplet"]:
            for recovery in ("rollback", "resume"):
                n = len(cases)
                source = do.create_droplet(
                    name=f"snap-src-{n}", region="nyc3", size="s-1vcpu-1gb",
                    image="ubuntu-24-04-x64", tags=[MANAGED_TAG],
                )  # fmt: skip
                droplet_id = source.resource.id
                config = {"droplet_id": int(droplet_id), "snapshot_find_attempts": 25, **WAITS}
                cases.append(
                    Case(f"c{n}", "snapshot_droplet", point, recovery, config,
                         {"arcadia/saga_target": droplet_id})
                )  # fmt: skip
        for point in CRASH_POINTS["upsert_dns_record"]:
            variants = [("rollback", False), ("resume", False)]
            if point.startswith("upsert_dns_record:"):  # the write: undo an update too
                variants.append(("rollback", True))
            for recovery, existing in variants:
                n = len(cases)
                name = f"crash-{n}"
                prior: dict[str, Any] = {}
                if existing:
                    old = do.create_domain_record(
                        ZONE, type="TXT", name=name, data="v=before", ttl=120
                    )
                    prior = {"id": old.id, "data": "v=before", "ttl": 120}
                config = {"domain": ZONE, "type": "TXT", "name": name, "data": "v=after",
                          "ttl": 600, **WAITS}  # fmt: skip
                cases.append(
                    Case(f"c{n}", "upsert_dns_record", point, recovery, config,
                         {"arcadia/saga_target": ZONE}, prior=prior)
                )  # fmt: skip
        # A worker that dies while compensating: the sensor runs the rest of the undo.
        n = len(cases)
        cases.append(
            Case(f"c{n}", "provision_droplet", "create_droplet:in_compensation", "rollback",
                 {"name": f"crash-{n}", **WAITS}, {"arcadia/saga_target": f"crash-{n}"},
                 fault_at="register_droplet:after_action")
        )  # fmt: skip
    return cases


# ---- the harness (a separate process: `python -c "...harness_main()" spec.json`) -------------


def _crash_child(case: Case, instance: dg.DagsterInstance) -> None:
    """In the forked run worker: run the job until the drill kills us."""
    os.environ[CRASH_ENV] = case.crash_at
    if case.fault_at:
        os.environ[FAULT_ENV] = case.fault_at
    try:
        dg.execute_job(
            dg.reconstructable(LOADERS[case.job]),
            instance=instance,
            run_config=case.run_config(),
            tags=case.tags,
        )
    finally:
        os._exit(3)  # reached only when no crash happened: the case reports it


@functools.cache
def _recovery_defs() -> dg.Definitions:
    """The location's compensate job and a recovery sensor whose heartbeats go stale fast."""
    from arcadia_cloud_core.resources import shared_resources
    from arcadia_cloud_ops.compensation import build_compensate_saga_job
    from arcadia_cloud_ops.definitions import saga_definitions
    from arcadia_cloud_ops.recovery import build_saga_recovery_sensor

    return dg.Definitions(
        jobs=[build_compensate_saga_job(saga_definitions())],
        sensors=[build_saga_recovery_sensor(stale_after_seconds=STALE_AFTER_SECONDS)],
        resources=shared_resources(),
    )


def _recover(
    case: Case, instance: dg.DagsterInstance, db_url: str, crashed_at: float
) -> dict[str, Any]:
    """In the case worker, after the run worker died: what the sensor and the operator do."""
    journal = SagaJournal(open_database(db_url))
    (saga,) = journal.unsettled()
    seen = {
        "saga_id": saga.saga_id,
        "status_after_crash": saga.status.value,
        "steps_after_crash": {r.step_name: r.status.value for r in journal.steps(saga.saga_id)},
        "run_status_after_crash": instance.get_run_by_id(saga.saga_id).status.value,
    }
    time.sleep(max(0.0, crashed_at + STALE_AFTER_SECONDS + 0.02 - time.monotonic()))
    defs = _recovery_defs()
    context = dg.build_sensor_context(
        instance=instance, definitions=defs, resources={"database": defs.resources["database"]}
    )
    requests = list(defs.resolve_sensor_def(SENSOR_NAME).evaluate_tick(context).run_requests or [])
    seen["requests"] = [r.run_key for r in requests]
    seen["request_tags"] = [dict(r.tags) for r in requests]
    seen["run_status_after_tick"] = instance.get_run_by_id(saga.saga_id).status.value
    if case.recovery == "rollback":
        compensate = defs.get_job_def("compensate_saga")
        results = [
            compensate.execute_in_process(
                run_config=r.run_config, instance=instance, tags=r.tags, raise_on_error=False
            )
            for r in requests
        ]
        seen["recovery_success"] = all(r.success for r in results)
    else:
        resumed = dg.execute_job(
            dg.reconstructable(LOADERS[case.job]),
            instance=instance,
            run_config=case.run_config(),
            tags=case.tags,
            reexecution_options=dg.ReexecutionOptions.from_failure(saga.saga_id, instance),
        )
        seen["recovery_success"] = resumed.success
        seen["resumed_ops"] = sorted(e.step_key for e in resumed.get_step_success_events())
    final = journal.get(saga.saga_id)
    seen["final_status"] = final.status.value
    seen["final_steps"] = {r.step_name: r.status.value for r in journal.steps(saga.saga_id)}
    seen["compensations"] = [[e["step"], e["result"]] for e in final.compensation_log]
    seen["context"] = json.loads(json.dumps(dict(final.context)))
    return seen


def _run_case(
    case: Case, instance: dg.DagsterInstance, workdir: Path, app_template: Path
) -> dict[str, Any]:
    """Crash one run worker, then recover; returns what was seen (JSON)."""
    db_file = workdir / case.id / "arcadia.db"
    db_file.parent.mkdir()
    shutil.copyfile(app_template, db_file)
    db_url = f"sqlite:///{db_file}"
    os.environ[DATABASE_URL_SETTING] = db_url
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _crash_child(case, instance)
    _, status = os.waitpid(pid, 0)
    crashed_at = time.monotonic()
    result: dict[str, Any] = {
        "id": case.id,
        "killed_by": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "crash_seconds": round(crashed_at - started, 2),
    }
    if result["killed_by"] == signal.SIGKILL:
        result.update(_recover(case, instance, db_url, crashed_at))
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def harness_main() -> None:
    """Run every case of the spec file (argv[1]); write one result file per case.

    The Dagster instance (SQLite storage, as `dagster dev` uses: every process opens its own
    connections), the job definitions and the DO client (its connection pool still empty) are
    made once, here, before the case workers fork.
    """
    from arcadia_cloud_core.db.engine import forget_engines

    spec_path = Path(sys.argv[1])
    spec = json.loads(spec_path.read_text())
    cases = [Case(**c) for c in spec["cases"]]
    workdir = spec_path.parent
    home = workdir / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    instance = dg.DagsterInstance.from_config(str(home))
    instance.get_runs(limit=1)  # creates the storage
    app_template = workdir / "template_app.db"
    open_database(f"sqlite:///{app_template}")
    forget_engines()  # no pooled connection may cross a fork
    provisioning = DigitalOceanResource(
        purpose="provisioning",
        token=os.environ["DO_API_TOKEN"],
        base_url=os.environ["DO_API_BASE_URL"],
    )
    with provisioning.shared_client():  # the client the ops will use; no connection opened yet
        pass
    for job_name, loader in LOADERS.items():  # resolve once, before any fork
        _job(job_name)
        dg.reconstructable(loader).get_definition()
    recovery = _recovery_defs()
    recovery.get_job_def("compensate_saga")
    recovery.resolve_sensor_def(SENSOR_NAME)
    out = workdir / "results"
    out.mkdir()
    running: dict[int, Case] = {}
    pending = list(cases)
    while pending or running:
        while pending and len(running) < spec["parallel"]:
            case = pending.pop(0)
            pid = os.fork()
            if pid == 0:
                try:
                    result = _run_case(case, instance, workdir, app_template)
                except BaseException as exc:
                    result = {"id": case.id, "harness_error": f"{type(exc).__name__}: {exc}"}
                (out / f"{case.id}.json").write_text(json.dumps(result))
                os._exit(0)
            running[pid] = case
        pid, _ = os.wait()
        running.pop(pid, None)


# ---- the test ---------------------------------------------------------------------------------


def _run_harness(sim: SimulatorHandle, cases: list[Case], workdir: Path) -> dict[str, dict]:
    spec = workdir / "spec.json"
    spec.write_text(json.dumps({"cases": [asdict(c) for c in cases], "parallel": PARALLEL}))
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_TO_DROP}
    env.update({"DO_API_TOKEN": TOKEN, "DO_API_BASE_URL": sim.base_url})
    code = "from tests.ops.test_crash_matrix import harness_main; harness_main()"
    done = subprocess.run(
        [sys.executable, "-c", code, str(spec)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=HARNESS_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results = {}
    for case in cases:
        path = workdir / "results" / f"{case.id}.json"
        assert path.exists(), f"{case.id} left no result:\n{done.stderr[-4000:]}"
        results[case.id] = json.loads(path.read_text())
    return results


def _inventory(db_url: str, droplet_id: str) -> tuple[bool, bool]:
    """(a live inventory row, a desired spec) for the droplet."""
    engine = open_database(db_url)
    with engine.connect() as connection:
        row = connection.execute(
            cloud_resources.select().where(cloud_resources.c.provider_id == droplet_id)
        ).first()
        spec = (
            connection.execute(
                cloud_provisioned.select().where(cloud_provisioned.c.resource_id == row.id)
            ).first()
            if row is not None
            else None
        )
    engine.dispose()
    return (row is not None and row.deleted_at is None, spec is not None)


def _check_world(case: Case, result: dict[str, Any], admin: SimAdmin, workdir: Path) -> None:
    """The simulator's raw state agrees with the journal, for this case."""
    saga_id = result["saga_id"]
    done = result["final_status"] == SagaStatus.COMPLETED.value
    context = result["context"]
    if case.job == "provision_droplet":
        droplets = droplets_tagged(admin, saga_tag(saga_id))
        live, spec = False, False
        if context.get("droplet"):
            db_url = f"sqlite:///{workdir / case.id / 'arcadia.db'}"
            live, spec = _inventory(db_url, context["droplet"]["id"])
        if done:
            assert [str(d["id"]) for d in droplets] == [context["droplet"]["id"]], case
            assert droplets[0]["status"] == "active" and live and spec, case
        else:
            assert droplets == [] and not live and not spec, case
    elif case.job == "snapshot_droplet":
        snaps = snapshots_named(admin, snapshot_name(str(case.config["droplet_id"]), saga_id))
        if done:
            assert [s["id"] for s in snaps] == [context["snapshot"]["id"]], case
        else:
            assert snaps == [], case
    else:
        rows = [(r["data"], r["ttl"]) for r in records(admin, ZONE, "TXT", case.config["name"])]
        if done:
            assert rows == [("v=after", 600)], case
            assert context["dns_record"]["data"] == "v=after"
        elif case.prior:
            assert rows == [(case.prior["data"], case.prior["ttl"])], case
            (row,) = records(admin, ZONE, "TXT", case.config["name"])
            assert str(row["id"]) == case.prior["id"], case  # restored, not replaced
        else:
            assert rows == [], case


def _check_reentry(case: Case, result: dict[str, Any]) -> None:
    """A step resumed after its DO write found the write instead of repeating it."""
    context = result["context"]
    if case.crash_at == "create_droplet:after_action":
        assert context["droplet"]["adopted"] is True, result  # found by its saga tag
    elif case.crash_at == "create_droplet_snapshot:after_action":
        assert context["snapshot"]["action_id"] is None, result  # found by name: no second POST
    elif case.crash_at == "upsert_dns_record:after_action":
        assert context["dns_record"]["outcome"] == "created", result  # not in the stash: ours


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """Where the harness keeps its Dagster instance and databases: memory-backed when the host
    has /dev/shm (SQLite fsyncs dominate otherwise), else the test's tmp dir."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="arcadia-crash-matrix-", dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_every_crash_point_resumes_or_rolls_back_to_a_consistent_world(
    sim: SimulatorHandle, workdir: Path
) -> None:
    started = time.monotonic()
    with SimAdmin(sim) as admin:
        cases = build_cases(admin, sim)
        results = _run_harness(sim, cases, workdir)

        for case in cases:
            result = results[case.id]
            assert "harness_error" not in result, (case, result)
            assert result["killed_by"] == signal.SIGKILL, (case, result)
            step, point = case.crash_at.split(":")
            expected_status = "compensating" if case.fault_at else "running"
            assert result["status_after_crash"] == expected_status, (case, result)
            if not case.fault_at:  # the journal knows exactly as much as the crash allowed
                saved = "completed" if point == "after_save" else "running"
                assert result["steps_after_crash"][step] == saved, (case, result)
            assert result["run_status_after_crash"] == "STARTED", (case, result)
            assert result["run_status_after_tick"] == "FAILURE", (case, result)
            assert result["recovery_success"], (case, result)
            if case.recovery == "rollback":
                assert len(result["requests"]) == 1, (case, result)
                assert (
                    result["request_tags"][0]["arcadia/saga_target"]
                    == case.tags["arcadia/saga_target"]
                )
                assert result["final_status"] == "rolled_back", (case, result)
                ran = list(result["steps_after_crash"])  # in step order
                compensated = [s for s, _ in result["compensations"]]
                assert compensated == list(reversed(ran)), (case, result)  # each once, reversed
                assert all(
                    v == StepStatus.COMPENSATED.value for v in result["final_steps"].values()
                )
            else:
                assert result["requests"] == [], (case, result)
                assert result["final_status"] == "completed", (case, result)
                assert f"{case.job}__{step}" in result["resumed_ops"], (case, result)
                assert all(v == "completed" for v in result["final_steps"].values())
                _check_reentry(case, result)
            _check_world(case, result, admin, workdir)

        # Nothing anywhere that no journal accounts for.
        completed = {r["saga_id"] for r in results.values() if r["final_status"] == "completed"}
        saga_tags = {
            tag for d in admin.resources("droplet") for tag in d["body"]["tags"]
            if tag.startswith("arcadia-saga-")
        }  # fmt: skip
        assert saga_tags == {
            saga_tag(results[c.id]["saga_id"])
            for c in cases
            if c.job == "provision_droplet" and results[c.id]["saga_id"] in completed
        }
        ours = [s for s in (r["body"] for r in admin.resources("snapshot"))
                if s["name"].startswith("arcadia-snap-")]  # fmt: skip
        assert len(ours) == sum(
            1
            for c in cases
            if c.job == "snapshot_droplet" and results[c.id]["saga_id"] in completed
        )
        assert len({s["name"] for s in ours}) == len(ours)  # no duplicates

    points = {(c.job, c.crash_at) for c in cases}
    seconds = time.monotonic() - started
    print(
        f"\ncrash matrix: {len(points)} crash points over 3 sagas, {len(cases)} killed runs "
        f"({sum(c.recovery == 'rollback' for c in cases)} rolled back by the recovery sensor, "
        f"{sum(c.recovery == 'resume' for c in cases)} resumed by re-execution from failure); "
        f"0 leaked, 0 duplicated; {seconds:.1f}s"
    )
    assert len(points) == sum(len(p) for p in CRASH_POINTS.values()) + 1

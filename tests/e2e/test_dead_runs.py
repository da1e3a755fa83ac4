"""Run workers SIGKILLed mid-step on the production instance (issue 17): no pool stays wedged, and
a run waiting for a pool is cancelled from the UI at once.

A real deployment (simulator, dagster-webserver, dagster-daemon on Postgres, the production
``dagster.yaml`` verbatim: run-granularity pools, default 2). Two ``provision_droplet`` sagas are
killed while ``wait_droplet_active`` polls (the 2 runs ``do_api_provisioning`` admits), an
``inventory_snapshots_job`` run and a ``billing_balance_job`` run while their DO call hangs (their
pools set to 1): every pool is full of runs that die. Runs needing those pools wait QUEUED — one
of them, a ``compensate_saga``, is cancelled with the UI's Terminate and is CANCELED within
seconds, having never started a worker. Once the dead runs are marked FAILURE (by their code
server; nothing frees any slot) the queue admits the others within seconds; with only the daemon
and our sensor acting, both compensations run and finish, both sagas are ``rolled_back``, no
droplet is left at DO, and a new saga, inventory run and billing run each succeed.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator

import dagster as dg
import pytest
import sqlalchemy as sa

from arcadia_cloud_core.db.schema import saga_runs, saga_step_results
from arcadia_cloud_core.saga.steps import saga_tag
from arcadia_cloud_ops.compensation import compensate_run_config
from arcadia_cloud_ops.saga_jobs import SAGA_POOL, TARGET_TAG
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.steps.world import droplets_tagged
from tests.e2e.dagster_api import ASSETS, OPS, DagsterAPI
from tests.e2e.deployment import Deployment, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SYNC_POOL = "do_api_sync"
BILLING_POOL = "do_api_billing"
POOLS = (SAGA_POOL, SYNC_POOL, BILLING_POOL)
#: DO calls that hang (a `timeout` fault stalls this long) while the runs are killed.
HANGING_PATHS = "/v2/snapshots,/v2/customers/my/balance"
STARTED_PID = re.compile(r"Started process for run \(pid: (\d+)\)")
#: Issue 17's bound: a run queued behind a dead run is dequeued this soon after it was failed.
ADMITTED_WITHIN_SECONDS = 30.0
#: A queued run is CANCELED this soon after the UI's Terminate.
CANCELED_WITHIN_SECONDS = 10.0


@pytest.fixture(scope="module")
def instance(deployment: Deployment) -> Iterator[dg.DagsterInstance]:
    """The deployment's own Dagster instance (its dagster.yaml, its Postgres storage)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCADIA_DAGSTER_PG_URL", deployment.dagster_db_url)
        with dg.DagsterInstance.from_config(str(deployment.home)) as opened:
            yield opened


def _saga_config(name: str, *, wait_timeout_seconds: int) -> dict[str, object]:
    config = {
        "name": name,
        "poll_interval_seconds": 0.25,
        "wait_timeout_seconds": wait_timeout_seconds,
    }
    return {"ops": {"provision_droplet__create_droplet": {"config": config}}}


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the run's worker process (the code server logs it when it starts one)."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        found = STARTED_PID.search(entry.message or "")
        if found:
            return int(found.group(1))
    return None


def _step_running(deployment: Deployment, saga_id: str, step: str) -> bool:
    with deployment.app_engine().connect() as connection:
        status = connection.execute(
            sa.select(saga_step_results.c.status).where(
                saga_step_results.c.saga_id == saga_id, saga_step_results.c.step_name == step
            )
        ).scalar_one_or_none()
    return status == "running"


def _mid_step(instance: dg.DagsterInstance, run_id: str) -> bool:
    """The run is STARTED and its step has started (its DO call is in flight)."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.status is not dg.DagsterRunStatus.STARTED:
        return False
    return bool(instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START))


def _blocked_by_pools(deployment: Deployment, run_id: str) -> bool:
    """The daemon's run queue has logged that the run waits for a pool."""
    daemon = next(p for p in deployment.processes if p.name == "daemon")
    line = f"Run {run_id} is blocked by global concurrency limits"
    return line in daemon.log_path.read_text(errors="replace")


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    run = instance.get_run_by_id(run_id)
    assert run is not None, run_id
    return run.status


def _dequeued_at(instance: dg.DagsterInstance, run_id: str) -> float | None:
    """When the run queue admitted the run (its RUN_STARTING event), or None while queued."""
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_STARTING)
    return events[0].timestamp if events else None


def _saga_status(deployment: Deployment, saga_id: str) -> str | None:
    with deployment.app_engine().connect() as connection:
        return connection.execute(
            sa.select(saga_runs.c.status).where(saga_runs.c.saga_id == saga_id)
        ).scalar_one_or_none()


def _no_slot_claimed(instance: dg.DagsterInstance) -> None:
    """Run granularity: no step of any run claims (or waits for) a pool slot."""
    for pool in POOLS:
        info = instance.event_log_storage.get_concurrency_info(pool)
        assert (info.claimed_slots, info.pending_steps) == ([], []), (pool, info)


def test_runs_killed_mid_step_free_their_pools_and_a_queued_run_is_cancelled_at_once(
    deployment: Deployment,
    api: DagsterAPI,
    instance: dg.DagsterInstance,
    deployment_sim_admin: SimAdmin,
) -> None:
    started = time.monotonic()
    phases: dict[str, float] = {}
    deployment_sim_admin.set_config(
        droplet_active_lag=600,  # the sagas poll wait_droplet_active until killed
        fault_rate=1.0,
        fault_kinds="timeout",
        fault_paths=HANGING_PATHS,
        slow_seconds=300,
    )
    # One run fills each of the other two pools (`dagster instance concurrency set … 1`): fewer
    # run workers to start on a busy 2-core host, the same wedge.
    for pool in (SYNC_POOL, BILLING_POOL):
        instance.event_log_storage.set_concurrency_slots(pool, 1)
    sagas = {
        api.launch(
            "provision_droplet",
            location=OPS,
            run_config=_saga_config(name, wait_timeout_seconds=600),
            tags={TARGET_TAG: name},
        ): name
        for name in ("dead-saga-1", "dead-saga-2")
    }
    pools = {run_id: SAGA_POOL for run_id in sagas}
    hanging_jobs = (("inventory_snapshots_job", SYNC_POOL), ("billing_balance_job", BILLING_POOL))
    for job, pool in hanging_jobs:
        pools[api.launch(job, location=ASSETS)] = pool

    for run_id, pool in pools.items():
        wait_until(
            lambda run_id=run_id: _mid_step(instance, run_id),
            timeout=120,
            what=f"run {run_id} mid-step in pool {pool}",
            on_timeout=deployment.log_tails,
        )
    for saga_id in sagas:
        assert _step_running(deployment, saga_id, "wait_droplet_active")
    _no_slot_claimed(instance)  # the pools are full of runs, not of step claims
    phases["four runs mid-step"] = time.monotonic() - started

    # Runs needing a full pool wait QUEUED: a third saga, an inventory and a billing run, and an
    # operator's compensate_saga (no target tag: only the pool holds it back).
    queued = {
        api.launch(
            "provision_droplet",
            location=OPS,
            run_config=_saga_config("alive-saga", wait_timeout_seconds=60),
            tags={TARGET_TAG: "alive-saga"},
        ): SAGA_POOL,
        api.launch("inventory_snapshots_job", location=ASSETS): SYNC_POOL,
        api.launch("billing_balance_job", location=ASSETS): BILLING_POOL,
    }
    doomed = api.launch(
        "compensate_saga",
        location=OPS,
        run_config=compensate_run_config(next(iter(sagas))).to_config_dict(),
    )
    for run_id in (*queued, doomed):
        wait_until(
            lambda run_id=run_id: _blocked_by_pools(deployment, run_id),
            timeout=60,
            what=f"the run queue to hold run {run_id} for its pool",
            on_timeout=deployment.log_tails,
        )
    for run_id in (*queued, doomed):
        assert _status(instance, run_id) is dg.DagsterRunStatus.QUEUED
    for run_id in pools:
        assert _status(instance, run_id) is dg.DagsterRunStatus.STARTED

    # The UI's Terminate on the queued compensation: CANCELED at once, no worker ever started.
    asked = time.monotonic()
    assert api.terminate([doomed]) == ["TerminateRunSuccess"]  # policy SAFE_TERMINATE
    wait_until(
        lambda: _status(instance, doomed) is dg.DagsterRunStatus.CANCELED,
        timeout=CANCELED_WITHIN_SECONDS,
        interval=0.1,
        what=f"the queued run {doomed} to be CANCELED",
        on_timeout=deployment.log_tails,
    )
    cancel_seconds = time.monotonic() - asked
    assert _worker_pid(instance, doomed) is None
    assert _dequeued_at(instance, doomed) is None
    assert instance.all_logs(doomed, of_type=dg.DagsterEventType.RUN_START) == []
    phases["queued run cancelled"] = time.monotonic() - started

    for run_id in pools:
        pid = _worker_pid(instance, run_id)
        assert pid is not None, run_id
        os.kill(pid, signal.SIGKILL)
    deployment_sim_admin.set_config(droplet_active_lag=0.5, fault_rate=0.0)

    # Every killed run is marked FAILURE (by its code server), and that alone frees its pool:
    # each queued run is dequeued soon after the first dead run of its pool ended.
    def all_dequeued() -> bool:
        return all(_dequeued_at(instance, run_id) for run_id in queued)

    wait_until(
        all_dequeued,
        timeout=90,
        what="the queued runs to be dequeued",
        on_timeout=deployment.log_tails,
    )
    ended: dict[str, float] = {}
    for run_id in pools:
        record = instance.get_run_record_by_id(run_id)
        assert record is not None and record.end_time is not None, run_id
        assert record.dagster_run.status is dg.DagsterRunStatus.FAILURE
        ended[run_id] = record.end_time
    admitted_after = {}
    for run_id, pool in queued.items():
        first_end = min(end for dead, end in ended.items() if pools[dead] == pool)
        dequeued = _dequeued_at(instance, run_id)
        assert dequeued is not None
        admitted_after[pool] = dequeued - first_end
    assert max(admitted_after.values()) <= ADMITTED_WITHIN_SECONDS, admitted_after
    phases["queue admitted"] = time.monotonic() - started

    # saga_recovery_sensor (evaluated by the daemon) launches one compensation per saga.
    for saga_id, name in sagas.items():
        compensations = wait_until(
            lambda saga_id=saga_id: api.runs(
                job="compensate_saga", tags={"arcadia/saga_id": saga_id}
            ),
            timeout=90,
            what=f"the compensation of saga {saga_id}",
            on_timeout=deployment.log_tails,
        )
        assert len(compensations) == 1
        compensated = api.wait_for_run(compensations[0]["runId"], timeout=90)
        assert compensated is dg.DagsterRunStatus.SUCCESS
        assert _saga_status(deployment, saga_id) == "rolled_back"
        assert droplets_tagged(deployment_sim_admin, saga_tag(saga_id)) == []
        assert deployment_sim_admin.resources("droplet", name=name) == []
    phases["sagas rolled back"] = time.monotonic() - started

    # Nothing is wedged: the new saga, inventory and billing runs succeed.
    for run_id in queued:
        status = api.wait_for_run(run_id, timeout=120)
        assert status is dg.DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    assert _status(instance, doomed) is dg.DagsterRunStatus.CANCELED  # it never ran
    _no_slot_claimed(instance)
    phases["new runs succeeded"] = time.monotonic() - started
    admitted = {pool: round(s, 1) for pool, s in admitted_after.items()}
    print(
        f"\ndead runs: queued runs admitted {admitted} s after their pool's first dead run "
        f"ended; queued run CANCELED {cancel_seconds:.1f} s after Terminate; phases (s): {phases}"
    )

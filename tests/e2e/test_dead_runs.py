"""Run workers SIGKILLed mid-step on the production instance (issue 17): no pool stays wedged.

A real deployment (simulator, dagster-webserver, dagster-daemon on Postgres, the production
``dagster.yaml`` verbatim: pools on, op granularity, default 2 slots). Two ``provision_droplet``
sagas are killed while ``wait_droplet_active`` polls (both ``do_api_provisioning`` slots), an
``inventory_snapshots_job`` run and a ``billing_balance_job`` run while their DO call hangs (their
pools set to 1 slot): every slot of every pool is held by a run that dies. Then, with nothing
but the daemon and our sensor acting: every slot is freed, both compensations run and finish,
both sagas are ``rolled_back``, no droplet is left at DO, and a new saga, inventory run and
billing run each succeed.
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
from arcadia_cloud_ops.pools import PoolClaim, pool_claims
from arcadia_cloud_ops.recovery import held_pool_slots
from arcadia_cloud_ops.saga_jobs import SAGA_POOL, TARGET_TAG
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.steps.world import droplets_tagged
from tests.e2e.dagster_api import ASSETS, OPS, DagsterAPI
from tests.e2e.deployment import Deployment, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SYNC_POOL = "do_api_sync"
BILLING_POOL = "do_api_billing"
#: DO calls that hang (a `timeout` fault stalls this long) while the runs are killed.
HANGING_PATHS = "/v2/snapshots,/v2/customers/my/balance"
STARTED_PID = re.compile(r"Started process for run \(pid: (\d+)\)")
#: Issue 17's bound: an ended run's slots are free this soon after it was marked failed.
FREED_WITHIN_SECONDS = 30.0


@pytest.fixture(scope="module")
def api(deployment: Deployment) -> DagsterAPI:
    """The deployment's Dagster API."""
    return DagsterAPI(deployment)


@pytest.fixture(scope="module")
def instance(deployment: Deployment) -> Iterator[dg.DagsterInstance]:
    """The deployment's own Dagster instance (its dagster.yaml, its Postgres storage)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCADIA_DAGSTER_PG_URL", deployment.dagster_db_url)
        with dg.DagsterInstance.from_config(str(deployment.home)) as opened:
            yield opened


@pytest.fixture
def sim_admin(deployment: Deployment) -> Iterator[SimAdmin]:
    """Admin access to the deployment's simulator."""
    assert deployment.sim is not None
    with SimAdmin(deployment.sim) as admin:
        yield admin


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


def _mid_step(instance: dg.DagsterInstance, run_id: str, pool: str) -> bool:
    """The run's step holds its pool slot and has started (its DO call is in flight)."""
    if held_pool_slots(instance, run_id) != {pool: 1}:
        return False
    return bool(instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START))


def _saga_status(deployment: Deployment, saga_id: str) -> str | None:
    with deployment.app_engine().connect() as connection:
        return connection.execute(
            sa.select(saga_runs.c.status).where(saga_runs.c.saga_id == saga_id)
        ).scalar_one_or_none()


def _slots_of_ended_runs(instance: dg.DagsterInstance) -> list[PoolClaim]:
    """Every claimed slot or queued claim whose run has ended."""
    return [claim for claim in pool_claims(instance) if claim.run_ended]


def test_runs_killed_mid_step_release_their_pools_and_the_sagas_roll_back(
    deployment: Deployment, api: DagsterAPI, instance: dg.DagsterInstance, sim_admin: SimAdmin
) -> None:
    started = time.monotonic()
    phases: dict[str, float] = {}
    sim_admin.set_config(
        droplet_active_lag=600,  # the sagas poll wait_droplet_active until killed
        fault_rate=1.0,
        fault_kinds="timeout",
        fault_paths=HANGING_PATHS,
        slow_seconds=300,
    )
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
    # One run fills each of the other two pools (as `dagster instance concurrency set … 1` would
    # leave them): fewer run workers to start on a busy 2-core host, the same wedge.
    hanging_jobs = (("inventory_snapshots_job", SYNC_POOL), ("billing_balance_job", BILLING_POOL))
    for job, pool in hanging_jobs:
        instance.event_log_storage.set_concurrency_slots(pool, 1)
        pools[api.launch(job, location=ASSETS)] = pool

    for run_id, pool in pools.items():
        wait_until(
            lambda run_id=run_id, pool=pool: _mid_step(instance, run_id, pool),
            timeout=120,
            what=f"run {run_id} mid-step in pool {pool}",
            on_timeout=deployment.log_tails,
        )
    for saga_id in sagas:
        assert _step_running(deployment, saga_id, "wait_droplet_active")
    for pool, slots in ((SAGA_POOL, 2), (SYNC_POOL, 1), (BILLING_POOL, 1)):  # every pool is full
        info = instance.event_log_storage.get_concurrency_info(pool)
        assert (info.slot_count, len(info.claimed_slots)) == (slots, slots), info

    phases["four runs mid-step"] = time.monotonic() - started
    for run_id in pools:
        pid = _worker_pid(instance, run_id)
        assert pid is not None, run_id
        os.kill(pid, signal.SIGKILL)
    sim_admin.set_config(droplet_active_lag=0.5, fault_rate=0.0)

    # Every killed run is marked failed, and its slots are freed soon after.
    freed_after: dict[str, float] = {}
    deadline = time.monotonic() + 90
    while len(freed_after) < len(pools) and time.monotonic() < deadline:
        for run_id in pools:
            if run_id in freed_after:
                continue
            record = instance.get_run_record_by_id(run_id)
            assert record is not None
            if record.dagster_run.is_finished and not held_pool_slots(instance, run_id):
                assert record.end_time is not None
                freed_after[run_id] = time.time() - record.end_time
        time.sleep(0.5)
    assert set(freed_after) == set(pools), deployment.log_tails()
    for run_id in pools:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status is dg.DagsterRunStatus.FAILURE
    assert max(freed_after.values()) <= FREED_WITHIN_SECONDS, freed_after
    phases["slots freed"] = time.monotonic() - started
    # The freed pools take new work at once (checked below, while the compensations run).
    fresh = {
        api.launch(job, location=ASSETS): job
        for job in ("inventory_snapshots_job", "billing_balance_job")
    }

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
        assert droplets_tagged(sim_admin, saga_tag(saga_id)) == []
        assert sim_admin.resources("droplet", name=name) == []
    assert _slots_of_ended_runs(instance) == []
    phases["sagas rolled back"] = time.monotonic() - started

    # Nothing is wedged: a new saga succeeds, and so did the new inventory and billing runs.
    new_saga = api.launch(
        "provision_droplet",
        location=OPS,
        run_config=_saga_config("alive-saga", wait_timeout_seconds=60),
        tags={TARGET_TAG: "alive-saga"},
    )
    fresh[new_saga] = "provision_droplet"
    for run_id, job in fresh.items():
        status = api.wait_for_run(run_id, timeout=120)
        assert status is dg.DagsterRunStatus.SUCCESS, (job, api.step_failures(run_id))
    assert _slots_of_ended_runs(instance) == []
    phases["new runs succeeded"] = time.monotonic() - started
    freed = sorted(round(s, 1) for s in freed_after.values())
    print(f"\ndead runs: slots freed {freed} s after each run ended; phases (s): {phases}")

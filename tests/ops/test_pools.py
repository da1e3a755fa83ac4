"""arcadia_cloud_ops.pools: every claim is listed with its run's status; only ended runs' claims
are freed by hand, and a waiting claim then gets the slot."""

from __future__ import annotations

import uuid

import dagster as dg
import pytest

from arcadia_cloud_ops.pools import free_ended_runs, main, pool_claims
from arcadia_cloud_ops.saga_jobs import SAGA_POOL


def _run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="provision_droplet", run_id=run_id, status=status))
    return run_id


def test_the_claims_of_ended_runs_are_listed_and_freed(capsys: pytest.CaptureFixture[str]) -> None:
    with dg.instance_for_test() as instance:  # sets DAGSTER_HOME for main()
        storage = instance.event_log_storage
        storage.set_concurrency_slots(SAGA_POOL, 2)
        dead = _run(instance, dg.DagsterRunStatus.FAILURE)
        live = _run(instance, dg.DagsterRunStatus.STARTED)
        waiting = _run(instance, dg.DagsterRunStatus.STARTED)
        for run_id in (dead, live):
            assert storage.claim_concurrency_slot(SAGA_POOL, run_id, "step", 0).is_claimed
        assert not storage.claim_concurrency_slot(SAGA_POOL, waiting, "step", 0).is_claimed

        claims = {(c.run_id, c.claimed, c.run_status, c.run_ended) for c in pool_claims(instance)}
        assert claims == {
            (dead, True, "FAILURE", True),
            (live, True, "STARTED", False),
            (waiting, False, "STARTED", False),
        }

        assert main(["--free-ended"]) == 0
        printed = capsys.readouterr().out
        assert f"freed the pool slots of ended run {dead}" in printed
        assert f"{SAGA_POOL}: run {live} (STARTED) step holds a slot" in printed

        assert {c.run_id for c in pool_claims(instance)} == {live, waiting}
        assert storage.claim_concurrency_slot(SAGA_POOL, waiting, "step", 0).is_claimed
        assert free_ended_runs(instance) == []  # nothing else ended

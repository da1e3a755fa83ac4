"""Who holds the pool slots, and freeing those of ended runs by hand (the README's operations).

``dagster instance concurrency get --all`` prints only "N / M slots occupied"; this lists each
claim with its run's status, and frees the claims of runs that have ended (what the monitoring
daemon does with ``run_monitoring.free_slots_after_run_end_seconds``)::

    DAGSTER_HOME=... python -m arcadia_cloud_ops.pools              # list every claim
    DAGSTER_HOME=... python -m arcadia_cloud_ops.pools --free-ended # free those of ended runs
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class PoolClaim:
    """One run's step in a pool: holding a slot (``claimed``) or queued for one."""

    pool: str
    run_id: str
    step_key: str
    claimed: bool
    run_status: str  # the Dagster run status, or "UNKNOWN" when the run was deleted

    @property
    def run_ended(self) -> bool:
        """The run is over (or gone): nothing will ever release this claim but a free."""
        return self.run_status not in _ACTIVE


_ACTIVE = {
    status.value
    for status in dg.DagsterRunStatus
    if status
    not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
}


def pool_claims(instance: dg.DagsterInstance) -> list[PoolClaim]:
    """Every claimed slot and queued claim of every pool, with its run's status."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    claims: list[PoolClaim] = []
    statuses: dict[str, str] = {}
    for pool in sorted(storage.get_concurrency_keys()):
        info = storage.get_concurrency_info(pool)
        for step in info.pending_steps:  # a claimed slot is an assigned pending step
            if step.run_id not in statuses:
                run = instance.get_run_by_id(step.run_id)
                statuses[step.run_id] = run.status.value if run is not None else "UNKNOWN"
            claims.append(
                PoolClaim(
                    pool=pool,
                    run_id=step.run_id,
                    step_key=step.step_key,
                    claimed=step.assigned_timestamp is not None,
                    run_status=statuses[step.run_id],
                )
            )
    return claims


def free_ended_runs(instance: dg.DagsterInstance) -> list[str]:
    """Free every slot and queued claim of runs that ended; returns their run ids."""
    ended = sorted({claim.run_id for claim in pool_claims(instance) if claim.run_ended})
    for run_id in ended:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return ended


def main(argv: list[str] | None = None) -> int:
    """List the pools' claims; with ``--free-ended``, free those of ended runs first."""
    parser = argparse.ArgumentParser(prog="python -m arcadia_cloud_ops.pools", description=__doc__)
    parser.add_argument("--free-ended", action="store_true", help="free the claims of ended runs")
    args = parser.parse_args(argv)
    with dg.DagsterInstance.get() as instance:
        if args.free_ended:
            for run_id in free_ended_runs(instance):
                print(f"freed the pool slots of ended run {run_id}")
        claims = pool_claims(instance)
        if not claims:
            print("no pool slot is claimed or waited for")
        for claim in claims:
            state = "holds a slot" if claim.claimed else "waits"
            print(f"{claim.pool}: run {claim.run_id} ({claim.run_status}) {claim.step_key} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

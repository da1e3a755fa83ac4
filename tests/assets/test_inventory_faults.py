"""Inventory under a fault storm, and concurrent syncs of one kind, against the real simulator."""

from __future__ import annotations

import threading
from collections import Counter

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.inventory.assets import ASSETS
from arcadia_cloud_core.db.schema import cloud_resource_events, cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory.attribution_account import ACCOUNT_KINDS
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_core.inventory.sync import sync_kind
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.assets.conftest import TOKEN, resources_for

#: simulator kind name → our kind, for the kinds a plain listing mirrors.
SIM_KINDS = {
    "droplet": "droplet",
    "domain": "dns_zone",
    "volume": "volume",
    "snapshot": "snapshot",
    "firewall": "firewall",
    "load_balancer": "load_balancer",
    # the account-level kinds (#13), stored under our kind names (repositories: see below)
    **{kind: kind for kind in ACCOUNT_KINDS if kind != "container_repository"},
    # the platform kinds (#13); replicas and pools are stored by `<cluster>/<name>` too
    "app": "app",
    "app_alert": "app_alert",
    "database": "managed_db",
    "database_replica": "db_replica",
    "database_pool": "db_pool",
    "kubernetes_cluster": "k8s_cluster",
    "vpc": "vpc",
    "vpc_peering": "vpc_peering",
    "vpc_nat_gateway": "nat_gateway",
}
STORM_KINDS = ["429", "500", "502", "503", "timeout", "drop"]


def truth(admin: SimAdmin) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for sim_kind, kind in SIM_KINDS.items():
        rows = admin.resources(sim_kind)
        ids[kind] = {str(row.get("name") if kind == "dns_zone" else row["id"]) for row in rows}
    ids["container_repository"] = {  # stored as <registry>:<name>, listed as <registry>/<name>
        row["body"]["registry_name"] + "/" + row["body"]["name"]
        for row in admin.resources("container_repository")
    }
    return ids


def stored(engine: Engine) -> tuple[dict[str, set[str]], int, int]:
    r = cloud_resources
    with engine.connect() as connection:
        live: dict[str, set[str]] = {}
        for kind, pid in connection.execute(
            sa.select(r.c.kind, r.c.provider_id).where(r.c.deleted_at.is_(None))
        ):
            live.setdefault(kind, set()).add(pid)
        deleted = connection.execute(
            sa.select(sa.func.count()).where(r.c.deleted_at.is_not(None))
        ).scalar_one()
        dupes = connection.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(r.c.kind, r.c.provider_id)
                .group_by(r.c.kind, r.c.provider_id)
                .having(sa.func.count() > 1)
                .subquery()
            )
        ).scalar_one()
    return live, deleted, dupes


def test_fault_storm_converges_to_the_simulator_truth(
    sqlite_engine: Engine, sim: SimulatorHandle, sim_admin: SimAdmin
) -> None:
    engine = sqlite_engine
    expected = truth(sim_admin)
    sim_admin.reset_stats()
    sim_admin.set_config(fault_rate=0.2, fault_kinds=STORM_KINDS, slow_seconds=2.0)
    resources = resources_for(engine, sim, timeout_seconds=1.0, max_attempts=8)
    for run in range(3):
        result = dg.materialize(ASSETS, resources=resources, raise_on_error=False)
        assert result.success, f"run {run} failed under the storm"
        live, deleted, dupes = stored(engine)
        assert deleted == 0, "a resource was marked deleted while it exists"
        assert dupes == 0
        for kind, ids in expected.items():
            assert live.get(kind, set()) == ids, kind
    stats = sim_admin.stats()
    faults = stats.get("faults", stats.get("faults_injected"))
    print(
        f"fault storm: 3 full syncs converged; simulator stats: {stats.get('total')} requests, "
        f"faults injected: {faults}"
    )
    assert faults, "the storm injected no faults"


def test_two_concurrent_syncs_of_one_kind(sqlite_engine: Engine, sim: SimulatorHandle) -> None:
    engine = sqlite_engine
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with DOClient(token=TOKEN, base_url=sim.base_url) as do:
                sync_kind(engine, do, KIND_SPECS["snapshots"])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        events = Counter(
            connection.execute(
                sa.select(cloud_resource_events.c.type)
                .join(cloud_resources)
                .where(cloud_resources.c.kind == "snapshot")
            ).scalars()
        )
        rows = connection.execute(
            sa.select(sa.func.count()).where(cloud_resources.c.kind == "snapshot")
        ).scalar_one()
    assert rows == 12
    assert events == Counter({"discovered": 12})

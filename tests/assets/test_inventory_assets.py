"""Inventory assets end to end: the simulator's default account into a real database."""

from __future__ import annotations

from collections import Counter

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.inventory.assets import ASSETS
from arcadia_cloud_assets.inventory.checks import CHECKS
from arcadia_cloud_core.db.schema import cloud_projects, cloud_resource_events, cloud_resources
from arcadia_cloud_core.inventory.kinds import CATALOGUE_KINDS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.assets.conftest import TOKEN, resources_for

EXPECTED = {
    "droplet": 8,  # 5 + the DOKS cluster's 3 nodes
    "dns_zone": 7,
    "volume": 3,
    "snapshot": 12,
    "reserved_ip": 2,
    "firewall": 1,
    "load_balancer": 1,
    "droplet_backup": 4,
    "spaces_bucket": 6,
    "managed_db": 2,
    "k8s_cluster": 1,
    # the account-level kinds (#13)
    **{"certificate": 3, "cdn_endpoint": 2, "container_registry": 1, "container_repository": 4},
    **{"ssh_key": 4, "tag": 8, "custom_image": 3, "alert_policy": 3, "uptime_check": 3},
    **{"functions_namespace": 2, "reserved_ipv6": 3, "autoscale_pool": 2},
    # the platform kinds (#13)
    "app": 2,
    "app_alert": 4,
    "db_replica": 1,
    "db_pool": 1,
    "k8s_node_pool": 2,
    "vpc": 5,
    "vpc_peering": 1,
    "nat_gateway": 1,
    "region": 10,
    "size": 10,
}


def materialize(engine: Engine, sim: SimulatorHandle, **kw) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*ASSETS, *CHECKS], resources=resources_for(engine, sim), raise_on_error=False, **kw
    )


def live_counts(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(cloud_resources.c.kind, sa.func.count())
            .where(cloud_resources.c.deleted_at.is_(None))
            .group_by(cloud_resources.c.kind)
        )
        return Counter(dict(rows.all()))


def asset_metadata(result: dg.ExecuteInProcessResult, name: str) -> dict[str, object]:
    [event] = result.asset_materializations_for_node(f"inventory__{name}")
    return {k: v.value for k, v in event.metadata.items()}


def test_full_sync_mirrors_the_account_with_tenants(engine: Engine, sim: SimulatorHandle) -> None:
    result = materialize(engine, sim)
    assert result.success
    assert live_counts(engine) == Counter(EXPECTED)

    with engine.connect() as connection:
        tenants = dict(
            connection.execute(
                sa.select(cloud_resources.c.name, cloud_resources.c.tenant_id).where(
                    cloud_resources.c.kind.not_in(sorted(CATALOGUE_KINDS))
                )
            ).all()
        )
        projects = {
            row.name: row.tenant_id for row in connection.execute(sa.select(cloud_projects))
        }
    assert tenants["acme-web-1"] == "acme"
    assert tenants["globex-etl-1"] == "globex"
    assert tenants["platform-ci-1"] == "platform"
    assert tenants["acme-assets"] == "acme"  # a Spaces bucket known only by its URN
    assert projects["arcadia-internal"] == "internal"
    assert {"Acme Storefront", "Globex Analytics", "Platform"} <= set(projects)
    assert None not in tenants.values()  # backups and firewalls inherit from their droplets

    droplets = asset_metadata(result, "droplets")
    assert (droplets["discovered"], droplets["requests"]) == (8, 1)
    preview = droplets["preview"]
    assert {record.data["name"] for record in preview.records} >= {"acme-web-1"}
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "no_duplicate_resources": True,
        "resources_attributed": True,
        "resources_fresh": True,
    }
    summary = asset_metadata(result, "summary")
    assert summary["live_resources"] == sum(EXPECTED.values())

    # A second run with nothing changed writes no row and no event.
    with engine.connect() as connection:
        events_before = connection.execute(
            sa.select(sa.func.count()).select_from(cloud_resource_events)
        ).scalar_one()
    again = materialize(engine, sim)
    assert again.success
    for name in ("droplets", "domains", "volumes", "snapshots", "droplet_backups"):
        assert asset_metadata(again, name)["rows_written"] == 0, name
    assert asset_metadata(again, "project_resources")["rows_written"] == 0
    with engine.connect() as connection:
        events_after = connection.execute(
            sa.select(sa.func.count()).select_from(cloud_resource_events)
        ).scalar_one()
    assert events_after == events_before


def _droplet_state(engine: Engine, name: str) -> tuple[int, object]:
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(cloud_resources.c.stale_strike_count, cloud_resources.c.deleted_at).where(
                cloud_resources.c.name == name, cloud_resources.c.kind == "droplet"
            )
        ).one()
    return row.stale_strike_count, row.deleted_at


def test_deleted_after_exactly_three_syncs_and_restored(
    sqlite_engine: Engine, sim: SimulatorHandle, sim_admin: SimAdmin
) -> None:
    engine = sqlite_engine
    droplets = [a for a in ASSETS if a.key == dg.AssetKey(["inventory", "droplets"])]
    sync = lambda: dg.materialize(droplets, resources=resources_for(engine, sim))  # noqa: E731
    assert sync().success
    [victim] = sim_admin.resources("droplet", name="acme-web-2")
    sim_admin.delete_resource("droplet", victim["id"])
    try:
        for strike in (1, 2):
            assert sync().success
            assert _droplet_state(engine, "acme-web-2") == (strike, None)
        assert sync().success
        strikes, deleted_at = _droplet_state(engine, "acme-web-2")
        assert strikes == 3 and deleted_at is not None
    finally:
        sim_admin.restore_resource("droplet", victim["id"])
    result = sync()
    assert result.success
    assert asset_metadata(result, "droplets")["restored"] == 1
    assert _droplet_state(engine, "acme-web-2") == (0, None)
    with engine.connect() as connection:
        types = connection.execute(
            sa.select(cloud_resource_events.c.type)
            .join(cloud_resources)
            .where(cloud_resources.c.name == "acme-web-2")
            .order_by(cloud_resource_events.c.id)
        ).scalars()
        assert list(types) == ["discovered", "deleted", "restored"]


def test_a_listing_that_finally_fails_fails_the_run_and_strikes_nothing(
    sqlite_engine: Engine, sim: SimulatorHandle, sim_admin: SimAdmin
) -> None:
    engine = sqlite_engine
    droplets = [a for a in ASSETS if a.key == dg.AssetKey(["inventory", "droplets"])]
    resources = resources_for(engine, sim, max_attempts=2)
    assert dg.materialize(droplets, resources=resources).success
    with engine.begin() as connection:  # one strike already on record
        connection.execute(sa.update(cloud_resources).values(stale_strike_count=1))
    sim_admin.set_config(fault_rate=1.0, fault_kinds=["503"], fault_paths=["/v2/droplets"])
    result = dg.materialize(droplets, resources=resources, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.error.to_string()  # the DOError is the step's cause
    assert "503" in error and "/v2/droplets" in error
    assert TOKEN not in error
    with engine.connect() as connection:
        strikes = connection.execute(sa.select(cloud_resources.c.stale_strike_count)).scalars()
        assert set(strikes) == {1}


@pytest.mark.parametrize("bad", ["DO_API_TOKEN"])
def test_token_never_reaches_metadata_or_logs(
    sqlite_engine: Engine, sim: SimulatorHandle, bad: str
) -> None:
    result = materialize(sqlite_engine, sim)
    assert result.success
    for event in result.all_events:
        assert TOKEN not in str(event), event.event_type_value

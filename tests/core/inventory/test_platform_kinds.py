"""The platform kinds (apps, databases, Kubernetes, VPCs, catalogues) end to end: DO's own spec
examples through the models and normalisers, then the simulator through the sync into SQLite
and Postgres: list prices, attribution (DOKS nodes included), three strikes, placeholders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.digitalocean.models.apps import App
from arcadia_cloud_core.digitalocean.models.catalog import Size
from arcadia_cloud_core.digitalocean.models.databases import DatabaseCluster
from arcadia_cloud_core.digitalocean.models.kubernetes import KubernetesCluster
from arcadia_cloud_core.digitalocean.models.vpcs import NATGateway, VPCPeering
from arcadia_cloud_core.inventory import normalize_platform as platform
from arcadia_cloud_core.inventory import pricing, sync, upsert_resources
from arcadia_cloud_core.inventory.attribution import placeholder
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_core.inventory.platform_listings import PricedNodePool
from arcadia_cloud_core.inventory.urns import parse_urn
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.core.saga.steps.world import TOKEN, client
from tests.sim.openapi import load_spec

PLATFORM = (
    "apps",
    "app_alerts",
    "databases",
    "database_replicas",
    "database_pools",
    "kubernetes_clusters",
    "kubernetes_node_pools",
    "vpcs",
    "vpc_peerings",
    "nat_gateways",
    "regions",
    "sizes",
)
T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def spec_items(path: str, key: str) -> list[dict[str, Any]]:
    """The items of the first example DO's spec gives for ``GET path``."""
    content = load_spec()["paths"][path]["get"]["responses"]["200"]["content"]
    body = content["application/json"]
    if "example" in body:
        return list(body["example"][key])
    if "examples" in body:
        return list(next(iter(body["examples"].values()))["value"][key])
    # no example: one item made of the item schema's per-field examples
    schema = next(part for part in body["schema"]["allOf"] if key in part.get("properties", {}))
    fields = schema["properties"][key]["items"]["properties"]
    return [{name: field.get("example") for name, field in fields.items()}]


# -- DO's spec examples → models → normalised rows ------------------------------------------
def test_the_spec_app_example_normalises_with_its_tier_url_and_deployment() -> None:
    raw = spec_items("/v2/apps", "apps")[0]
    row = platform.app(App.from_payload(raw))
    assert (row.kind, row.provider_id, row.name) == ("app", raw["id"], raw["spec"]["name"])
    assert (row.region, row.status) == ("fra", "active")
    assert row.attrs["tier_slug"] == "basic"
    assert row.attrs["live_url"] == raw["live_url"]
    assert row.attrs["active_deployment_id"] == raw["active_deployment"]["id"]
    assert row.attrs["components"][0]["instance_size_slug"] == "apps-s-1vcpu-0.5gb"


def test_the_spec_database_example_keeps_no_credential_and_is_priced_per_node() -> None:
    raw = spec_items("/v2/databases", "databases")[0]
    row = platform.managed_db(DatabaseCluster.from_payload(raw))
    text = json.dumps(row.attrs)
    assert raw["connection"]["password"] not in text and "password" not in text
    assert row.attrs["host"] == f"{raw['connection']['host']}:25060"
    assert (row.attrs["engine"], row.attrs["size"], row.attrs["num_nodes"]) == (
        "pg",
        "db-s-2vcpu-4gb",
        1,
    )
    assert row.attrs["price_monthly_cents"] == 6000
    assert Decimal(row.attrs["price_hourly"]) == Decimal("0.08929")


def test_the_spec_cluster_example_yields_pools_with_their_node_droplets() -> None:
    raw = spec_items("/v2/kubernetes/clusters", "kubernetes_clusters")[0]
    cluster = KubernetesCluster.from_payload(raw)
    sizes = {s["slug"]: Size.from_payload(s) for s in spec_items("/v2/sizes", "sizes")}
    row = platform.k8s_cluster(cluster)
    assert (row.status, row.attrs["node_count"]) == ("provisioning", 5)
    frontend = cluster.node_pools[0]
    price = pricing.of_size(sizes[frontend.size]) if frontend.size in sizes else None
    pool = platform.k8s_node_pool(PricedNodePool(frontend, price))
    assert pool.attrs["droplet_ids"] == ["205545370", "205545371", "205545372"]
    assert (pool.attrs["count"], pool.attrs["auto_scale"]) == (3, False)
    if price is not None:  # the spec's size example lists s-1vcpu-1gb only
        assert pool.attrs["price_monthly_cents"] == 3 * price.monthly_cents
    backend = platform.k8s_node_pool(PricedNodePool(cluster.node_pools[1], None))
    assert (backend.attrs["min_nodes"], backend.attrs["max_nodes"]) == (2, 5)
    assert backend.attrs["price_monthly_cents"] is None


def test_the_spec_size_example_prices_exactly() -> None:
    raw = spec_items("/v2/sizes", "sizes")[0]
    row = platform.size(Size.from_payload(raw))
    assert row.attrs["price_monthly_cents"] == round(raw["price_monthly"] * 100)
    assert Decimal(row.attrs["price_hourly"]) == Decimal(str(raw["price_hourly"]))
    assert isinstance(row.attrs["price_monthly_cents"], int)


def test_peerings_and_nat_gateways_from_made_payloads() -> None:
    peering = platform.vpc_peering(
        VPCPeering.from_payload(
            {"id": "p1", "name": "a-b", "status": "ACTIVE", "vpc_ids": ["v2", "v1"]}
        )
    )
    assert (peering.status, peering.attrs["vpc_ids"]) == ("active", ["v1", "v2"])
    nat = platform.nat_gateway(
        NATGateway.from_payload(
            {
                "id": "n1",
                "name": "egress",
                "state": "ACTIVE",
                "region": "ams3",
                "type": "PUBLIC",
                "vpcs": [{"vpc_uuid": "v1", "gateway_ip": "10.0.0.2"}],
                "egresses": {"public_gateways": [{"ipv4": "192.0.2.5"}]},
            }
        )
    )
    assert (nat.attrs["vpc_ids"], nat.attrs["egress_ipv4"]) == (["v1"], ["192.0.2.5"])


def test_volume_and_database_list_prices_are_integer_cents() -> None:
    assert pricing.volume(100) == pricing.ListPrice(1000, Decimal("0.01488"), "published")
    assert pricing.database("db-s-1vcpu-1gb", 3).monthly_cents == 4500
    assert pricing.database("db-unknown") is None


# -- the simulator → the sync → a real database -----------------------------------------------
@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with client(sim, purpose="sync", max_attempts=1) as do_client:
        yield do_client


def _sync_all(engine: Engine, do: DOClient, now: datetime | None = None) -> None:
    sync.sync_projects_from_do(engine, do, now=now)
    for spec in KIND_SPECS.values():
        sync.sync_kind(engine, do, spec, now=now)
    sync.sync_project_resources(engine, do, now=now)


def _rows(engine: Engine, kind: str) -> dict[str, Any]:
    r = resources_t
    query = sa.select(r).where(r.c.kind == kind)
    with engine.connect() as connection:
        return {row.name: row for row in connection.execute(query)}


def test_a_full_sync_prices_and_attributes_every_platform_kind(
    engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    admin.reset()
    _sync_all(engine, do)

    for name in PLATFORM:
        assert _rows(engine, KIND_SPECS[name].kind), name
    droplets = _rows(engine, "droplet")
    assert droplets["acme-web-1"].attrs["price_monthly_cents"] == 1200
    assert Decimal(droplets["acme-web-1"].attrs["price_hourly"]) == Decimal("0.01786")
    assert _rows(engine, "volume")["acme-db-data"].attrs["price_monthly_cents"] == 1000
    assert _rows(engine, "managed_db")["globex-pg"].attrs["price_monthly_cents"] == 1500
    pool = _rows(engine, "k8s_node_pool")["platform-doks/workers"]
    assert (pool.attrs["count"], pool.attrs["auto_scale"], pool.attrs["price_monthly_cents"]) == (
        2,
        True,
        2 * 2400,
    )

    # DOKS nodes are droplets in no project: they take the cluster's project and tenant
    cluster = _rows(engine, "k8s_cluster")["platform-doks"]
    nodes = [droplets[n] for n in ("workers-x7k2p", "workers-m3q9d", "batch-x7k2p")]
    assert sorted(pool.attrs["droplet_ids"]) == sorted(
        n.provider_id for n in nodes if n.name.startswith("workers")
    )
    assert cluster.tenant_id == "platform"
    assert {(n.tenant_id, n.cloud_project_id) for n in nodes} == {
        ("platform", cluster.cloud_project_id)
    }
    owners = {
        kind: {name: row.tenant_id for name, row in _rows(engine, kind).items()}
        for kind in (
            "app",
            "db_replica",
            "db_pool",
            "nat_gateway",
            "vpc_peering",
            "vpc",
            "k8s_node_pool",
        )
    }
    assert owners["app"] == {"acme-storefront": "acme", "platform-status": "platform"}
    with engine.connect() as connection:  # alerts are named by their rule: two per app
        alert_tenants = (
            connection.execute(
                sa.select(resources_t.c.tenant_id).where(resources_t.c.kind == "app_alert")
            )
            .scalars()
            .all()
        )
    assert sorted(alert_tenants) == ["acme", "acme", "platform", "platform"]
    assert owners["db_replica"] == {"globex-pg-replica": "globex"}
    assert owners["db_pool"] == {"etl-pool": "globex"}
    assert owners["nat_gateway"] == {"globex-egress": "globex"}
    assert owners["vpc_peering"] == {"globex-data-to-ml": "globex"}  # both VPCs are Globex's
    assert owners["vpc"]["globex-data"] == "globex"
    assert set(owners["k8s_node_pool"].values()) == {"platform"}
    members = _rows(engine, "vpc")["default-ams3"].attrs["members"]
    assert f"do:kubernetes:{cluster.provider_id}" in members
    assert f"do:droplet:{nodes[0].provider_id}" in members

    # a re-sync with no change writes nothing
    for name in PLATFORM:
        again = sync.sync_kind(engine, do, KIND_SPECS[name])
        assert again.result.rows_written == 0, name


def test_gone_platform_resources_are_deleted_on_the_third_strike(
    engine: Engine, do: DOClient, admin: SimAdmin, sim: SimulatorHandle
) -> None:
    admin.reset()
    _sync_all(engine, do, now=T0)
    app = _rows(engine, "app")["acme-storefront"]
    cluster = _rows(engine, "k8s_cluster")["platform-doks"]
    with httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        assert http.delete(f"/v2/apps/{app.provider_id}").status_code == 200
        assert http.delete(f"/v2/kubernetes/clusters/{cluster.provider_id}").status_code == 204

    names = ("apps", "app_alerts", "kubernetes_clusters", "kubernetes_node_pools", "droplets")
    for strike in range(1, 4):
        now = T0 + timedelta(minutes=15 * strike)
        results = {n: sync.sync_kind(engine, do, KIND_SPECS[n], now=now).result for n in names}
        deleted = strike == 3
        assert results["apps"].deleted == (1 if deleted else 0)
        assert results["app_alerts"].deleted == (2 if deleted else 0)
        assert results["kubernetes_node_pools"].deleted == (2 if deleted else 0)
        assert results["droplets"].deleted == (3 if deleted else 0)  # the cluster's nodes

    assert _rows(engine, "app")["acme-storefront"].deleted_at is not None
    assert _rows(engine, "app")["platform-status"].deleted_at is None
    assert _rows(engine, "k8s_cluster")["platform-doks"].deleted_at is not None
    assert _rows(engine, "droplet")["acme-web-1"].deleted_at is None
    with engine.connect() as connection:
        types = (
            connection.execute(sa.select(events_t.c.type).where(events_t.c.resource_id == app.id))
            .scalars()
            .all()
        )
    assert types.count("deleted") == 1


def test_a_placeholder_row_converges_into_the_real_row(
    engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    admin.reset()
    real = next(iter(do.list_databases()))
    before = placeholder(parse_urn(f"do:dbaas:{real.id}"))  # what attribution wrote so far
    upsert_resources(engine, kind="managed_db", resources=[before], complete=False, now=T0)
    old = _rows(engine, "managed_db")[real.id]

    for strike in range(1, 4):
        sync.sync_kind(engine, do, KIND_SPECS["databases"], now=T0 + timedelta(hours=strike))

    rows = _rows(engine, "managed_db")
    assert real.id not in rows  # renamed to its real name, same row
    row = rows[real.name]
    assert (row.id, row.deleted_at, row.attrs["engine"]) == (old.id, None, real.engine)
    assert "discovered_via" not in row.attrs
    with engine.connect() as connection:
        types = (
            connection.execute(sa.select(events_t.c.type).where(events_t.c.resource_id == row.id))
            .scalars()
            .all()
        )
    assert "deleted" not in types and "updated" in types


def test_a_malformed_item_is_skipped_by_field_and_never_struck(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    admin.reset()
    [pg] = admin.resources("database", name="globex-pg")
    [doks] = admin.resources("kubernetes_cluster")
    sync.sync_kind(sqlite_engine, do, KIND_SPECS["databases"], now=T0)
    broken = {k: v for k, v in pg["body"].items() if k != "engine"}
    admin.put_resource("database", pg["id"], broken, name=pg["name"])
    pools = [dict(p) for p in doks["body"]["node_pools"]]
    del pools[1]["size"]
    admin.put_resource(
        "kubernetes_cluster", doks["id"], dict(doks["body"], node_pools=pools), name=doks["name"]
    )

    for strike in range(1, 4):
        report = sync.sync_kind(
            sqlite_engine, do, KIND_SPECS["databases"], now=T0 + timedelta(hours=strike)
        )
        assert [(s.provider_id, s.field) for s in report.skipped] == [(pg["id"], "engine")]
        assert report.result.deleted == 0
    rows = _rows(sqlite_engine, "managed_db")
    assert rows["globex-pg"].deleted_at is None  # skipped, not struck
    assert rows["acme-sessions"].deleted_at is None
    clusters = sync.sync_kind(sqlite_engine, do, KIND_SPECS["kubernetes_clusters"])
    assert [(s.provider_id, s.field) for s in clusters.skipped] == [
        (doks["id"], "node_pools[1].size")
    ]


def test_a_peering_across_two_projects_belongs_to_neither(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    admin.reset()
    vpcs = {v["name"]: v["id"] for v in admin.resources("vpc")}
    [peering] = admin.resources("vpc_peering")
    admin.put_resource(
        "vpc_peering",
        peering["id"],
        dict(peering["body"], vpc_ids=[vpcs["globex-data"], vpcs["acme-private"]]),
        name=peering["name"],
    )
    _sync_all(sqlite_engine, do)
    assert _rows(sqlite_engine, "vpc_peering")["globex-data-to-ml"].tenant_id is None
    assert _rows(sqlite_engine, "nat_gateway")["globex-egress"].tenant_id == "globex"

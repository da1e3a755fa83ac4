"""The account-level kinds synced from the real simulator into a real database: every kind
lands, attribution gives each its tenant and a resource gone at DO is deleted after three
complete listings miss it (two strikes first), on SQLite and Postgres; a state change is an
`updated` event and a malformed item is skipped by name while the rest land (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.attribution_account import ACCOUNT_KINDS
from arcadia_cloud_core.inventory.kinds import KIND_SPECS, KINDS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.core.saga.steps.world import client

SPECS = [spec for spec in KINDS if spec.kind in ACCOUNT_KINDS]
#: (kind, name) → tenant in the default scenario, and why.
TENANTS = {
    ("certificate", "acme-store-cdn"): "acme",  # used by the acme CDN endpoint
    ("certificate", "acme-store-le"): "acme",  # names acme-store.com
    ("certificate", "globex-io-le"): "globex",  # names globex.io
    ("cdn_endpoint", "assets.acme-store.com"): "acme",  # bucket acme-assets
    ("cdn_endpoint", "platform-artifacts.ams3.cdn.digitaloceanspaces.com"): "platform",
    ("tag", "web"): "acme",  # only acme droplets carry it
    ("tag", "globex"): "globex",
    ("custom_image", "globex-etl-runtime"): "globex",  # by its tags
    ("alert_policy", "acme web CPU above 80%"): "acme",  # its droplets
    ("alert_policy", "globex memory above 90%"): "globex",  # its tag
    ("uptime_check", "acme storefront"): "acme",  # zone acme-store.com
    ("uptime_check", "platform ci ping"): "platform",  # the droplet's address
    ("reserved_ipv6", None): "acme",  # the first one is on acme-web-1
    ("autoscale_pool", "globex-etl-workers"): "globex",  # its template's project
    ("ssh_key", "ops-laptop"): "platform",  # account-level: the default project
    ("container_registry", "arcadia"): "platform",
    ("functions_namespace", "acme-webhooks"): "platform",
}


@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with client(sim, purpose="sync", max_attempts=1) as do_client:
        yield do_client


def _rows(engine: Engine, kind: str) -> dict[str, Any]:
    r = resources_t
    with engine.connect() as connection:
        return {
            row.provider_id: row for row in connection.execute(sa.select(r).where(r.c.kind == kind))
        }


def _sync_all(engine: Engine, do: DOClient) -> None:
    sync.sync_projects_from_do(engine, do)
    for spec in KIND_SPECS.values():
        sync.sync_kind(engine, do, spec)
    sync.sync_project_resources(engine, do)


def test_every_account_kind_lands_attributed(engine: Engine, do: DOClient) -> None:
    _sync_all(engine, do)
    for spec in SPECS:
        rows = _rows(engine, spec.kind)
        assert rows, spec.kind
        assert all(row.tenant_id for row in rows.values()), spec.kind
    for (kind, name), tenant in TENANTS.items():
        rows = _rows(engine, kind).values()
        row = next(r for r in rows if name is None or r.name == name)
        assert row.tenant_id == tenant, (kind, name)
    again, _, _ = sync.sync_project_resources(engine, do)
    assert (again.attributed, again.rows_written) == (0, 0)


def test_a_resource_gone_at_do_is_deleted_after_three_strikes(
    engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    """One resource of every kind deleted behind the client's back (the registry too, which
    takes its repositories with it at DO: those are struck as well)."""
    for spec in SPECS:
        sync.sync_kind(engine, do, spec)
    victims = {spec.kind: sorted(_rows(engine, spec.kind))[-1] for spec in SPECS}
    at_sim = {kind: pid.replace("/", ":") for kind, pid in victims.items()}  # see `registry`
    for kind, pid in at_sim.items():
        admin.delete_resource(kind, pid)
    try:
        strikes: dict[str, list[tuple[int, bool]]] = {kind: [] for kind in victims}
        for _ in range(3):
            for spec in SPECS:
                assert sync.sync_kind(engine, do, spec).result.complete
                row = _rows(engine, spec.kind)[victims[spec.kind]]
                strikes[spec.kind].append((row.stale_strike_count, row.deleted_at is not None))
        live = {
            spec.kind: {
                pid for pid, row in _rows(engine, spec.kind).items() if row.deleted_at is None
            }
            for spec in SPECS
        }
    finally:
        for kind, pid in at_sim.items():
            admin.restore_resource(kind, pid)
    for kind, seen in strikes.items():
        assert seen[:2] == [(1, False), (2, False)] and seen[2][1], (kind, seen)
        assert victims[kind] not in live[kind]
    assert not live["container_registry"] and not live["container_repository"]
    assert all(
        live[k] for k in ACCOUNT_KINDS if k not in ("container_registry", "container_repository")
    )
    with engine.connect() as connection:
        deleted = set(
            connection.execute(
                sa.select(resources_t.c.kind).join(events_t).where(events_t.c.type == "deleted")
            ).scalars()
        )
    assert deleted == set(ACCOUNT_KINDS)


def test_an_uptime_check_going_down_is_an_update(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    spec = KIND_SPECS["uptime_checks"]
    sync.sync_kind(sqlite_engine, do, spec)
    state = admin.resources("uptime_check_state")[0]
    up = state["body"]
    down = {**up, "regions": {r: {**v, "status": "DOWN"} for r, v in up["regions"].items()}}
    admin.put_resource("uptime_check_state", state["id"], down, parent=state["parent"])
    try:
        report = sync.sync_kind(sqlite_engine, do, spec)
    finally:
        admin.put_resource("uptime_check_state", state["id"], up, parent=state["parent"])
    row = _rows(sqlite_engine, "uptime_check")[state["id"]]
    checks = len(_rows(sqlite_engine, spec.kind))
    assert report.result.updated == 1 and report.requests == 1 + checks
    assert row.status == "DOWN" and set(row.attrs["region_status"].values()) == {"DOWN"}


def test_a_malformed_item_is_skipped_by_id_and_field_and_the_rest_land(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    spec = KIND_SPECS["autoscale_pools"]
    sync.sync_kind(sqlite_engine, do, spec)
    pool = admin.resources("autoscale_pool")[0]
    broken = {k: v for k, v in pool["body"].items() if k != "active_resources_count"}
    admin.put_resource("autoscale_pool", pool["id"], broken, name=pool["name"])
    try:
        reports = [sync.sync_kind(sqlite_engine, do, spec) for _ in range(3)]
    finally:
        admin.put_resource("autoscale_pool", pool["id"], pool["body"], name=pool["name"])
    skip = reports[0].skipped[0]
    assert (skip.provider_id, skip.field) == (pool["id"], "active_resources_count")
    row = _rows(sqlite_engine, "autoscale_pool")[pool["id"]]
    assert row.deleted_at is None and row.stale_strike_count == 0  # skipped, never struck
    assert all(r.result.unchanged == len(admin.resources("autoscale_pool")) - 1 for r in reports)


def test_a_tag_spanning_two_projects_falls_back_to_the_default_project(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    [globex] = admin.resources("droplet", name="globex-etl-1")
    [project] = admin.resources("project", name="Globex Analytics")
    body, where = globex["body"], {"name": globex["name"], "project_id": project["id"]}
    admin.put_resource("droplet", globex["id"], {**body, "tags": [*body["tags"], "web"]}, **where)
    try:
        _sync_all(sqlite_engine, do)
    finally:
        admin.put_resource("droplet", globex["id"], body, **where)
    tags = {row.name: row.tenant_id for row in _rows(sqlite_engine, "tag").values()}
    assert tags["web"] == "platform"  # acme and globex droplets carry it: no one project
    assert tags["etl"] == "globex"


def test_an_uptime_check_whose_id_is_no_uuid_is_skipped_and_the_rest_land(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    check = admin.resources("uptime_check")[0]
    admin.put_resource("uptime_check", "not-a-uuid", {**check["body"], "id": "not-a-uuid"})
    try:
        report = sync.sync_kind(sqlite_engine, do, KIND_SPECS["uptime_checks"])
    finally:
        admin.delete_resource("uptime_check", "not-a-uuid")
    [skip] = report.skipped
    assert (skip.provider_id, skip.field) == ("not-a-uuid", "id") and "UUID" in skip.reason
    assert report.result.discovered == len(admin.resources("uptime_check"))
    assert report.requests == 1 + report.result.discovered  # no state asked for the bad one

"""Project attribution on both engines: URNs → project and tenant, derived kinds, placeholders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import Project
from arcadia_cloud_core.inventory import NormalizedResource, upsert_resources
from arcadia_cloud_core.inventory.attribution import (
    PLACEHOLDER_KINDS,
    Assignment,
    attribute,
    tenant_kind_summary,
)
from arcadia_cloud_core.inventory.projects import sync_projects
from arcadia_cloud_core.inventory.urns import parse_urn

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
#: Project ids (DO's are UUIDs).
P_A, P_B, P_X = (
    "1c5e4f3a-0000-4000-8000-00000000000a",
    "1c5e4f3a-0000-4000-8000-00000000000b",
    "1c5e4f3a-0000-4000-8000-0000000000ff",
)


def _projects(engine: Engine) -> None:
    projects = [
        Project.from_payload({"id": P_A, "name": "Alpha", "description": "tenant:acme"}),
        Project.from_payload({"id": P_B, "name": "Beta Shop"}),
    ]
    sync_projects(engine, projects=projects, complete=True, now=T0)


def _resource(kind: str, pid: str, **attrs: Any) -> NormalizedResource:
    return NormalizedResource(kind=kind, provider_id=pid, name=pid, attrs=attrs)


def _world(engine: Engine) -> None:
    """Two projects; droplets 1 (Alpha) and 2 (Beta), a backup of 1, a snapshot, two firewalls."""
    _projects(engine)
    batches = {
        "droplet": [_resource("droplet", "1"), _resource("droplet", "2")],
        "droplet_backup": [_resource("droplet_backup", "b1", droplet_id="1")],
        "snapshot": [_resource("snapshot", "101")],
        "firewall": [
            _resource("firewall", "fw-alpha", droplet_ids=["1"]),
            _resource("firewall", "fw-both", droplet_ids=["1", "2"]),
        ],
    }
    for kind, batch in batches.items():
        upsert_resources(engine, kind=kind, resources=batch, complete=True, now=T0)


def _assign(*pairs: tuple[str, str]) -> list[Assignment]:
    return [Assignment(project, parse_urn(urn)) for project, urn in pairs]


ASSIGNMENTS = _assign(
    (P_A, "do:droplet:1"),
    (P_B, "do:droplet:2"),
    (P_A, "do:image:101"),  # an image URN names a snapshot here
    (P_B, "do:space:bucket-b"),  # seen only through the project: a placeholder
    (P_A, "do:hologram:h-1"),  # a kind we do not track
    (P_A, "do:volume:7d1b5b3e-4c1a-4a39-9d0e-0c0f2d5a9e11"),  # not in inventory
    (P_X, "do:droplet:2"),  # a project we do not know
)


def _owners(engine: Engine) -> dict[tuple[str, str], str | None]:
    r = resources_t
    with engine.connect() as connection:
        rows = connection.execute(sa.select(r.c.kind, r.c.provider_id, r.c.tenant_id))
        return {(kind, pid): tenant for kind, pid, tenant in rows}


def _tagged_events(engine: Engine) -> int:
    query = sa.select(sa.func.count()).where(events_t.c.type == "tagged")
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def test_urns_attribute_resources_to_their_projects_tenant(engine: Engine) -> None:
    _world(engine)

    result = attribute(engine, assignments=ASSIGNMENTS, complete=True, now=T0)

    assert _owners(engine) == {
        ("droplet", "1"): "acme",
        ("droplet", "2"): "beta-shop",
        ("snapshot", "101"): "acme",
        ("spaces_bucket", "bucket-b"): "beta-shop",
        ("droplet_backup", "b1"): "acme",  # follows its droplet
        ("firewall", "fw-alpha"): "acme",  # all its droplets are in one project
        ("firewall", "fw-both"): None,  # its droplets span two projects
    }
    assert result.assignments == len(ASSIGNMENTS)
    assert result.attributed == 6
    assert (result.unresolved, result.untracked_kinds) == (2, {"hologram": 1})
    assert set(result.placeholders) == set(PLACEHOLDER_KINDS)
    assert result.placeholders["spaces_bucket"].discovered == 1
    assert _tagged_events(engine) == 6


def test_a_rerun_with_no_change_writes_nothing(engine: Engine) -> None:
    _world(engine)
    attribute(engine, assignments=ASSIGNMENTS, complete=True, now=T0)

    again = attribute(engine, assignments=ASSIGNMENTS, complete=True, now=T0 + timedelta(minutes=1))

    assert (again.attributed, again.unchanged, again.rows_written) == (0, 6, 0)
    assert _tagged_events(engine) == 6


def test_a_droplet_moved_between_projects_takes_its_firewall_along(engine: Engine) -> None:
    _world(engine)
    attribute(engine, assignments=_assign((P_A, "do:droplet:2")), complete=False, now=T0)

    moved = attribute(engine, assignments=_assign((P_B, "do:droplet:2")), complete=False, now=T0)

    # fw-both's droplets are 1 (in no project yet) and 2: it goes where 2 goes
    assert moved.attributed == 2
    owners = _owners(engine)
    assert owners[("droplet", "2")] == owners[("firewall", "fw-both")] == "beta-shop"
    query = sa.select(events_t.c.payload).where(events_t.c.type == "tagged")
    with engine.connect() as connection:
        payloads = connection.execute(query.order_by(events_t.c.id)).scalars().all()
    assert [p["tenant_id"] for p in payloads[-2:]] == [{"before": "acme", "after": "beta-shop"}] * 2


def test_tenant_kind_summary_counts_live_resources(engine: Engine) -> None:
    _world(engine)
    attribute(engine, assignments=ASSIGNMENTS, complete=True, now=T0)

    rows = tenant_kind_summary(engine)
    summary = {(row["tenant_id"], row["kind"]): row["resources"] for row in rows}

    assert summary[("acme", "droplet")] == 1
    assert summary[("beta-shop", "spaces_bucket")] == 1
    assert summary[(None, "firewall")] == 1
    assert sum(summary.values()) == 7

"""Snapshot attribution: DO lists no snapshot under a project, so a snapshot inherits the project of
its droplet or volume; a snapshot URN a project lists itself (the old `do:image:` /
`do:volumesnapshot:` forms) still wins."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resources
from arcadia_cloud_core.digitalocean.models.projects import Project
from arcadia_cloud_core.inventory import NormalizedResource, upsert_resources
from arcadia_cloud_core.inventory.attribution import Assignment, attribute
from arcadia_cloud_core.inventory.projects import sync_projects
from arcadia_cloud_core.inventory.urns import parse_urn

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ACME, GLOBEX = "2a9e0c1d-0000-4000-8000-0000000000ac", "2a9e0c1d-0000-4000-8000-0000000000bb"
VOLUME = "3b8f1d2e-0000-4000-8000-000000000001"
VOLUME_SNAPSHOT = "4c7a2e3f-0000-4000-8000-000000000002"


def _project(pid: str, tenant: str) -> Project:
    return Project.from_payload(
        {
            "id": pid,
            "name": f"Project {tenant}",
            "description": f"tenant:{tenant}",
            "is_default": False,
        }
    )


def _sync(engine: Engine, kind: str, *resources: NormalizedResource) -> None:
    upsert_resources(engine, kind=kind, resources=list(resources), complete=True, now=NOW)


def _snapshot(pid: str, resource_type: str, resource_id: str) -> NormalizedResource:
    return NormalizedResource(
        kind="snapshot",
        provider_id=pid,
        name=f"snap-{pid}",
        attrs={"resource_type": resource_type, "resource_id": resource_id},
    )


def _tenants(engine: Engine) -> dict[str, str | None]:
    r = cloud_resources
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(r.c.name, r.c.tenant_id)).all())


def test_snapshots_inherit_from_their_droplet_or_volume(engine: Engine) -> None:
    sync_projects(
        engine,
        projects=[_project(ACME, "acme"), _project(GLOBEX, "globex")],
        complete=True,
        now=NOW,
    )
    _sync(engine, "droplet", NormalizedResource(kind="droplet", provider_id="11", name="web"))
    _sync(engine, "volume", NormalizedResource(kind="volume", provider_id=VOLUME, name="data"))
    _sync(
        engine,
        "snapshot",
        _snapshot("101", "droplet", "11"),
        _snapshot(VOLUME_SNAPSHOT, "volume", VOLUME),
        _snapshot("102", "droplet", "11"),
        _snapshot("103", "droplet", "99"),
    )
    assignments = [
        Assignment(ACME, parse_urn("do:droplet:11")),
        Assignment(GLOBEX, parse_urn(f"do:volume:{VOLUME}")),
        Assignment(GLOBEX, parse_urn("do:image:102")),  # listed by itself: it wins
    ]

    result = attribute(engine, assignments=assignments, complete=True, now=NOW)

    assert _tenants(engine) == {
        "web": "acme",
        "data": "globex",
        "snap-101": "acme",  # its droplet's
        f"snap-{VOLUME_SNAPSHOT}": "globex",  # its volume's
        "snap-102": "globex",
        "snap-103": None,  # its droplet is not in inventory
    }
    assert result.unresolved == 0
    again = attribute(engine, assignments=assignments, complete=True, now=NOW)
    assert again.rows_written == 0

"""Helpers for drift tests: live rows, a droplet payload like DO's, and readers of the results."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import (
    cloud_drift,
    cloud_provisioned,
    cloud_resource_events,
    cloud_resources,
)

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
_IDS = itertools.count(1000)


def droplet_attrs(
    *,
    size: str = "s-1vcpu-1gb",
    image_slug: str | None = "ubuntu-24-04-x64",
    image_id: int = 155990111,
    region: str = "nyc3",
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """The parts of DO's droplet payload the drift rules care about."""
    return {
        "size_slug": size,
        "size": {"slug": size, "memory": 1024, "vcpus": 1},
        "image": {"id": image_id, "slug": image_slug, "distribution": "Ubuntu"},
        "region": {"slug": region, "name": region.upper()},
        "tags": list(tags or ["env:prod", "team:web"]),
        "networks": {"v4": [{"ip_address": "203.0.113.7", "type": "public"}], "v6": []},
    }


def add_resource(
    connection_or_engine: Engine | sa.Connection,
    *,
    kind: str = "droplet",
    name: str | None = "web-1",
    attrs: dict[str, Any] | None = None,
    region: str | None = "nyc3",
    status: str | None = "active",
    deleted_at: datetime | None = None,
) -> int:
    """Insert one live `cloud_resources` row; returns its id."""
    row = {
        "provider_id": str(next(_IDS)),
        "kind": kind,
        "name": name,
        "region": region,
        "status": status,
        "attrs": droplet_attrs() if attrs is None else attrs,
        "first_seen_at": T0,
        "last_seen_at": T0,
        "deleted_at": deleted_at,
    }
    statement = cloud_resources.insert().values(**row).returning(cloud_resources.c.id)
    if isinstance(connection_or_engine, Engine):
        with connection_or_engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())
    return int(connection_or_engine.execute(statement).scalar_one())


def update_resource(engine: Engine, resource_id: int, **values: Any) -> None:
    """Change a live row (what inventory would do)."""
    with engine.begin() as connection:
        connection.execute(
            sa.update(cloud_resources).where(cloud_resources.c.id == resource_id).values(**values)
        )


def drift_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every drift row (any status), in id order."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(cloud_drift).order_by(cloud_drift.c.id))
        return [row._asdict() for row in rows]


def open_pairs(engine: Engine) -> dict[tuple[int, str], dict[str, Any]]:
    """Open drift rows by (resource_id, field)."""
    return {(r["resource_id"], r["field"]): r for r in drift_rows(engine) if r["status"] == "open"}


def events(engine: Engine, *, type: str | None = None) -> list[dict[str, Any]]:
    """Resource events (optionally of one type), in id order."""
    query = sa.select(cloud_resource_events).order_by(cloud_resource_events.c.id)
    if type is not None:
        query = query.where(cloud_resource_events.c.type == type)
    with engine.connect() as connection:
        return [row._asdict() for row in connection.execute(query)]


def provisioned(engine: Engine, resource_id: int) -> dict[str, Any]:
    """The `cloud_provisioned` row of a resource."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(cloud_provisioned).where(cloud_provisioned.c.resource_id == resource_id)
        ).one()
        return row._asdict()


def table_counts(engine: Engine) -> dict[str, int]:
    """Row counts of the tables drift writes (to prove that nothing changed)."""
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in (cloud_drift, cloud_provisioned, cloud_resource_events)
        }

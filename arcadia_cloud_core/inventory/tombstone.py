"""Inventory writes that are not listings: find a row, tombstone one resource we removed.

Listings go through the chokepoint (`upsert.upsert_resources`). When a saga destroys a droplet, or
undoes registering one, it knows the resource is gone before the next listing: `mark_deleted`
tombstones the row with a ``deleted`` event, under the same per-kind lock the chokepoint takes,
in the caller's transaction when given a connection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from arcadia_cloud_core.db.dialect import lock_key, transaction
from arcadia_cloud_core.db.schema import PROVIDER, cloud_resource_events, cloud_resources


def resource_id_of(
    target: sa.Engine | sa.Connection, *, kind: str, provider_id: str, provider: str = PROVIDER
) -> int | None:
    """The inventory id of a resource (deleted or not), or None when it was never stored."""
    t = cloud_resources
    query = sa.select(t.c.id).where(
        t.c.provider == provider, t.c.kind == kind, t.c.provider_id == provider_id
    )
    with transaction(target) as connection:
        return connection.execute(query).scalar_one_or_none()


def mark_deleted(
    target: sa.Engine | sa.Connection,
    *,
    kind: str,
    provider_id: str,
    payload: dict[str, Any],
    now: datetime | None = None,
    provider: str = PROVIDER,
) -> bool:
    """Tombstone the live row of ``provider_id`` and append a ``deleted`` event with ``payload``.

    Idempotent: returns False (and writes nothing) when the row is absent or already deleted.
    """
    stamp = now or datetime.now(UTC)
    if stamp.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    t = cloud_resources
    with transaction(target) as connection:
        lock_key(connection, f"inventory:{provider}:{kind}")
        row = connection.execute(
            sa.select(t.c.id, t.c.deleted_at).where(
                t.c.provider == provider, t.c.kind == kind, t.c.provider_id == provider_id
            )
        ).first()
        if row is None or row.deleted_at is not None:
            return False
        connection.execute(sa.update(t).where(t.c.id == row.id).values(deleted_at=stamp))
        connection.execute(
            cloud_resource_events.insert().values(
                resource_id=row.id, type="deleted", payload=payload, occurred_at=stamp
            )
        )
    return True

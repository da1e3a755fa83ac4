"""Inventory writes the provisioning steps need beyond the listing chokepoint.

Registering a new droplet goes through `inventory.upsert_resources` (a one-resource, non-complete
listing: nothing is struck). Undoing that, or recording a droplet the saga destroyed, is not a
listing: `mark_deleted` tombstones the row with a ``deleted`` event, under the same per-kind lock
the chokepoint takes, and `forget_provisioned` drops the desired state so drift does not report
a resource we removed on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.dialect import lock_key
from arcadia_cloud_core.db.schema import cloud_provisioned, cloud_resource_events, cloud_resources
from arcadia_cloud_core.inventory.model import PROVIDER


def resource_id_of(engine: Engine, *, kind: str, provider_id: str) -> int | None:
    """The inventory id of a resource (deleted or not), or None when it was never stored."""
    query = sa.select(cloud_resources.c.id).where(
        cloud_resources.c.provider == PROVIDER,
        cloud_resources.c.kind == kind,
        cloud_resources.c.provider_id == provider_id,
    )
    with engine.connect() as connection:
        return connection.execute(query).scalar_one_or_none()


def mark_deleted(
    engine: Engine,
    *,
    kind: str,
    provider_id: str,
    payload: dict[str, Any],
    forget_spec: bool = True,
    now: datetime | None = None,
) -> bool:
    """Tombstone the live row of ``provider_id`` and append a ``deleted`` event.

    Also deletes its `cloud_provisioned` row when ``forget_spec``. Idempotent: returns False
    (and writes nothing) when the row is absent or already deleted.
    """
    stamp = now or datetime.now(UTC)
    t = cloud_resources
    with engine.begin() as connection:
        lock_key(connection, f"inventory:{PROVIDER}:{kind}")
        row = connection.execute(
            sa.select(t.c.id, t.c.deleted_at).where(
                t.c.provider == PROVIDER, t.c.kind == kind, t.c.provider_id == provider_id
            )
        ).first()
        if row is None:
            return False
        if forget_spec:
            connection.execute(
                sa.delete(cloud_provisioned).where(cloud_provisioned.c.resource_id == row.id)
            )
        if row.deleted_at is not None:
            return False
        connection.execute(sa.update(t).where(t.c.id == row.id).values(deleted_at=stamp))
        connection.execute(
            cloud_resource_events.insert().values(
                resource_id=row.id, type="deleted", payload=payload, occurred_at=stamp
            )
        )
    return True


def provisioned_spec(engine: Engine, resource_id: int) -> dict[str, Any] | None:
    """The desired spec of a resource, or None."""
    query = sa.select(cloud_provisioned.c.spec).where(
        cloud_provisioned.c.resource_id == resource_id
    )
    with engine.connect() as connection:
        spec = connection.execute(query).scalar_one_or_none()
    return dict(spec) if spec is not None else None

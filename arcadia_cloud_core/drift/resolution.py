"""Closing a drift by hand: accept the live value as desired state, or record a revert.

Both lock the drift row (``FOR UPDATE`` on Postgres; SQLite writers are serialised), refuse a
drift that is unknown or no longer open with a typed error before writing anything, and append
an event to the resource's log. The schema has no drift-resolution event type, so the event is
an ``updated`` event whose payload says ``"source": "drift_accept"`` (or ``"drift_revert"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from arcadia_cloud_core.db.dialect import transaction
from arcadia_cloud_core.db.schema import (
    cloud_drift,
    cloud_provisioned,
    cloud_resource_events,
    cloud_resources,
)
from arcadia_cloud_core.drift.checks import DELETED, STATUS_FIELD, check_field
from arcadia_cloud_core.drift.db_access import utc_now
from arcadia_cloud_core.drift.equality import json_text
from arcadia_cloud_core.drift.errors import DriftAlreadyClosed, DriftNotFound, UnknownResource
from arcadia_cloud_core.drift.provisioned import normalise_spec

RESOLUTION_EVENT = "updated"


@dataclass(frozen=True)
class ResolvedDrift:
    """A drift closed by hand: `value` is now desired (accepted) or was restored (reverted)."""

    drift_id: int
    resource_id: int
    field: str
    status: str
    value: Any
    spec_version: int


def accept_drift(
    engine: Engine | Connection,
    *,
    drift_id: int | None = None,
    resource_id: int | None = None,
    field: str | None = None,
    now: datetime | None = None,
) -> ResolvedDrift:
    """Make the live value desired state: update the spec, bump its version, close `accepted`.

    Name the drift by `drift_id`, or by `resource_id` and `field` (its open drift). Raises
    `DriftNotFound` / `DriftAlreadyClosed` (naming the id) and then changes nothing.
    """
    _check_target(drift_id=drift_id, resource_id=resource_id, field=field)
    stamp = utc_now(now)
    with transaction(engine) as connection:
        drift = _lock_open_drift(
            connection, drift_id=drift_id, resource_id=resource_id, field=field
        )
        provisioned = connection.execute(
            sa.select(cloud_provisioned.c.spec, cloud_provisioned.c.spec_version)
            .where(cloud_provisioned.c.resource_id == drift.resource_id)
            .with_for_update()
        ).first()
        if provisioned is None:
            raise UnknownResource(drift.resource_id, what="provisioned spec of resource")
        spec = dict(provisioned.spec)
        value = _live_value(connection, drift.resource_id, drift.field, spec.get(drift.field))
        new_spec = normalise_spec({**spec, drift.field: value})
        version = int(provisioned.spec_version)
        if json_text(new_spec) != json_text(spec):
            version += 1
            connection.execute(
                sa.update(cloud_provisioned)
                .where(cloud_provisioned.c.resource_id == drift.resource_id)
                .values(spec=new_spec, spec_version=version, updated_at=stamp)
            )
        _close(connection, drift.id, status="accepted", now=stamp)
        _append_event(
            connection,
            resource_id=drift.resource_id,
            now=stamp,
            payload={
                "source": "drift_accept",
                "drift_id": drift.id,
                "field": drift.field,
                "before": spec.get(drift.field),
                "after": value,
                "spec_version": version,
            },
        )
        return ResolvedDrift(drift.id, drift.resource_id, drift.field, "accepted", value, version)


def close_drift_reverted(
    engine: Engine | Connection, *, drift_id: int, now: datetime | None = None
) -> ResolvedDrift:
    """Close an open drift as `reverted` (the live resource was put back to the spec)."""
    stamp = utc_now(now)
    with transaction(engine) as connection:
        drift = _lock_open_drift(connection, drift_id=drift_id, resource_id=None, field=None)
        version = connection.execute(
            sa.select(cloud_provisioned.c.spec_version).where(
                cloud_provisioned.c.resource_id == drift.resource_id
            )
        ).scalar_one_or_none()
        _close(connection, drift.id, status="reverted", now=stamp)
        _append_event(
            connection,
            resource_id=drift.resource_id,
            now=stamp,
            payload={
                "source": "drift_revert",
                "drift_id": drift.id,
                "field": drift.field,
                "before": drift.actual,
                "after": drift.expected,
            },
        )
        return ResolvedDrift(
            drift.id, drift.resource_id, drift.field, "reverted", drift.expected, int(version or 0)
        )


def _lock_open_drift(
    connection: Connection, *, drift_id: int | None, resource_id: int | None, field: str | None
) -> sa.Row[Any]:
    by_id = _check_target(drift_id=drift_id, resource_id=resource_id, field=field)
    query = sa.select(
        cloud_drift.c.id,
        cloud_drift.c.resource_id,
        cloud_drift.c.field,
        cloud_drift.c.expected,
        cloud_drift.c.actual,
        cloud_drift.c.status,
    )
    if by_id:
        row = connection.execute(
            query.where(cloud_drift.c.id == drift_id).with_for_update()
        ).first()
        if row is None:
            raise DriftNotFound(drift_id=drift_id)
    else:
        pair = query.where(cloud_drift.c.resource_id == resource_id, cloud_drift.c.field == field)
        row = connection.execute(
            pair.where(cloud_drift.c.status == "open").with_for_update()
        ).first()
        if row is None:
            row = connection.execute(pair.order_by(cloud_drift.c.id.desc()).limit(1)).first()
        if row is None:
            raise DriftNotFound(resource_id=resource_id, field=field)
    if row.status != "open":
        raise DriftAlreadyClosed(drift_id=int(row.id), status=row.status)
    return row


def _check_target(*, drift_id: int | None, resource_id: int | None, field: str | None) -> bool:
    """True when the drift is named by id; TypeError unless exactly one way is used."""
    by_id = drift_id is not None
    by_pair = resource_id is not None or field is not None
    if by_id == by_pair or (by_pair and (resource_id is None or field is None)):
        raise TypeError("name a drift by drift_id, or by resource_id and field")
    return by_id


def _live_value(connection: Connection, resource_id: int, field: str, expected: Any) -> Any:
    """The live value of `field`, in the spec's representation (a deleted resource: `deleted`)."""
    resource = (
        connection.execute(sa.select(cloud_resources).where(cloud_resources.c.id == resource_id))
        .one()
        ._asdict()
    )
    if resource["deleted_at"] is not None and field == STATUS_FIELD:
        return DELETED
    return check_field(resource, field=field, expected=expected).actual


def _close(connection: Connection, drift_id: int, *, status: str, now: datetime) -> None:
    closed = connection.execute(
        sa.update(cloud_drift)
        .where(cloud_drift.c.id == drift_id, cloud_drift.c.status == "open")
        .values(status=status, resolved_at=now)
        .returning(cloud_drift.c.id)
    ).first()
    if closed is None:  # pragma: no cover - the row is locked (Postgres) or writers serialised
        raise DriftAlreadyClosed(drift_id=drift_id, status="closed concurrently")


def _append_event(
    connection: Connection, *, resource_id: int, now: datetime, payload: dict[str, Any]
) -> None:
    connection.execute(
        cloud_resource_events.insert().values(
            resource_id=resource_id, type=RESOLUTION_EVENT, payload=payload, occurred_at=now
        )
    )

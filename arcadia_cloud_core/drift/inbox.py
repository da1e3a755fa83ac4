"""The open-drift table: what the UI inbox shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from arcadia_cloud_core.db.schema import cloud_drift, cloud_resources


@dataclass(frozen=True)
class OpenDrift:
    """One open drift: the spec wanted `expected`, the live resource shows `actual`."""

    drift_id: int
    resource_id: int
    resource_name: str | None
    kind: str
    field: str
    expected: Any
    actual: Any
    since: datetime

    def as_record(self) -> dict[str, Any]:
        """A JSON-friendly row (the time as ISO 8601) for metadata tables."""
        return {
            "drift_id": self.drift_id,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "kind": self.kind,
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
            "since": self.since.isoformat(),
        }


def list_open_drifts(source: sa.Engine | sa.Connection) -> tuple[OpenDrift, ...]:
    """Every open drift, oldest first, with its resource's name and kind."""
    if isinstance(source, sa.Engine):
        with source.connect() as connection:
            return list_open_drifts(connection)
    connection = source
    query = (
        sa.select(
            cloud_drift.c.id,
            cloud_drift.c.resource_id,
            cloud_resources.c.name,
            cloud_resources.c.kind,
            cloud_drift.c.field,
            cloud_drift.c.expected,
            cloud_drift.c.actual,
            cloud_drift.c.detected_at,
        )
        .join(cloud_resources, cloud_resources.c.id == cloud_drift.c.resource_id)
        .where(cloud_drift.c.status == "open")
        .order_by(cloud_drift.c.detected_at, cloud_drift.c.resource_id, cloud_drift.c.field)
    )
    return tuple(
        OpenDrift(
            drift_id=int(row.id),
            resource_id=int(row.resource_id),
            resource_name=row.name,
            kind=row.kind,
            field=row.field,
            expected=row.expected,
            actual=row.actual,
            since=row.detected_at,
        )
        for row in connection.execute(query)
    )

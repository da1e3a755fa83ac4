"""What the matching reads besides the lines, as frames: our resources (from the database or
any frame) and DO's JSON invoice items (which carry resource ids)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from arcadia_cloud_core.billing.columns import STRING
from arcadia_cloud_core.db.schema import PROVIDER, cloud_projects, cloud_resources

RESOURCE_COLUMNS = ("id", "kind", "provider_id", "name", "deleted_at", "project_name", "tenant_id")
ITEM_COLUMNS = (
    "product",
    "description",
    "amount_cents",
    "period_start",
    "period_end",
    "resource_id",
    "resource_uuid",
)


def load_resources(connection: sa.Connection, *, provider: str = PROVIDER) -> pd.DataFrame:
    """Every resource of ``provider`` (live and deleted) as a frame of :data:`RESOURCE_COLUMNS`."""
    r, p = cloud_resources, cloud_projects
    stmt = (
        sa.select(
            r.c.id,
            r.c.kind,
            r.c.provider_id,
            r.c.name,
            r.c.deleted_at,
            p.c.name.label("project_name"),
            r.c.tenant_id,
        )
        .select_from(r.outerjoin(p, p.c.id == r.c.cloud_project_id))
        .where(r.c.provider == provider)
    )
    rows = connection.execute(stmt).all()
    return resources_frame(dict(zip(RESOURCE_COLUMNS, row, strict=True)) for row in rows)


def resources_frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Resource rows (dicts or a frame) with the columns and dtypes matching expects."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for col in RESOURCE_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = frame.loc[:, list(RESOURCE_COLUMNS)].reset_index(drop=True)
    frame["id"] = frame["id"].astype(np.int64)
    for col in ("kind", "provider_id", "name", "project_name", "tenant_id"):
        frame[col] = frame[col].astype(STRING)
    deleted = pd.to_datetime(frame["deleted_at"], utc=True)
    frame["deleted_at"] = deleted.astype("datetime64[us, UTC]")
    return frame


def items_frame(items: Iterable[Any]) -> pd.DataFrame:
    """DO's JSON invoice items (``InvoiceItem`` models or dicts) as a frame of ITEM_COLUMNS."""
    rows = []
    for item in items:
        get = item.get if isinstance(item, Mapping) else lambda k, _i=item: getattr(_i, k, None)
        rows.append(
            {
                "product": get("product"),
                "description": get("description"),
                "amount_cents": get("amount_cents"),
                "period_start": get("start_time") or get("period_start"),
                "period_end": get("end_time") or get("period_end"),
                "resource_id": get("resource_id"),
                "resource_uuid": get("resource_uuid"),
            }
        )
    frame = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    frame["amount_cents"] = frame["amount_cents"].astype(np.int64)
    for col in ("product", "description", "resource_id", "resource_uuid"):
        frame[col] = frame[col].astype(STRING)
    for col in ("period_start", "period_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    return frame

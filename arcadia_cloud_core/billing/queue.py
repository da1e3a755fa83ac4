"""What the billing sensors read: each invoice's attempt count, the newest ingest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import PROVIDER, cloud_invoices


def ingest_attempts(engine: Engine, invoice_uuids: Sequence[str]) -> dict[str, int]:
    """{invoice uuid: ingest attempts so far} for `invoice_uuids` (one query)."""
    if not invoice_uuids:
        return {}
    c = cloud_invoices.c
    query = sa.select(c.invoice_uuid, c.ingest_attempts).where(
        c.provider == PROVIDER, c.invoice_uuid.in_(list(invoice_uuids))
    )
    with engine.connect() as connection:
        return {uuid: attempts for uuid, attempts in connection.execute(query)}


def latest_ingest(engine: Engine) -> datetime | None:
    """When the most recent invoice ingest finished (aware UTC), or None before the first."""
    c = cloud_invoices.c
    query = sa.select(sa.func.max(c.ingested_at)).where(c.provider == PROVIDER)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one_or_none()  # UTCDateTime: aware on both backends

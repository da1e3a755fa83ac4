"""What the ingest sensor reads: each invoice's attempt count."""

from __future__ import annotations

from collections.abc import Sequence

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

"""Store one invoice's line set (``cloud_cost_lines``): replaced atomically, bulk, idempotent.

:func:`replace_invoice_lines` runs one transaction: lock the invoice row (``FOR UPDATE`` on
Postgres; SQLite's ``BEGIN IMMEDIATE`` serialises writers), compare the stored set with the new
one, and only if they differ delete it and bulk-insert the new one (Postgres: ``COPY``; SQLite:
one ``executemany``); then mark the invoice ``ingested``. Two concurrent ingests of one invoice
serialise on the lock, so exactly one line set remains; a failure anywhere rolls back to the
previous set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.errors import UnknownInvoiceError
from arcadia_cloud_core.billing.invoice_csv import LINE_COLUMNS
from arcadia_cloud_core.db.bulk import bulk_insert
from arcadia_cloud_core.db.schema import PROVIDER, cloud_cost_lines, cloud_invoices

#: The stored columns, in order: ``invoice_id``, the parsed line, then what the pipeline added.
STORED_COLUMNS = (
    "invoice_id",
    *LINE_COLUMNS,
    "kind",
    "parsed_name",
    "resource_id",
    "match_method",
    "unmatched_reason",
)
_LIMITS = {"product": 255, "project_name": 255, "category": 255, "parsed_name": 255, "kind": 32}
_HOURS = Decimal("0.0001")


@dataclass(frozen=True)
class StoredLines:
    """Result of :func:`replace_invoice_lines`."""

    invoice_id: int
    line_count: int
    written: bool  # False: the stored set was already identical


def _objects(series: pd.Series, limit: int | None = None) -> list[Any]:
    values = series.astype(object).where(series.notna(), None).tolist()
    if limit is not None:
        values = [v[:limit] if isinstance(v, str) and len(v) > limit else v for v in values]
    return values


def _datetimes(series: pd.Series) -> list[datetime | None]:
    values = series.dt.tz_convert(UTC).dt.to_pydatetime()
    return [None if pd.isna(v) else v for v in values]


def _hours(series: pd.Series) -> list[Decimal | None]:
    out: list[Decimal | None] = []
    for h in series.to_numpy(dtype=np.float64, na_value=np.nan).tolist():
        out.append(None if math.isnan(h) else Decimal(repr(h)).quantize(_HOURS))
    return out


def line_rows(invoice_id: int, lines: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame as tuples in :data:`STORED_COLUMNS` order, ready for the database."""
    n = len(lines)
    product = [p if p is not None else "" for p in _objects(lines["product"], 255)]
    columns = [
        [invoice_id] * n,
        lines["line_no"].astype(np.int64).tolist(),
        product,
        _objects(lines["group_description"]),
        _objects(lines["description"]),
        _hours(lines["hours"]),
        _datetimes(lines["period_start"]),
        _datetimes(lines["period_end"]),
        lines["amount_cents"].astype(np.int64).tolist(),
        *(
            _objects(lines[col], _LIMITS.get(col))
            for col in ("project_name", "category", "kind", "parsed_name")
        ),
        _objects(lines["resource_id"]),
        _objects(lines["match_method"]),
        _objects(lines["unmatched_reason"]),
    ]
    return list(zip(*columns, strict=True))


def _stored(connection: sa.Connection, invoice_id: int) -> list[tuple[Any, ...]]:
    c = cloud_cost_lines.c
    rows = connection.execute(
        sa.select(*(getattr(c, name) for name in STORED_COLUMNS))
        .where(c.invoice_id == invoice_id)
        .order_by(c.line_no)
    )
    out = []
    for row in rows:
        values = list(row)
        hours = values[5]
        values[5] = None if hours is None else Decimal(hours).quantize(_HOURS)
        out.append(tuple(values))
    return out


def _lock_invoice(connection: sa.Connection, invoice_uuid: str) -> int:
    c = cloud_invoices.c
    invoice_id = connection.execute(
        sa.select(c.id)
        .where(c.provider == PROVIDER, c.invoice_uuid == invoice_uuid)
        .with_for_update()
    ).scalar_one_or_none()
    if invoice_id is None:
        raise UnknownInvoiceError(invoice_uuid)
    return int(invoice_id)


def _bulk_insert(connection: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    bulk_insert(
        connection,
        cloud_cost_lines,
        [dict(zip(STORED_COLUMNS, row, strict=True)) for row in rows],
    )


def replace_invoice_lines(
    engine: Engine, *, invoice_uuid: str, lines: pd.DataFrame, now: datetime | None = None
) -> StoredLines:
    """Make ``lines`` the invoice's line set, atomically; mark the invoice ``ingested``."""
    stamp = now if now is not None else datetime.now(UTC)
    with engine.begin() as connection:
        invoice_id = _lock_invoice(connection, invoice_uuid)
        rows = line_rows(invoice_id, lines)
        written = _stored(connection, invoice_id) != rows
        if written:
            connection.execute(
                cloud_cost_lines.delete().where(cloud_cost_lines.c.invoice_id == invoice_id)
            )
            _bulk_insert(connection, rows)
        connection.execute(
            cloud_invoices.update()
            .where(cloud_invoices.c.id == invoice_id)
            .values(
                ingest_status="ingested",
                ingest_error=None,
                line_count=len(rows),
                # when the current line set was stored (an unchanged re-ingest keeps it)
                ingested_at=stamp
                if written
                else sa.func.coalesce(cloud_invoices.c.ingested_at, stamp),
                updated_at=stamp,
            )
        )
    return StoredLines(invoice_id=invoice_id, line_count=len(rows), written=written)


def load_lines(connection: sa.Connection, invoice_uuid: str) -> pd.DataFrame:
    """The stored line set of an invoice, in line order (columns of :data:`STORED_COLUMNS`)."""
    invoice_id = connection.execute(
        sa.select(cloud_invoices.c.id).where(
            cloud_invoices.c.provider == PROVIDER, cloud_invoices.c.invoice_uuid == invoice_uuid
        )
    ).scalar_one_or_none()
    if invoice_id is None:
        raise UnknownInvoiceError(invoice_uuid)
    return pd.DataFrame(_stored(connection, int(invoice_id)), columns=list(STORED_COLUMNS))

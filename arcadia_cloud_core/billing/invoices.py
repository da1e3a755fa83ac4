"""Invoice headers (``cloud_invoices``) and their ingest bookkeeping.

Statuses: ``pending`` (new, or DO's amount changed since the last ingest) → ``ingesting`` →
``ingested`` or ``failed`` (with ``ingest_error``; ``ingest_attempts`` counts tries). A sensor
asks :func:`invoices_to_ingest` for the pending ones, the failed ones under the attempt limit,
and the ones stuck in ``ingesting`` (a crashed run) for longer than ``stale_after``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.errors import UnknownInvoiceError
from arcadia_cloud_core.db.schema import PROVIDER, cloud_invoices

MAX_ERROR_CHARS = 2000


class InvoiceHeader(Protocol):
    """What we need of an invoice (DO's ``Invoice`` model fits)."""

    @property
    def invoice_uuid(self) -> str: ...
    @property
    def invoice_period(self) -> str: ...
    @property
    def amount_cents(self) -> int: ...


@dataclass(frozen=True)
class InvoiceUpsert:
    """What :func:`upsert_invoices` changed."""

    inserted: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True)
class InvoiceRow:
    """One ``cloud_invoices`` row."""

    id: int
    invoice_uuid: str
    invoice_period: str
    amount_cents: int
    ingest_status: str
    ingest_attempts: int
    ingest_error: str | None
    line_count: int | None
    ingested_at: datetime | None
    pushed_to_finance_at: datetime | None
    finance_invoice_id: str | None
    updated_at: datetime


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def upsert_invoices(
    engine: Engine, invoices: Iterable[InvoiceHeader], *, now: datetime | None = None
) -> InvoiceUpsert:
    """Insert new invoice headers; update period/amount of changed ones (back to ``pending``).

    One transaction; an unchanged invoice is not written.
    """
    stamp = _now(now)
    incoming = {inv.invoice_uuid: inv for inv in invoices}
    if not incoming:
        return InvoiceUpsert((), (), 0)
    c = cloud_invoices.c
    inserted, updated = [], []
    with engine.begin() as connection:
        existing = {
            row.invoice_uuid: row
            for row in connection.execute(
                sa.select(c.invoice_uuid, c.invoice_period, c.amount_cents)
                .where(c.provider == PROVIDER, c.invoice_uuid.in_(list(incoming)))
                .with_for_update()
            )
        }
        new_rows = []
        for uuid, inv in incoming.items():
            old = existing.get(uuid)
            if old is None:
                new_rows.append(
                    {
                        "provider": PROVIDER,
                        "invoice_uuid": uuid,
                        "invoice_period": inv.invoice_period,
                        "amount_cents": inv.amount_cents,
                        "ingest_status": "pending",
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                inserted.append(uuid)
            elif (old.invoice_period, old.amount_cents) != (inv.invoice_period, inv.amount_cents):
                connection.execute(
                    cloud_invoices.update()
                    .where(c.provider == PROVIDER, c.invoice_uuid == uuid)
                    .values(
                        invoice_period=inv.invoice_period,
                        amount_cents=inv.amount_cents,
                        ingest_status="pending",
                        ingest_attempts=0,
                        ingest_error=None,
                        updated_at=stamp,
                    )
                )
                updated.append(uuid)
        if new_rows:
            connection.execute(_insert_ignoring_conflicts(connection), new_rows)
    return InvoiceUpsert(
        tuple(inserted), tuple(updated), len(incoming) - len(inserted) - len(updated)
    )


def _insert_ignoring_conflicts(connection: sa.Connection) -> sa.Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` (a concurrent upsert of the same invoice is fine)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(cloud_invoices).on_conflict_do_nothing(
        index_elements=["provider", "invoice_uuid"]
    )


def get_invoice(connection: sa.Connection, invoice_uuid: str) -> InvoiceRow:
    """The invoice's row; :class:`UnknownInvoiceError` if there is none."""
    c = cloud_invoices.c
    row = connection.execute(
        sa.select(*(getattr(c, f) for f in InvoiceRow.__dataclass_fields__)).where(
            c.provider == PROVIDER, c.invoice_uuid == invoice_uuid
        )
    ).one_or_none()
    if row is None:
        raise UnknownInvoiceError(invoice_uuid)
    return InvoiceRow(**row._asdict())


def mark_ingesting(engine: Engine, invoice_uuid: str, *, now: datetime | None = None) -> int:
    """Status ``ingesting`` and one more attempt (committed); returns the attempt number."""
    c = cloud_invoices.c
    with engine.begin() as connection:
        attempt = connection.execute(
            cloud_invoices.update()
            .where(c.provider == PROVIDER, c.invoice_uuid == invoice_uuid)
            .values(
                ingest_status="ingesting",
                ingest_attempts=c.ingest_attempts + 1,
                updated_at=_now(now),
            )
            .returning(c.ingest_attempts)
        ).scalar_one_or_none()
    if attempt is None:
        raise UnknownInvoiceError(invoice_uuid)
    return int(attempt)


def mark_failed(
    engine: Engine, invoice_uuid: str, error: str, *, now: datetime | None = None
) -> None:
    """Status ``failed`` with the error text (the line set, if any, is left as it was)."""
    c = cloud_invoices.c
    with engine.begin() as connection:
        connection.execute(
            cloud_invoices.update()
            .where(c.provider == PROVIDER, c.invoice_uuid == invoice_uuid)
            .values(
                ingest_status="failed",
                ingest_error=error[:MAX_ERROR_CHARS],
                updated_at=_now(now),
            )
        )


@contextmanager
def ingest_attempt(
    engine: Engine, invoice_uuid: str, *, now: datetime | None = None
) -> Iterator[int]:
    """Mark the invoice ``ingesting`` (attempt + 1) for the block; ``failed`` if it raises.

    The block is expected to finish by storing the line set (which sets ``ingested``).
    """
    attempt = mark_ingesting(engine, invoice_uuid, now=now)
    try:
        yield attempt
    except BaseException as exc:
        mark_failed(engine, invoice_uuid, f"{type(exc).__name__}: {exc}", now=now)
        raise


def invoices_to_ingest(
    engine: Engine,
    *,
    max_attempts: int = 5,
    stale_after: timedelta = timedelta(minutes=30),
    now: datetime | None = None,
) -> list[str]:
    """Invoice uuids a sensor should (re)ingest, oldest period first.

    Pending ones; failed ones with fewer than ``max_attempts`` attempts; and ``ingesting`` ones
    untouched for ``stale_after`` (their run died).
    """
    c = cloud_invoices.c
    stale = _now(now) - stale_after
    stmt = (
        sa.select(c.invoice_uuid)
        .where(
            c.provider == PROVIDER,
            sa.or_(
                c.ingest_status == "pending",
                sa.and_(c.ingest_status == "failed", c.ingest_attempts < max_attempts),
                sa.and_(c.ingest_status == "ingesting", c.updated_at < stale),
            ),
        )
        .order_by(c.invoice_period, c.invoice_uuid)
    )
    with engine.connect() as connection:
        return list(connection.execute(stmt).scalars())


def invoices_to_push(engine: Engine) -> list[str]:
    """Ingested invoices finance has not seen in their current form (never pushed, or their
    line set was stored again since the last push), oldest period first."""
    c = cloud_invoices.c
    stmt = (
        sa.select(c.invoice_uuid)
        .where(
            c.provider == PROVIDER,
            c.ingest_status == "ingested",
            sa.or_(c.pushed_to_finance_at.is_(None), c.pushed_to_finance_at < c.ingested_at),
        )
        .order_by(c.invoice_period, c.invoice_uuid)
    )
    with engine.connect() as connection:
        return list(connection.execute(stmt).scalars())

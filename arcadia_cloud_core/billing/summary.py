"""Per-invoice ingest summary: lines, match rate, unmatched by reason, reconciliation to the cent.

``match_rate`` is matched lines over *attributable* lines (every line except ``tax`` and
``account_level`` ones, which no resource can own); ``matched_cost_rate`` is the same by cents.
``reconciled`` is true when Σ line cents equals DO's invoice amount exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.invoices import get_invoice
from arcadia_cloud_core.billing.kinds import TAX_KIND
from arcadia_cloud_core.db.schema import cloud_cost_lines

NOT_ATTRIBUTABLE = ("tax", "account_level")


@dataclass(frozen=True)
class InvoiceIngestSummary:
    """What an invoice's stored line set says (computed from the database)."""

    invoice_uuid: str
    invoice_period: str
    ingest_status: str
    lines: int
    matched: int
    attributable: int
    match_rate: float
    total_cents: int
    matched_cents: int
    attributable_cents: int
    tax_cents: int
    invoice_amount_cents: int
    difference_cents: int
    reconciled: bool
    matched_by_method: Mapping[str, int] = field(default_factory=dict)
    unmatched_by_reason: Mapping[str, int] = field(default_factory=dict)

    @property
    def matched_cost_rate(self) -> float:
        """Matched cents over attributable cents (1.0 when nothing is attributable)."""
        if self.attributable_cents == 0:
            return 1.0
        return self.matched_cents / self.attributable_cents

    def as_metadata(self) -> dict[str, Any]:
        """Flat JSON-able values (e.g. for Dagster metadata)."""
        return {
            "invoice_uuid": self.invoice_uuid,
            "invoice_period": self.invoice_period,
            "lines": self.lines,
            "matched": self.matched,
            "attributable": self.attributable,
            "match_rate": round(self.match_rate, 4),
            "matched_cost_rate": round(self.matched_cost_rate, 4),
            "total_cents": self.total_cents,
            "tax_cents": self.tax_cents,
            "invoice_amount_cents": self.invoice_amount_cents,
            "difference_cents": self.difference_cents,
            "reconciled": self.reconciled,
            "matched_by_method": dict(self.matched_by_method),
            "unmatched_by_reason": dict(self.unmatched_by_reason),
        }


def invoice_summary(engine: Engine | sa.Connection, invoice_uuid: str) -> InvoiceIngestSummary:
    """Summarise the stored line set of ``invoice_uuid``."""
    if isinstance(engine, sa.Connection):
        return _summary(engine, invoice_uuid)
    with engine.connect() as connection:
        return _summary(connection, invoice_uuid)


def _summary(connection: sa.Connection, invoice_uuid: str) -> InvoiceIngestSummary:
    invoice = get_invoice(connection, invoice_uuid)
    c = cloud_cost_lines.c
    rows = connection.execute(
        sa.select(
            c.match_method,
            c.unmatched_reason,
            c.kind,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(c.amount_cents), 0),
        )
        .where(c.invoice_id == invoice.id)
        .group_by(c.match_method, c.unmatched_reason, c.kind)
    ).all()
    by_method: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    lines = matched = attributable = 0
    total = matched_cents = attributable_cents = tax = 0
    for method, reason, kind, count, cents in rows:
        count, cents = int(count), int(cents)
        lines += count
        total += cents
        if kind == TAX_KIND:
            tax += cents
        if method is not None:
            by_method[method] = by_method.get(method, 0) + count
            matched += count
            matched_cents += cents
        elif reason is not None:
            by_reason[reason] = by_reason.get(reason, 0) + count
        if reason not in NOT_ATTRIBUTABLE:
            attributable += count
            attributable_cents += cents
    return InvoiceIngestSummary(
        invoice_uuid=invoice.invoice_uuid,
        invoice_period=invoice.invoice_period,
        ingest_status=invoice.ingest_status,
        lines=lines,
        matched=matched,
        attributable=attributable,
        match_rate=matched / attributable if attributable else 1.0,
        total_cents=total,
        matched_cents=matched_cents,
        attributable_cents=attributable_cents,
        tax_cents=tax,
        invoice_amount_cents=invoice.amount_cents,
        difference_cents=total - invoice.amount_cents,
        reconciled=total == invoice.amount_cents,
        matched_by_method=dict(sorted(by_method.items())),
        unmatched_by_reason=dict(sorted(by_reason.items())),
    )

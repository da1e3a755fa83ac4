"""Ingest one invoice: fetch (optional) → parse → derive → match → store, with bookkeeping.

``ingest_invoice`` is what a Dagster asset partition calls with the CSV text (and DO's JSON items,
which carry resource ids); ``ingest_invoice_from_do`` also fetches both with a ``DOClient``. On
any failure the invoice is marked ``failed`` with the error, the previous line set stays, and
the error propagates (an :class:`InvoiceParseError` names the invoice, CSV line and column).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.cost_lines import replace_invoice_lines
from arcadia_cloud_core.billing.invoices import ingest_attempt
from arcadia_cloud_core.billing.pipeline import prepare_invoice_lines
from arcadia_cloud_core.billing.sources import items_frame, load_resources
from arcadia_cloud_core.billing.summary import InvoiceIngestSummary, invoice_summary

log = logging.getLogger(__name__)


class InvoiceSource(Protocol):
    """The two DO calls ingest needs (``DOClient`` has them)."""

    def get_invoice_csv(self, invoice_uuid: str) -> str: ...
    def list_invoice_items(self, invoice_uuid: str) -> Iterable[Any]: ...


def ingest_invoice(
    engine: Engine,
    *,
    invoice_uuid: str,
    csv_data: bytes | str,
    items: Iterable[Any] | None = None,
    now: datetime | None = None,
) -> InvoiceIngestSummary:
    """Parse, match and store one invoice's lines (the header must already be upserted)."""
    with ingest_attempt(engine, invoice_uuid, now=now) as attempt:
        _store(engine, invoice_uuid, csv_data, items, now)
    summary = invoice_summary(engine, invoice_uuid)
    log.info(
        "invoice %s ingested (attempt %d): %d lines, match rate %.3f, difference %d cents",
        invoice_uuid,
        attempt,
        summary.lines,
        summary.match_rate,
        summary.difference_cents,
    )
    return summary


def ingest_invoice_from_do(
    engine: Engine, source: InvoiceSource, *, invoice_uuid: str, now: datetime | None = None
) -> InvoiceIngestSummary:
    """Fetch the CSV and the JSON items from DO, then ingest (fetch errors also mark failed)."""
    with ingest_attempt(engine, invoice_uuid, now=now):
        csv_data = source.get_invoice_csv(invoice_uuid)
        items = list(source.list_invoice_items(invoice_uuid))
        _store(engine, invoice_uuid, csv_data, items, now)
    return invoice_summary(engine, invoice_uuid)


def _store(
    engine: Engine,
    invoice_uuid: str,
    csv_data: bytes | str,
    items: Iterable[Any] | None,
    now: datetime | None,
) -> None:
    with engine.connect() as connection:
        resources = load_resources(connection)
    lines = prepare_invoice_lines(
        csv_data,
        invoice_uuid=invoice_uuid,
        resources=resources,
        items=items_frame(items) if items is not None else None,
    )
    replace_invoice_lines(engine, invoice_uuid=invoice_uuid, lines=lines, now=now)

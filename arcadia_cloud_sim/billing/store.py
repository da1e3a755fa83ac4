"""The billing tables in the simulator's SQLite file: written once at seeding, read per request.

Times are stored as integer epoch seconds (UTC), money as integer cents (prices as centicents).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from arcadia_cloud_sim.billing.data import (
    Billable,
    BillingHistoryEntry,
    Invoice,
    InvoiceLine,
    TaxRule,
)
from arcadia_cloud_sim.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS billing_invoices (
    seq INTEGER PRIMARY KEY,
    invoice_uuid TEXT NOT NULL UNIQUE,
    invoice_id TEXT NOT NULL,
    invoice_period TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    line_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS billing_invoice_lines (
    invoice_uuid TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    product TEXT NOT NULL,
    group_description TEXT NOT NULL,
    description TEXT NOT NULL,
    hours INTEGER,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    project_name TEXT NOT NULL,
    category TEXT NOT NULL,
    resource_uuid TEXT,
    resource_id TEXT,
    PRIMARY KEY (invoice_uuid, line_no)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS billing_history (
    seq INTEGER PRIMARY KEY,
    date INTEGER NOT NULL,
    type TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    invoice_uuid TEXT,
    invoice_id TEXT
);
CREATE TABLE IF NOT EXISTS billing_usage (
    seq INTEGER PRIMARY KEY,
    product TEXT NOT NULL,
    group_description TEXT NOT NULL,
    description TEXT NOT NULL,
    monthly_centicents INTEGER NOT NULL,
    project_name TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER,
    resource_uuid TEXT,
    resource_id TEXT
);
CREATE TABLE IF NOT EXISTS billing_account (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""
_TABLES = ("billing_invoices", "billing_invoice_lines", "billing_history", "billing_usage",
           "billing_account")


@dataclass(frozen=True)
class InvoiceRow:
    """An invoice header as stored."""

    invoice_uuid: str
    invoice_id: str
    period: str
    amount_cents: int
    issued_at: datetime
    line_count: int


@dataclass(frozen=True)
class AccountInfo:
    """Account-level billing facts: the preview's identity, its month, and the tax rule."""

    preview_uuid: str
    preview_id: str
    preview_period: str
    tax: TaxRule | None


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def ensure_schema(store: Store) -> None:
    """Create the billing tables if they are missing (cheap; safe on every request)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            store.execute(statement)


def write_billing(
    store: Store,
    *,
    invoices: Sequence[Invoice],
    history: Sequence[BillingHistoryEntry],
    usage: Sequence[Billable],
    account: AccountInfo,
) -> None:
    """Replace all billing data in one transaction (bulk inserts)."""
    ensure_schema(store)
    with store.transaction() as conn:
        for table in _TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.executemany(
            "INSERT INTO billing_invoices (seq, invoice_uuid, invoice_id, invoice_period,"
            " amount_cents, issued_at, line_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i + 1, inv.invoice_uuid, inv.invoice_id, inv.period, inv.amount_cents,
              _ts(inv.issued_at), len(inv.lines)) for i, inv in enumerate(invoices)],
        )
        conn.executemany(
            "INSERT INTO billing_invoice_lines (invoice_uuid, line_no, product,"
            " group_description, description, hours, start_at, end_at, amount_cents,"
            " project_name, category, resource_uuid, resource_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(inv.invoice_uuid, n + 1, ln.product, ln.group_description, ln.description,
              ln.hours, _ts(ln.start), _ts(ln.end), ln.amount_cents, ln.project_name,
              ln.category, ln.resource_uuid, ln.resource_id)
             for inv in invoices for n, ln in enumerate(inv.lines)],
        )
        conn.executemany(
            "INSERT INTO billing_history (seq, date, type, description, amount_cents,"
            " invoice_uuid, invoice_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i + 1, _ts(e.date), e.type, e.description, e.amount_cents, e.invoice_uuid,
              e.invoice_id) for i, e in enumerate(history)],
        )
        conn.executemany(
            "INSERT INTO billing_usage (seq, product, group_description, description,"
            " monthly_centicents, project_name, start_at, end_at, resource_uuid, resource_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i + 1, b.product, b.group_description, b.description, b.monthly_centicents,
              b.project_name, _ts(b.start), None if b.end is None else _ts(b.end),
              b.resource_uuid, b.resource_id) for i, b in enumerate(usage)],
        )
        tax = None if account.tax is None else {
            "description": account.tax.description, "rate_percent": account.tax.rate_percent,
            "since": _ts(account.tax.since),
        }
        conn.execute(
            "INSERT INTO billing_account (key, value) VALUES ('account', ?)",
            (json.dumps({"preview_uuid": account.preview_uuid, "preview_id": account.preview_id,
                         "preview_period": account.preview_period, "tax": tax}),),
        )


def read_account(store: Store) -> AccountInfo | None:
    """The account facts, or None when billing was never seeded."""
    row = store.execute("SELECT value FROM billing_account WHERE key = 'account'").fetchone()
    if row is None:
        return None
    raw = json.loads(row[0])
    tax = raw["tax"]
    return AccountInfo(
        preview_uuid=raw["preview_uuid"], preview_id=raw["preview_id"],
        preview_period=raw["preview_period"],
        tax=None if tax is None else TaxRule(description=tax["description"],
                                             rate_percent=tax["rate_percent"],
                                             since=_dt(tax["since"])),
    )


def read_usage(store: Store) -> list[Billable]:
    """What the account is paying for now (drives the month-to-date preview)."""
    rows = store.execute(
        "SELECT product, group_description, description, monthly_centicents, project_name,"
        " start_at, end_at, resource_uuid, resource_id FROM billing_usage ORDER BY seq"
    ).fetchall()
    return [
        Billable(product=r[0], group_description=r[1], description=r[2],
                 monthly_centicents=r[3], project_name=r[4], start=_dt(r[5]),
                 end=None if r[6] is None else _dt(r[6]), resource_uuid=r[7], resource_id=r[8])
        for r in rows
    ]


_INVOICE_COLUMNS = "invoice_uuid, invoice_id, invoice_period, amount_cents, issued_at, line_count"


def _invoice(r: sqlite3.Row | tuple[Any, ...]) -> InvoiceRow:
    return InvoiceRow(invoice_uuid=r[0], invoice_id=r[1], period=r[2], amount_cents=r[3],
                      issued_at=_dt(r[4]), line_count=r[5])


def list_invoices(store: Store, *, limit: int, offset: int) -> tuple[list[InvoiceRow], int]:
    """Invoices newest first (as DO lists them) and the total count."""
    total = store.execute("SELECT COUNT(*) FROM billing_invoices").fetchone()[0]
    rows = store.execute(
        f"SELECT {_INVOICE_COLUMNS} FROM billing_invoices ORDER BY seq DESC LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [_invoice(r) for r in rows], int(total)


def get_invoice(store: Store, invoice_uuid: str) -> InvoiceRow | None:
    """One invoice header by uuid."""
    row = store.execute(
        f"SELECT {_INVOICE_COLUMNS} FROM billing_invoices WHERE invoice_uuid = ?",
        (invoice_uuid,),
    ).fetchone()
    return None if row is None else _invoice(row)


def read_invoice_lines(
    store: Store, invoice_uuid: str, *, limit: int = -1, offset: int = 0
) -> list[InvoiceLine]:
    """An invoice's lines in invoice order (``limit=-1``: all of them)."""
    rows = store.execute(
        "SELECT product, group_description, description, hours, start_at, end_at,"
        " amount_cents, project_name, category, resource_uuid, resource_id"
        " FROM billing_invoice_lines WHERE invoice_uuid = ? ORDER BY line_no LIMIT ? OFFSET ?",
        (invoice_uuid, limit, offset),
    ).fetchall()
    times: dict[int, datetime] = {}

    def dt(ts: int) -> datetime:
        moment = times.get(ts)
        if moment is None:
            moment = times[ts] = _dt(ts)
        return moment

    return [
        InvoiceLine(product=r[0], group_description=r[1], description=r[2], hours=r[3],
                    start=dt(r[4]), end=dt(r[5]), amount_cents=r[6], project_name=r[7],
                    category=r[8], resource_uuid=r[9], resource_id=r[10])
        for r in rows
    ]


def list_history(
    store: Store, *, limit: int, offset: int
) -> tuple[list[BillingHistoryEntry], int]:
    """Billing history entries oldest first and the total count."""
    total = store.execute("SELECT COUNT(*) FROM billing_history").fetchone()[0]
    rows = store.execute(
        "SELECT date, type, description, amount_cents, invoice_uuid, invoice_id"
        " FROM billing_history ORDER BY seq LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    entries = [
        BillingHistoryEntry(date=_dt(r[0]), type=r[1], description=r[2], amount_cents=r[3],
                            invoice_uuid=r[4], invoice_id=r[5])
        for r in rows
    ]
    return entries, int(total)


def account_balance_cents(store: Store) -> int:
    """Σ of the billing history: invoices not yet paid (payments are negative)."""
    row = store.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM billing_history").fetchone()
    return int(row[0])

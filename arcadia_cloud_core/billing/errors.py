"""Typed billing errors, each carrying the context a human needs to act on it."""

from __future__ import annotations

from arcadia_cloud_core.errors import ArcadiaError


class BillingError(ArcadiaError):
    """Base of the billing errors."""


class InvoiceParseError(BillingError):
    """An invoice CSV could not be parsed; names the invoice, the CSV line and the column.

    ``line`` is the physical line of the file (the header is line 1); ``None`` when the problem
    is not tied to one line. ``column`` is the CSV column (or columns, comma-separated).
    """

    def __init__(
        self,
        reason: str,
        *,
        invoice_uuid: str,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.invoice_uuid = invoice_uuid
        self.line = line
        self.column = column
        where = [f"invoice {invoice_uuid}"]
        if line is not None:
            where.append(f"CSV line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {reason}")


class UnknownInvoiceError(BillingError):
    """The invoice has no header row in ``cloud_invoices`` (upsert the invoice list first)."""

    def __init__(self, invoice_uuid: str) -> None:
        self.invoice_uuid = invoice_uuid
        super().__init__(
            f"invoice {invoice_uuid} is not in cloud_invoices; upsert the invoice list first"
        )


class FinancePushError(BillingError):
    """Pushing an invoice to finance failed and retrying the same request will not help."""

    def __init__(self, message: str, *, invoice_uuid: str, status_code: int | None = None) -> None:
        self.invoice_uuid = invoice_uuid
        self.status_code = status_code
        super().__init__(f"finance push of invoice {invoice_uuid}: {message}")


class FinanceRetryableError(FinancePushError):
    """A transient finance failure (5xx, 429, timeout, connection): retry later."""

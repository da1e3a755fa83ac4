"""``/v2/customers/my``: balance, billing history, invoices (JSON, CSV, summary)."""

from __future__ import annotations

from functools import partial

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import (
    Balance,
    BillingHistoryEntry,
    Invoice,
    InvoiceItem,
    InvoiceSummary,
)
from arcadia_cloud_core.digitalocean.validation import uuid_id

_PREVIEW = frozenset({"preview"})


def _invoice_uuid(invoice_uuid: str) -> str:
    return uuid_id(invoice_uuid, arg="invoice_uuid", allow=_PREVIEW)


class BillingAPI(APIBase):
    """Billing endpoints (use a client with ``purpose="billing"`` and its own token)."""

    def get_balance(self) -> Balance:
        """``GET /v2/customers/my/balance`` (amounts in cents)."""
        return self._get_one("/v2/customers/my/balance", None, Balance.from_payload)

    def list_billing_history(self) -> Listing[BillingHistoryEntry]:
        """``GET /v2/customers/my/billing_history`` (no ids: nothing is de-duplicated)."""
        return self._list(
            "/v2/customers/my/billing_history",
            "billing_history",
            BillingHistoryEntry.from_payload,
            id_field=None,
        )

    def list_invoices(self) -> Listing[Invoice]:
        """``GET /v2/customers/my/invoices`` (issued invoices, newest first as DO lists them)."""
        return self._list(
            "/v2/customers/my/invoices", "invoices", Invoice.from_payload, id_field="invoice_uuid"
        )

    def get_invoice_preview(self) -> Invoice | None:
        """The month-to-date ``invoice_preview`` (``None`` when DO has none)."""
        path = "/v2/customers/my/invoices"
        body = self._transport.call("GET", path, params={"per_page": 1})
        if body.get("invoice_preview") is None:
            return None
        return parse_object(body, "invoice_preview", Invoice.from_payload, method="GET", path=path)

    def list_invoice_items(self, invoice_uuid: str) -> Listing[InvoiceItem]:
        """Every line of an invoice (all pages; lines have no ids, so none are de-duplicated)."""
        uid = _invoice_uuid(invoice_uuid)
        return self._list(
            f"/v2/customers/my/invoices/{uid}",
            "invoice_items",
            partial(InvoiceItem.from_payload, invoice_uuid=uid),
            id_field=None,
        )

    def get_invoice_csv(self, invoice_uuid: str) -> str:
        """The invoice as CSV text; an empty, HTML or JSON body is a ``DOParseError``."""
        uid = _invoice_uuid(invoice_uuid)
        path = f"/v2/customers/my/invoices/{uid}/csv"
        return self._transport.call("GET", path, expect="csv")

    def get_invoice_summary(self, invoice_uuid: str) -> InvoiceSummary:
        """``GET .../invoices/{uuid}/summary`` (a bare object)."""
        uid = _invoice_uuid(invoice_uuid)
        return self._get_one(
            f"/v2/customers/my/invoices/{uid}/summary", None, InvoiceSummary.from_payload
        )

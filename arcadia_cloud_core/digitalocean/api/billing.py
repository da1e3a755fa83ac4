"""``/v2/customers/my``: balance, billing history, invoices (JSON, CSV, summary); and
``/v2/billing/{account_urn}/insights``: daily amounts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.errors import DOCurrencyError, DOParseError
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import (
    Balance,
    BillingHistoryEntry,
    BillingInsight,
    Invoice,
    InvoiceItem,
    InvoiceSummary,
)
from arcadia_cloud_core.digitalocean.validation import uuid_id

_PREVIEW = frozenset({"preview"})
#: Days one insights call may span (both ends included): DO's limit.
INSIGHTS_MAX_DAYS = 31
_ACCOUNT_URN = re.compile(r"do:(?:team|teamgroup):[0-9A-Za-z-]{1,64}")


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

    def list_billing_insights(
        self, account_urn: str, start: date, end: date
    ) -> Listing[BillingInsight]:
        """Every daily data point of ``start``..``end`` (both included), in calls of at most
        :data:`INSIGHTS_MAX_DAYS` days, each paginated.

        A data point that does not parse raises ``DOParseError`` (``DOCurrencyError`` for a
        currency other than USD): a cost series is never returned with days missing."""
        if not isinstance(account_urn, str) or not _ACCOUNT_URN.fullmatch(account_urn):
            raise ValueError(f"invalid account_urn: {account_urn!r:.60} is not do:team:<uuid>")
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        items: list[BillingInsight] = []
        requests = pages = 0
        first = start
        while first <= end:
            last = min(end, first + timedelta(days=INSIGHTS_MAX_DAYS - 1))
            path = f"/v2/billing/{account_urn}/insights/{first.isoformat()}/{last.isoformat()}"
            chunk = self._list(path, "data_points", BillingInsight.from_payload, id_field=None)
            if chunk.skipped:
                bad = chunk.skipped[0]
                error = DOCurrencyError if bad.field == "currency" else DOParseError
                raise error(
                    bad.reason, field=f"data_points[].{bad.field}", method="GET", path=bad.endpoint
                )
            items += chunk.items
            requests, pages = requests + chunk.requests, pages + chunk.pages
            first = last + timedelta(days=1)
        return Listing(items=tuple(items), requests=requests, pages=pages, total=len(items))

"""Billing: balance, billing history, invoices, invoice items, summaries and daily insights
(money in cents)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_datetime,
    opt_list,
    opt_mapping,
    opt_str,
    req_cents,
    req_datetime,
    req_str,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


@dataclass(frozen=True)
class Balance:
    """``GET /v2/customers/my/balance`` (a bare object), amounts in integer cents."""

    month_to_date_balance_cents: int
    account_balance_cents: int
    month_to_date_usage_cents: int
    generated_at: datetime
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Balance:
        """Parse the balance object."""
        return cls(
            month_to_date_balance_cents=req_cents(p, "month_to_date_balance"),
            account_balance_cents=req_cents(p, "account_balance"),
            month_to_date_usage_cents=req_cents(p, "month_to_date_usage"),
            generated_at=req_datetime(p, "generated_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class BillingHistoryEntry:
    """One billing-history line (credits and payments are negative)."""

    description: str
    amount_cents: int
    type: str
    date: datetime
    invoice_id: str | None
    invoice_uuid: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> BillingHistoryEntry:
        """Parse a ``billing_history[]`` entry."""
        return cls(
            description=opt_str(p, "description") or "",
            amount_cents=req_cents(p, "amount"),
            type=req_str(p, "type"),
            date=req_datetime(p, "date"),
            invoice_id=opt_str(p, "invoice_id"),
            invoice_uuid=opt_str(p, "invoice_uuid"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Invoice:
    """A monthly invoice (``invoice_period`` is ``YYYY-MM``; the preview has ``updated_at``)."""

    invoice_uuid: str
    invoice_id: str | None
    amount_cents: int
    invoice_period: str
    updated_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Invoice:
        """Parse an ``invoices[]`` entry or the ``invoice_preview``."""
        return cls(
            invoice_uuid=req_str(p, "invoice_uuid"),
            invoice_id=opt_str(p, "invoice_id"),
            amount_cents=req_cents(p, "amount"),
            invoice_period=req_str(p, "invoice_period"),
            updated_at=opt_datetime(p, "updated_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class InvoiceItem:
    """One line of an invoice (``GET /v2/customers/my/invoices/{uuid}``)."""

    invoice_uuid: str
    product: str
    description: str | None
    group_description: str | None
    amount_cents: int
    duration: str | None
    duration_unit: str | None
    start_time: datetime | None
    end_time: datetime | None
    project_name: str | None
    resource_uuid: str | None
    resource_id: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, invoice_uuid: str) -> InvoiceItem:
        """Parse an ``invoice_items[]`` entry of ``invoice_uuid``."""
        return cls(
            invoice_uuid=invoice_uuid,
            product=req_str(p, "product"),
            description=opt_str(p, "description"),
            group_description=opt_str(p, "group_description"),
            amount_cents=req_cents(p, "amount"),
            duration=opt_str(p, "duration"),
            duration_unit=opt_str(p, "duration_unit"),
            start_time=opt_datetime(p, "start_time"),
            end_time=opt_datetime(p, "end_time"),
            project_name=opt_str(p, "project_name"),
            resource_uuid=opt_str(p, "resource_uuid"),
            resource_id=opt_str(p, "resource_id"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class SummaryLine:
    """A named amount of an invoice summary (``count`` only on product-charge items)."""

    name: str
    amount_cents: int
    count: str | None = None


def _line(p: Mapping[str, Any], key: str) -> SummaryLine | None:
    block = opt_mapping(p, key)
    if not block:
        return None
    name = opt_str(block, "name") or key
    return SummaryLine(name=name, amount_cents=req_cents(p, f"{key}.amount"))


@dataclass(frozen=True)
class InvoiceSummary:
    """``GET .../invoices/{uuid}/summary`` (a bare object; note ``billing_period``)."""

    invoice_uuid: str
    invoice_id: str | None
    billing_period: str
    amount_cents: int
    user_name: str | None
    user_company: str | None
    user_email: str | None
    product_charges: SummaryLine | None
    product_charge_items: tuple[SummaryLine, ...]
    overages: SummaryLine | None
    taxes: SummaryLine | None
    credits_and_adjustments: SummaryLine | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> InvoiceSummary:
        """Parse the summary object."""
        items = []
        for i, item in enumerate(opt_list(opt_mapping(p, "product_charges"), "items")):
            where = f"product_charges.items[{i}]"
            if not isinstance(item, Mapping):
                raise FieldError(where, "expected an object")
            try:
                items.append(
                    SummaryLine(
                        name=opt_str(item, "name") or "",
                        amount_cents=req_cents(item, "amount"),
                        count=opt_str(item, "count"),
                    )
                )
            except FieldError as exc:
                raise FieldError(f"{where}.{exc.field}", exc.reason) from None
        return cls(
            invoice_uuid=req_str(p, "invoice_uuid"),
            invoice_id=opt_str(p, "invoice_id"),
            billing_period=req_str(p, "billing_period"),
            amount_cents=req_cents(p, "amount"),
            user_name=opt_str(p, "user_name"),
            user_company=opt_str(p, "user_company"),
            user_email=opt_str(p, "user_email"),
            product_charges=_line(p, "product_charges"),
            product_charge_items=tuple(items),
            overages=_line(p, "overages"),
            taxes=_line(p, "taxes"),
            credits_and_adjustments=_line(p, "credits_and_adjustments"),
            raw=frozen(p),
        )


#: The one currency DO bills in (its amounts are "in USD"); any other is refused, not converted.
USD = "USD"


@dataclass(frozen=True)
class BillingInsight:
    """One day's amount for one SKU, region and description (billing insights' data point).

    ``amount_cents`` may be negative (a credit). DO's data points carry no currency (the spec
    says USD); one that names another currency is refused (``currency`` field error)."""

    day: date
    sku: str
    region: str
    description: str
    group_description: str
    amount_cents: int
    usage_team_urn: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> BillingInsight:
        """Parse a ``data_points[]`` entry."""
        currency = opt_str(p, "currency")
        if currency is not None and currency.strip().upper() != USD:
            raise FieldError("currency", f"{currency!r:.20} is not USD (the only one supported)")
        raw_day = req_str(p, "start_date")
        try:
            day = date.fromisoformat(raw_day) if len(raw_day) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise FieldError("start_date", f"not a YYYY-MM-DD date: {raw_day!r:.40}")
        return cls(
            day=day,
            sku=req_str(p, "sku"),
            region=opt_str(p, "region") or "",
            description=opt_str(p, "description") or "",
            group_description=opt_str(p, "group_description") or "",
            amount_cents=req_cents(p, "total_amount"),
            usage_team_urn=opt_str(p, "usage_team_urn"),
            raw=frozen(p),
        )

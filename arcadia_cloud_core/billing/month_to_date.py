"""This month so far: DO's month-to-date invoice preview beside the stored daily lines.

The preview (``/v2/customers/my/invoices/preview``) is DO's running invoice of the month; the
daily lines (:mod:`daily_costs`) are the same spend by day. :func:`month_to_date` puts them side
by side — the preview's total and products, the days loaded and their total, the difference,
and the month-end forecast from the daily series (:func:`~.forecast.forecast_month_end`, a
line being one SKU and description: one resource's charge).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.daily_costs import load_daily_costs
from arcadia_cloud_core.billing.errors import BillingError
from arcadia_cloud_core.billing.forecast import forecast_month_end
from arcadia_cloud_core.db.schema import PROVIDER, cloud_daily_cost_days

__all__ = ["MonthToDate", "month_to_date"]


@dataclass(frozen=True)
class MonthToDate:
    """The preview's month so far, and what the daily lines say of it (cents)."""

    period: str
    preview_cents: int
    preview_lines: int
    by_product: dict[str, int]
    days_loaded: int
    last_day_loaded: date | None
    daily_cents: int
    forecast: dict[str, int] = field(default_factory=dict)

    @property
    def difference_cents(self) -> int:
        """Preview minus the daily lines (0 once every day so far is loaded)."""
        return self.preview_cents - self.daily_cents


def _month(period: str) -> tuple[date, date]:
    try:
        year, month = (int(part) for part in period.split("-"))
        last = calendar.monthrange(year, month)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise BillingError(f"invoice preview: period {period!r:.20} is not YYYY-MM") from None
    return date(year, month, 1), date(year, month, last)


def month_to_date(engine: Engine, *, preview: Any, items: Iterable[Any]) -> MonthToDate:
    """``preview`` (DO's ``Invoice`` of the preview) and its ``items`` (``InvoiceItem``s) beside
    the daily lines stored for that month."""
    first, last = _month(preview.invoice_period)
    by_product: Counter[str] = Counter()
    lines = 0
    for item in items:
        by_product[item.product] += item.amount_cents
        lines += 1
    d = cloud_daily_cost_days.c
    with engine.connect() as connection:
        loaded = connection.execute(
            sa.select(sa.func.count(), sa.func.max(d.day)).where(
                d.provider == PROVIDER, d.day >= first, d.day <= last
            )
        ).one()
    daily = load_daily_costs(engine, start=first, end=last)
    forecast: dict[str, int] = {}
    if loaded[1] is not None:
        row = forecast_month_end(daily, as_of=loaded[1], line=("sku", "description")).iloc[0]
        forecast = {k: int(row[k]) for k in ("forecast_cents", "low_cents", "high_cents")}
    return MonthToDate(
        period=preview.invoice_period,
        preview_cents=preview.amount_cents,
        preview_lines=lines,
        by_product=dict(by_product.most_common()),
        days_loaded=int(loaded[0]),
        last_day_loaded=loaded[1],
        daily_cents=int(daily["amount_cents"].sum()),
        forecast=forecast,
    )

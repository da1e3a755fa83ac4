"""This month's outlook from the stored daily costs: where it lands, what jumped, what moved.

:func:`spend_outlook` reads the last loaded day (``as_of``) and the weeks before it and gives
the month-end forecast for the account, per tenant and per project (:mod:`forecast`, per SKU
and description line), the anomalies of the month so far per (project, kind)
(:mod:`anomalies`; a new resource is explained up to its list price from inventory), and the
top movers (the last 7 days against the 7 before, per project and kind).
:func:`anomalies_on` is the same detection for one day, as the daily partition's check uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.anomalies import detect_anomalies, new_resource_costs
from arcadia_cloud_core.billing.daily_costs import load_daily_costs
from arcadia_cloud_core.billing.forecast import VOLATILITY_DAYS, forecast_month_end
from arcadia_cloud_core.db.schema import PROVIDER, cloud_daily_cost_days, cloud_resources

__all__ = ["MOVER_COLUMNS", "SpendOutlook", "anomalies_on", "last_loaded_day", "spend_outlook"]

LINE = ("sku", "description")
GROUP = ("project_name", "kind")
#: Days of history read before the month (the forecast's interval, the anomalies' baseline).
HISTORY_DAYS = max(VOLATILITY_DAYS, 35)
MOVER_COLUMNS = ("project_name", "kind", "last_7_days_cents", "previous_7_days_cents")
MOVER_COLUMNS += ("change_cents",)
TOP_MOVERS = 10


@dataclass(frozen=True)
class SpendOutlook:
    """What :func:`spend_outlook` found (frames empty when nothing is loaded)."""

    as_of: date | None
    account: pd.DataFrame  # one row of forecast.FORECAST_COLUMNS
    by_tenant: pd.DataFrame
    by_project: pd.DataFrame
    anomalies: pd.DataFrame  # this month's, per (project, kind): anomalies.ANOMALY_COLUMNS
    movers: pd.DataFrame  # MOVER_COLUMNS, largest change first


def last_loaded_day(engine: Engine, *, on_or_before: date | None = None) -> date | None:
    """The latest day whose daily costs are loaded (at most ``on_or_before``)."""
    d = cloud_daily_cost_days.c
    stmt = sa.select(sa.func.max(d.day)).where(d.provider == PROVIDER)
    if on_or_before is not None:
        stmt = stmt.where(d.day <= on_or_before)
    with engine.connect() as connection:
        return connection.execute(stmt).scalar_one_or_none()


def daily_list_cents(engine: Engine) -> dict[int, int]:
    """Each priced resource's list price for one day (hourly × 24, in cents, rounded up)."""
    r = cloud_resources.c
    with engine.connect() as connection:
        rows = connection.execute(sa.select(r.id, r.attrs).where(r.provider == PROVIDER)).all()
    out = {}
    for resource_id, attrs in rows:
        hourly = attrs.get("price_hourly") if isinstance(attrs, dict) else None
        try:
            cents = Decimal(str(hourly)) * 24 * 100 if hourly is not None else None
        except InvalidOperation:
            cents = None
        if cents is not None and cents.is_finite() and cents >= 0:
            out[int(resource_id)] = int(cents.to_integral_value(rounding="ROUND_CEILING"))
    return out


def _anomalies(engine: Engine, daily: pd.DataFrame) -> pd.DataFrame:
    explained = new_resource_costs(daily, by=GROUP, daily_list_cents=daily_list_cents(engine))
    return detect_anomalies(daily, by=GROUP, explained=explained)


def anomalies_on(engine: Engine, day: date) -> pd.DataFrame:
    """The anomalies of ``day`` per (project, kind), against the weeks before it."""
    daily = load_daily_costs(engine, start=day - timedelta(days=HISTORY_DAYS), end=day)
    found = _anomalies(engine, daily)
    return found[found["day"] == day].reset_index(drop=True)


def _movers(daily: pd.DataFrame, as_of: date) -> pd.DataFrame:
    days = pd.to_datetime(daily["day"]).dt.date
    last = daily[days > as_of - timedelta(days=7)]
    before = daily[(days <= as_of - timedelta(days=7)) & (days > as_of - timedelta(days=14))]
    sums = [
        frame.groupby(list(GROUP), dropna=False)["amount_cents"].sum() for frame in (last, before)
    ]
    both = pd.concat(sums, axis=1, keys=list(MOVER_COLUMNS[2:4])).fillna(0).astype(np.int64)
    both["change_cents"] = both[MOVER_COLUMNS[2]] - both[MOVER_COLUMNS[3]]
    both = both.reset_index()
    order = both["change_cents"].abs().sort_values(ascending=False, kind="stable").index
    return both.loc[order[:TOP_MOVERS], list(MOVER_COLUMNS)].reset_index(drop=True)


def spend_outlook(engine: Engine, *, as_of: date | None = None) -> SpendOutlook:
    """Forecasts, anomalies and movers as of the last loaded day (or ``as_of``)."""
    day = last_loaded_day(engine, on_or_before=as_of)
    if day is None:
        empty = pd.DataFrame()
        return SpendOutlook(None, empty, empty, empty, empty, empty)
    first = day.replace(day=1)
    daily = load_daily_costs(engine, start=first - timedelta(days=HISTORY_DAYS), end=day)
    anomalies = _anomalies(engine, daily)
    anomalies = anomalies[anomalies["day"] >= first].reset_index(drop=True)
    return SpendOutlook(
        as_of=day,
        account=forecast_month_end(daily, as_of=day, line=LINE),
        by_tenant=forecast_month_end(daily, as_of=day, by=["tenant"], line=LINE),
        by_project=forecast_month_end(daily, as_of=day, by=["project_name"], line=LINE),
        anomalies=anomalies,
        movers=_movers(daily, day),
    )

"""Month-end spend from the daily series: what this month will cost, with an interval.

Per group (account, tenant, project ...): the month so far (exact cents) plus the days left at
the recent run rate. The run rate is the median of the last :data:`RUN_RATE_DAYS` complete days
(robust to one spike; a resource created or deleted mid-month moves it within a week). The
interval is 90 %: the spread of those days around the run rate (1.4826 × MAD, a robust standard
deviation) over the days left, as if days were independent, plus the run rate's own error.
Days with no line in a group count as zero spend. Amounts are integer cents throughout (an
estimate is rounded half to even once, at the end).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from math import sqrt

import numpy as np
import pandas as pd

__all__ = ["FORECAST_COLUMNS", "RUN_RATE_DAYS", "forecast_month_end"]

#: Complete days the run rate is taken from.
RUN_RATE_DAYS = 7
#: z for a two-sided 90 % interval.
_Z90 = 1.645
#: Columns of :func:`forecast_month_end`'s frame, after the group columns.
FORECAST_COLUMNS = ("mtd_cents", "run_rate_cents", "forecast_cents", "low_cents", "high_cents")
FORECAST_COLUMNS += ("days_observed", "days_in_month")


def forecast_month_end(daily: pd.DataFrame, *, as_of: date, by: Sequence[str] = ()) -> pd.DataFrame:
    """Month-end spend for the month of ``as_of``, from its days 1..``as_of`` (inclusive).

    ``daily``: one row per (day, group, ...) with ``day`` (a date) and ``amount_cents``
    (integers; several rows of one day and group are summed); other months are ignored. One row
    per group of ``by`` (one row in all when ``by`` is empty) with :data:`FORECAST_COLUMNS`.
    ``ValueError`` when a column is missing or an amount is not a whole number of cents."""
    _require(daily, ("day", "amount_cents", *by))
    first = as_of.replace(day=1)
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    daily = daily.reset_index(drop=True)
    days = pd.to_datetime(daily["day"])
    month = daily.loc[(days.dt.date >= first) & (days.dt.date <= as_of), [*by, "amount_cents"]]
    month = month.assign(day=(days[month.index] - pd.Timestamp(first)).dt.days)
    amounts = month["amount_cents"]
    if not (pd.api.types.is_integer_dtype(amounts) or amounts.empty):
        raise ValueError("amount_cents must be whole cents (an integer column)")
    observed = as_of.day
    keys = [*by, "day"]
    per_day = month.groupby(keys, dropna=False, sort=True)["amount_cents"].sum()
    if by:
        grid = per_day.unstack("day", fill_value=0).reindex(columns=range(observed), fill_value=0)
    else:
        grid = per_day.reindex(range(observed), fill_value=0).to_frame().T
    rows = [_one(series.to_numpy(dtype=np.int64), days_in_month) for _, series in grid.iterrows()]
    out = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS[:-2]), index=grid.index)
    out["days_observed"], out["days_in_month"] = observed, days_in_month
    return out.reset_index(drop=not by).loc[:, [*by, *FORECAST_COLUMNS]]


def _one(days: np.ndarray, days_in_month: int) -> tuple[int, int, int, int, int]:
    """(month to date, run rate, forecast, low, high) in cents for one group's days so far."""
    mtd = int(days.sum())
    recent = days[-RUN_RATE_DAYS:]
    rate = float(np.median(recent))
    left = days_in_month - len(days)
    spread = 1.4826 * float(np.median(np.abs(recent - rate)))
    # Days left vary around the rate; the rate itself is uncertain by spread / sqrt(n) a day.
    error = _Z90 * spread * sqrt(left + left**2 / len(recent))
    forecast = mtd + rate * left
    low = forecast - error
    if (days >= 0).all():  # no credits so far: the month cannot end below what is spent
        low = max(low, float(mtd))
    return mtd, round(rate), round(forecast), round(low), round(forecast + error)


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"daily series is missing column(s) {', '.join(missing)}")

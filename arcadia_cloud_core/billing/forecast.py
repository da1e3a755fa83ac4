"""Month-end spend from the daily series: what this month will cost, with an interval.

Per group (account, tenant, project ...): the month so far (exact cents) plus the days left at
the run rate of what is running now. The run rate adds up, over the lines (``line``: SKU and
description, i.e. one resource's charge) billed on ``as_of``, the median of each line's
amounts over its days among the month's last :data:`RUN_RATE_DAYS` (robust to one spike; a
price differs by the month's length, so last month's days are not used): a resource
deleted during the month stops counting at once, a new one counts from its first day. A line
not billed on ``as_of`` is taken as stopped.

The 90 % interval comes from how the group's daily total moved over the last
:data:`VOLATILITY_DAYS` days (from the series' first day when it starts later): with ``s`` the
root mean square of its day-over-day changes, the level ``k`` days ahead drifts by about
``s·√k`` (resources come and go), and the month's remaining spend by ``s·Σ√k``. Without
credits so far the month cannot end below what is already spent.
Days with no line count as zero spend. Amounts are integer cents throughout (an estimate is
rounded half to even once, at the end). Measured on the simulator's history by
``bench/cost_forecast.py``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

__all__ = ["FORECAST_COLUMNS", "RUN_RATE_DAYS", "VOLATILITY_DAYS", "forecast_month_end"]

#: Days of a line's recent amounts its run rate is the median of.
RUN_RATE_DAYS = 7
#: Days of the group's history its interval is drawn from (the month so far and before it).
VOLATILITY_DAYS = 56
#: z for a two-sided 90 % interval.
_Z90 = 1.645
#: Columns of :func:`forecast_month_end`'s frame, after the group columns.
FORECAST_COLUMNS = ("mtd_cents", "run_rate_cents", "forecast_cents", "low_cents", "high_cents")
FORECAST_COLUMNS += ("days_observed", "days_in_month")


def forecast_month_end(
    daily: pd.DataFrame,
    *,
    as_of: date,
    by: Sequence[str] = (),
    line: Sequence[str] = (),
) -> pd.DataFrame:
    """Month-end spend for the month of ``as_of``, from its days 1..``as_of`` (inclusive).

    ``daily``: rows of ``day`` (a date), ``amount_cents`` (integers), the ``by`` columns and
    the ``line`` columns (several rows of one day and line are summed; without ``line`` each
    group is one line). Days up to :data:`VOLATILITY_DAYS` before the month feed the interval;
    later days are ignored. One row per group of ``by`` (one row in all when ``by`` is empty)
    with :data:`FORECAST_COLUMNS`. ``ValueError`` when a column is missing or an amount is not
    a whole number of cents."""
    by, line = list(by), list(line)
    _require(daily, ("day", "amount_cents", *by, *line))
    amounts = daily["amount_cents"]
    if not (pd.api.types.is_integer_dtype(amounts) or amounts.empty):
        raise ValueError("amount_cents must be whole cents (an integer column)")
    first = as_of.replace(day=1)
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    daily = daily.reset_index(drop=True)
    days = pd.to_datetime(daily["day"]).to_numpy("datetime64[D]")
    # History before the series' first day is unknown, not zero: the window starts there.
    start = min(first, as_of - timedelta(days=VOLATILITY_DAYS - 1))
    if len(days):
        start = min(first, max(start, days.min().astype(date)))
    keep = (days >= np.datetime64(start)) & (days <= np.datetime64(as_of))
    rows = daily.loc[keep, [*by, *line, "amount_cents"]]
    rows = rows.assign(day=(days[keep] - np.datetime64(start)).astype(np.int64))
    width = (as_of - start).days + 1
    month_from = (first - start).days
    groups = rows.groupby(by, dropna=False, sort=True) if by else [((), rows)]
    out = []
    for key, group in groups:
        out.append((*_key(key, by), *_one(group, line, width, month_from, days_in_month)))
    frame = pd.DataFrame(out, columns=[*by, *FORECAST_COLUMNS[:-2]])
    if not by and frame.empty:
        frame = pd.DataFrame([(0, 0, 0, 0, 0)], columns=list(FORECAST_COLUMNS[:-2]))
    frame["days_observed"], frame["days_in_month"] = as_of.day, days_in_month
    return frame.loc[:, [*by, *FORECAST_COLUMNS]]


def _key(key: object, by: Sequence[str]) -> tuple[object, ...]:
    if not by:
        return ()
    return key if isinstance(key, tuple) else (key,)


def _one(
    group: pd.DataFrame, line: Sequence[str], width: int, month_from: int, days_in_month: int
) -> tuple[int, int, int, int, int]:
    """(month to date, run rate, forecast, low, high) in cents for one group."""
    totals = np.zeros(width, dtype=np.int64)
    np.add.at(totals, group["day"].to_numpy(), group["amount_cents"].to_numpy(dtype=np.int64))
    month = totals[month_from:]
    mtd = int(month.sum())
    left = days_in_month - len(month)
    rate = _run_rate(group, line, width, month_from)
    steps = np.diff(totals)
    sigma = float(np.sqrt(np.mean(steps.astype(float) ** 2))) if steps.size else 0.0
    error = _Z90 * sigma * float(np.sqrt(np.arange(1, left + 1)).sum())
    forecast = mtd + rate * left
    low = forecast - error
    if (month >= 0).all():  # no credits so far: the month cannot end below what is spent
        low = max(low, float(mtd))
    return mtd, round(rate), round(forecast), round(low), round(forecast + error)


def _run_rate(group: pd.DataFrame, line: Sequence[str], width: int, month_from: int) -> float:
    """Σ over the lines billed on the last day of the median of their recent days."""
    offset = max(month_from, width - RUN_RATE_DAYS)
    recent = group[group["day"] >= offset]
    if recent.empty:
        return 0.0
    if line:
        codes = recent.groupby(list(line), dropna=False, sort=False).ngroup().to_numpy()
    else:
        codes = np.zeros(len(recent), dtype=np.int64)
    cell = (codes, recent["day"].to_numpy() - offset)
    sums = np.zeros((codes.max() + 1, width - offset))
    np.add.at(sums, cell, recent["amount_cents"].to_numpy(dtype=float))
    billed = np.zeros(sums.shape, dtype=bool)
    billed[cell] = True
    running = billed[:, -1]  # billed on as_of: still running
    if not running.any():
        return 0.0
    return float(np.nanmedian(np.where(billed[running], sums[running], np.nan), axis=1).sum())


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"daily series is missing column(s) {', '.join(missing)}")

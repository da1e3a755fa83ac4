"""Spend that jumps: daily spend per group (project, kind ...) against a robust baseline.

For each day with at least :data:`MIN_HISTORY_DAYS` days before it, the baseline is the median
of the same weekday in the four weeks before (seasonality by weekday), raised by how far the
median of the seven days before rose over the three weeks before them (so a lasting new level
stops counting after four days). The
scale is 1.4826 × the median absolute deviation of the 28 days before from their median (a
robust standard deviation), at least :data:`SCALE_FLOOR_SHARE` of the baseline. A day is an
anomaly when what the baseline and the list price of the group's new resources do not explain
(``explained_cents``: a new resource is not an anomaly when its list price accounts for it) is
more than ``threshold`` scales and at least ``min_cents``. Only rises are reported: a fall is a
resource gone, not a cost to act on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ANOMALY_COLUMNS",
    "MIN_HISTORY_DAYS",
    "NEW_RESOURCE_DAYS",
    "SCALE_FLOOR_SHARE",
    "detect_anomalies",
    "new_resource_costs",
]

MIN_HISTORY_DAYS = 7
#: Days a new resource's cost is explained by its price (the baseline has caught up by then).
NEW_RESOURCE_DAYS = 7
SCALE_FLOOR_SHARE = 0.02
#: Columns of :func:`detect_anomalies`'s frame, after the group columns.
ANOMALY_COLUMNS = ("day", "amount_cents", "baseline_cents", "explained_cents", "excess_cents")
ANOMALY_COLUMNS += ("score",)


def detect_anomalies(
    daily: pd.DataFrame,
    *,
    by: Sequence[str] = ("project_name", "kind"),
    explained: pd.DataFrame | None = None,
    threshold: float = 4.0,
    min_cents: int = 100,
) -> pd.DataFrame:
    """The anomalous (group, day)s of ``daily`` (``day``, integer ``amount_cents`` and ``by``),
    oldest first; ``explained`` (``day``, ``by``, ``explained_cents``): the list price of
    resources new that day, by group. Days a group has no line count as zero spend."""
    series = _per_day(daily, by, "amount_cents")
    if series.empty:
        return pd.DataFrame(columns=[*by, *ANOMALY_COLUMNS])
    extra = _per_day(explained, by, "explained_cents") if explained is not None else None
    found = []
    for key, amounts in series.groupby(level=list(by), dropna=False, sort=True):
        amounts = amounts.droplevel(list(by))
        days = pd.date_range(amounts.index.min(), amounts.index.max(), freq="D")
        values = amounts.reindex(days, fill_value=0).to_numpy(dtype=np.int64)
        known = _explained_for(extra, key, by, days)
        for t, baseline, scale in _baselines(values):
            excess = int(values[t]) - baseline - int(known[t])
            if excess >= min_cents and excess > threshold * scale:
                group = key if isinstance(key, tuple) else (key,)
                row = (days[t].date(), int(values[t]), round(baseline), int(known[t]))
                found.append((*group, *row, round(excess), round(excess / scale, 2)))
    return pd.DataFrame(found, columns=[*by, *ANOMALY_COLUMNS]).sort_values(
        ["day", *by], ignore_index=True
    )


def _baselines(values: np.ndarray) -> Iterator[tuple[int, float, float]]:
    """(day index, baseline, scale) for every day with enough history."""
    for t in range(MIN_HISTORY_DAYS, len(values)):
        before = values[max(0, t - 28) : t]
        older = values[max(0, t - 28) : t - 7]
        rise = float(np.median(values[t - 7 : t]) - np.median(older)) if older.size else 0.0
        baseline = float(np.median(values[t - 7 :: -7][:4])) + max(rise, 0.0)
        spread = 1.4826 * float(np.median(np.abs(before - np.median(before))))
        yield t, baseline, max(spread, SCALE_FLOOR_SHARE * abs(baseline), 1.0)


def _per_day(frame: pd.DataFrame, by: Sequence[str], column: str) -> pd.Series:
    missing = [c for c in ("day", column, *by) if c not in frame.columns]
    if missing:
        raise ValueError(f"daily series is missing column(s) {', '.join(missing)}")
    if len(frame) and not pd.api.types.is_integer_dtype(frame[column]):
        raise ValueError(f"{column} must be whole cents (an integer column)")
    days = pd.to_datetime(frame["day"]).rename("day")
    return frame[column].groupby([*(frame[c] for c in by), days], dropna=False).sum()


def _explained_for(
    extra: pd.Series | None, key: object, by: Sequence[str], days: pd.DatetimeIndex
) -> np.ndarray:
    if extra is None or extra.empty:
        return np.zeros(len(days), dtype=np.int64)
    group = key if isinstance(key, tuple) else (key,)
    try:
        mine = extra.xs(group, level=list(by), drop_level=True)
    except KeyError:
        return np.zeros(len(days), dtype=np.int64)
    return mine.reindex(days, fill_value=0).to_numpy(dtype=np.int64)


def new_resource_costs(
    daily: pd.DataFrame,
    *,
    by: Sequence[str] = ("project_name", "kind"),
    daily_list_cents: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """What new resources explain (``explained`` of :func:`detect_anomalies`): for a resource
    (``resource_id``) first billed after the series' first day, its cost on each of its first
    :data:`NEW_RESOURCE_DAYS` days, at most its list price a day where ``daily_list_cents``
    knows it (so a new resource billing past its price is still an anomaly)."""
    missing = [c for c in ("day", "amount_cents", "resource_id", *by) if c not in daily.columns]
    if missing:
        raise ValueError(f"daily series is missing column(s) {', '.join(missing)}")
    columns = ["day", *by, "explained_cents"]
    known = daily[daily["resource_id"].notna()]
    if known.empty:
        return pd.DataFrame(columns=columns)
    days = pd.to_datetime(known["day"])
    born = days.groupby(known["resource_id"]).transform("min")
    age = (days - born).dt.days
    new = known[(born > pd.to_datetime(daily["day"]).min()) & (age < NEW_RESOURCE_DAYS)]
    cents = new["amount_cents"].astype(np.int64)
    if daily_list_cents:
        price = new["resource_id"].map(lambda r: daily_list_cents.get(int(r)))
        cents = cents.where(price.isna(), np.minimum(cents, price.fillna(0).astype(np.int64)))
    explained = new.loc[:, ["day", *by]].assign(explained_cents=cents.to_numpy())
    return explained.groupby(["day", *by], dropna=False, as_index=False)["explained_cents"].sum()

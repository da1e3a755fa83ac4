"""Month-end forecast and spend anomalies, measured on the simulator's whole billing history.

Forecast (backtest): the simulator's 137 months of billing insights, each month forecast on
every day of it from the days so far (``forecast_month_end``, per SKU and description line)
and compared with that month's final invoice. Printed by day of month: the median and 90th
percentile of |error|, the share of months within ±5 %, and how often the final invoice fell
inside the 90 % interval; beside it the naive forecast (month to date ÷ days × days in month).
Goal: within ±5 % of the final invoice from day 10 on (the median month; months whose estate
is created or deleted after the day forecast cannot be foreseen by any run rate and are
counted, not hidden).

Anomalies: inventory synced and four months of daily costs ingested into SQLite through the
product's path (``ingest_daily_costs``), then spend spikes injected into the simulator's
insights (``/_sim/billing/spikes``: 30-200 % of the group's day, at least $5, on lines billed for
a week or more), the days re-ingested and ``detect_anomalies`` run per (project, kind) with
new resources explained (``new_resource_costs``). Precision and recall on the injected spikes
(goal ≥ 0.9 each), beside a naive rule (a day above 1.5 × the mean of the 7 before).
"""

from __future__ import annotations

import calendar
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import UNLIMITED_RATE, Timer, emit, print_table

from arcadia_cloud_core.billing.anomalies import detect_anomalies, new_resource_costs
from arcadia_cloud_core.billing.daily_costs import ingest_daily_costs, load_daily_costs
from arcadia_cloud_core.billing.forecast import forecast_month_end
from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory.kinds import KINDS
from arcadia_cloud_core.inventory.sync import (
    sync_kind,
    sync_project_resources,
    sync_projects_from_do,
)
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

TOKEN = "dop_v1_bench_cost_forecast"
LINE = ("sku", "description")
GROUP = ("project_name", "kind")
SPIKES = 24
SEED = 7


def _client(base_url: str) -> DOClient:
    return DOClient(
        token=TOKEN,
        base_url=base_url,
        purpose="billing",
        requests_per_minute=10_000_000,
        requests_per_hour=10_000_000,
    )


def _month_end(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def backtest(daily: pd.DataFrame, finals: dict[str, int]) -> pd.DataFrame:
    """One row per (month, day): ours and the naive forecast against the final invoice."""
    daily = daily.assign(day=pd.to_datetime(daily["day"]))  # datetime64: no per-call parsing
    rows = []
    for month, final in sorted(finals.items()):
        end = pd.Timestamp(_month_end(month))
        first = end.replace(day=1)
        history = daily[(daily["day"] >= first - pd.Timedelta(days=56)) & (daily["day"] <= end)]
        per_day = history[history["day"] >= first].groupby("day")["amount_cents"].sum()
        for day in range(1, end.day + 1):
            as_of = first.replace(day=day)
            ours = forecast_month_end(history, as_of=as_of.date(), line=LINE).iloc[0]
            mtd = int(per_day[per_day.index <= as_of].sum())
            naive = mtd / day * end.day
            rows.append(
                (
                    month,
                    day,
                    final,
                    int(ours.forecast_cents),
                    naive,
                    ours.low_cents,
                    ours.high_cents,
                )
            )
    out = pd.DataFrame(rows, columns=["month", "day", "final", "ours", "naive", "low", "high"])
    scale = out["final"].where(out["final"] != 0)
    out["ours_err"] = ((out["ours"] - out["final"]) / scale).abs()
    out["naive_err"] = ((out["naive"] - out["final"]) / scale).abs()
    out["covered"] = (out["low"] <= out["final"]) & (out["final"] <= out["high"])
    return out


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _flags(found: pd.DataFrame) -> set[tuple[Any, ...]]:
    return {(row.day, _none(row.project_name), _none(row.kind)) for row in found.itertuples()}


def _naive_flags(daily: pd.DataFrame, start: date) -> set[tuple[Any, ...]]:
    per = daily.groupby([*GROUP, "day"], dropna=False)["amount_cents"].sum()
    flags = set()
    for key, amounts in per.groupby(level=list(GROUP), dropna=False):
        series = amounts.droplevel(list(GROUP))
        series.index = pd.to_datetime(series.index)
        series = series.asfreq("D", fill_value=0)
        before = series.shift(1).rolling(7).mean()
        for day in series.index[(series > 1.5 * before) & (series - before >= 100)]:
            if day.date() >= start:
                flags.add((day.date(), *(_none(k) for k in key)))
    return flags


def _score(flags: set[tuple[Any, ...]], truth: set[tuple[Any, ...]]) -> tuple[float, float]:
    hits = len(flags & truth)
    precision = hits / len(flags) if flags else 0.0
    return round(precision, 3), round(hits / len(truth), 3) if truth else 0.0


def _choose_spikes(
    daily: pd.DataFrame, start: date, rng: random.Random
) -> tuple[list[dict[str, Any]], set[tuple[Any, ...]]]:
    """Spikes on lines billed for a week or more, one per (group, week)."""
    lines = daily[daily["amount_cents"] > 0]
    born = lines.groupby("description")["day"].transform("min")
    candidates = lines[(lines["day"] >= start) & (lines["day"] - born >= timedelta(days=7))]
    per_day = daily.groupby([*GROUP, "day"], dropna=False)["amount_cents"].sum().reset_index()
    level = {
        (_none(project), _none(kind)): float(cents)
        for (project, kind), cents in per_day.groupby(list(GROUP), dropna=False)["amount_cents"]
        .median()
        .items()
    }
    spikes, truth, used = [], set(), set()
    for row in candidates.sample(frac=1.0, random_state=SEED).itertuples():
        group = (_none(row.project_name), _none(row.kind))
        week = (*group, row.day.toordinal() // 7)
        if week in used or group not in level:
            continue
        used.add(week)
        extra = max(500, round(level[group] * rng.uniform(0.3, 2.0)))
        spikes.append(
            {"day": row.day.isoformat(), "description": row.description, "extra_cents": extra}
        )
        truth.add((row.day, *group))
        if len(spikes) == SPIKES:
            break
    return spikes, truth


def anomalies(sim: SimulatorHandle, workdir: Path, months: Iterable[str]) -> dict[str, Any]:
    """Precision and recall of ours and the naive rule on injected spikes."""
    months = sorted(months)
    start = date.fromisoformat(months[0] + "-01")
    history_start, end = start - timedelta(days=35), _month_end(months[-1])
    engine = open_database(f"sqlite:///{workdir / 'anomalies.db'}")
    with _client(sim.base_url) as do:
        sync_projects_from_do(engine, do)
        for spec in KINDS:
            sync_kind(engine, do, spec)
        sync_project_resources(engine, do)
        urn = do.billing_account_urn()
        ingest_daily_costs(engine, do, account_urn=urn, start=history_start, end=end)
        clean = load_daily_costs(engine, start=history_start, end=end)
        quiet = detect_anomalies(clean, by=GROUP, explained=new_resource_costs(clean, by=GROUP))
        false_alarms = len([f for f in _flags(quiet) if f[0] >= start])
        spikes, truth = _choose_spikes(clean, start, random.Random(SEED))
        with SimAdmin(sim) as admin:
            admin.client.post("/_sim/billing/spikes", json={"spikes": spikes}).raise_for_status()
        with Timer() as reingest:
            ingest_daily_costs(engine, do, account_urn=urn, start=history_start, end=end)
        spiked = load_daily_costs(engine, start=history_start, end=end)
    with Timer() as detect:
        found = detect_anomalies(spiked, by=GROUP, explained=new_resource_costs(spiked, by=GROUP))
    ours = {f for f in _flags(found) if f[0] >= start}
    naive = _naive_flags(spiked, start)
    ours_p, ours_r = _score(ours, truth)
    naive_p, naive_r = _score(naive, truth)
    return {
        "anomaly_days": (end - start).days + 1,
        "anomaly_groups": int(spiked.groupby(list(GROUP), dropna=False).ngroups),
        "spikes_injected": len(truth),
        "false_alarms_without_spikes": false_alarms,
        "ours_precision": ours_p,
        "ours_recall": ours_r,
        "naive_precision": naive_p,
        "naive_recall": naive_r,
        "reingest_s": round(reingest.seconds, 2),
        "detect_s": round(detect.seconds, 3),
    }


def main() -> None:
    """Backtest the forecast and score anomaly detection on one simulator."""
    workdir = Path(tempfile.mkdtemp(prefix="arcadia-bench-forecast-"))
    with running_simulator(state_path=workdir / "sim.db", extra_args=UNLIMITED_RATE) as sim:
        with _client(sim.base_url) as do, Timer() as fetch:
            invoices = list(do.list_invoices())
            finals = {invoice.invoice_period: invoice.amount_cents for invoice in invoices}
            first = date.fromisoformat(min(finals) + "-01")
            points = list(
                do.list_billing_insights(do.billing_account_urn(), first, _month_end(max(finals)))
            )
        daily = pd.DataFrame(
            [(p.day, p.sku, p.description, p.amount_cents) for p in points],
            columns=["day", *LINE, "amount_cents"],
        ).astype({"amount_cents": np.int64})
        with Timer() as run:
            result = backtest(daily, finals)
        recent = sorted(finals)[-4:]
        scores = anomalies(sim, workdir, recent)
    by_day = result.groupby("day").agg(
        ours_median=("ours_err", "median"),
        ours_p90=("ours_err", lambda s: s.quantile(0.9)),
        within_5=("ours_err", lambda s: (s <= 0.05).mean()),
        covered=("covered", "mean"),
        naive_median=("naive_err", "median"),
        naive_p90=("naive_err", lambda s: s.quantile(0.9)),
    )
    print(
        f"forecast backtest: {len(finals)} months, {len(result)} forecasts in {run.seconds:.1f} s"
        f" (history fetched in {fetch.seconds:.1f} s)"
    )
    header = (
        "day",
        "ours |err| median",
        "p90",
        "months within ±5 %",
        "in 90 % interval",
        "naive median",
        "naive p90",
    )
    print_table(
        [header]
        + [
            (
                str(day),
                f"{r.ours_median:.2%}",
                f"{r.ours_p90:.2%}",
                f"{r.within_5:.0%}",
                f"{r.covered:.0%}",
                f"{r.naive_median:.2%}",
                f"{r.naive_p90:.2%}",
            )
            for day, r in by_day.iterrows()
        ]
    )
    late = by_day.loc[by_day.index >= 10]
    print(f"anomalies over {recent[0]}..{recent[-1]}: {scores}")
    day10 = by_day.loc[10]
    emit(
        {
            "bench": "cost_forecast",
            "months": len(finals),
            "forecasts": len(result),
            "ours_s": round(run.seconds, 2),
            "ours_median_abs_err_day10": round(float(day10.ours_median), 4),
            "ours_p90_abs_err_day10": round(float(day10.ours_p90), 4),
            "ours_worst_median_abs_err_day10_on": round(float(late.ours_median.max()), 4),
            "months_within_5pct_day10": round(float(day10.within_5), 3),
            "months_within_5pct_day20": round(float(by_day.loc[20].within_5), 3),
            "interval_coverage_day10_on": round(float(late.covered.mean()), 3),
            "naive_median_abs_err_day10": round(float(day10.naive_median), 4),
            "ratio": round(float(day10.naive_median / day10.ours_median), 1)
            if day10.ours_median
            else None,
            **scores,
            "goal_forecast_met": bool(late.ours_median.max() <= 0.05),
            "goal_anomalies_met": scores["ours_precision"] >= 0.9 and scores["ours_recall"] >= 0.9,
        }
    )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"# {time.perf_counter() - started:.0f} s", file=sys.stderr)

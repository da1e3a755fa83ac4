"""This month, daily: `billing/daily_costs` (one partition per UTC day, DO's billing insights
matched to resources) and `billing/month_to_date` (DO's invoice preview beside the daily lines).

`billing_daily_costs_schedule` loads yesterday each day at 03:17 UTC; older days are a backfill
of `billing/daily_costs` (Materialize → pick the days; one run per day). `billing/month_to_date`
runs hourly at :12.
"""

from datetime import timedelta

import dagster as dg
import pandas as pd

from arcadia_cloud_assets.automation import after_upstream_or_cron, cron_period, freshness
from arcadia_cloud_assets.billing.assets import (
    GROUP,
    POOL,
    _dollars,  # display only: money stays in cents
)
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_assets.schedules import utc_schedule
from arcadia_cloud_core import billing
from arcadia_cloud_core.billing.month_to_date import month_to_date as month_to_date_summary
from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource

#: The first day loaded (DO keeps insights for past months; a backfill reaches further back).
DAILY_START = "2025-01-01"
TOP_LINES = 10
MONTH_TO_DATE_CRON = "12 * * * *"
daily_partitions = dg.DailyPartitionsDefinition(start_date=DAILY_START, timezone="UTC")


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


NO_ANOMALY = "no_spend_anomaly"


@dg.asset(
    key=["billing", "daily_costs"],
    group_name=GROUP,
    pool=POOL,
    partitions_def=daily_partitions,
    kinds={"digitalocean", "pandas"},
    freshness_policy=freshness(timedelta(days=1)),  # loaded daily (03:17)
    check_specs=[
        dg.AssetCheckSpec(
            NO_ANOMALY,
            asset=["billing", "daily_costs"],
            partitions_def=daily_partitions,
            description="The day's spend per (project, kind) is within its robust, "
            "weekday-seasonal baseline (a new resource explained up to its list price); warn.",
        )
    ],
)
def daily_costs(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_billing: DigitalOceanResource,
) -> dg.MaterializeResult:
    """One day of DO's billing insights: each line (SKU, region, description) matched to its
    resource like an invoice line, the day's lines replaced atomically (`cloud_daily_cost_lines`).
    A day without usage is loaded with no lines; a malformed payload or a currency other than
    USD fails the partition and keeps the day's previous lines."""
    window = context.partition_time_window
    day, last = window.start.date(), (window.end - timedelta(days=1)).date()
    with do_billing.client() as do:
        urn = do.billing_account_urn()
        result = billing.ingest_daily_costs(
            database.engine(), do, account_urn=urn, start=day, end=last
        )
    lines = result.lines
    total = int(lines["amount_cents"].sum())
    matched = lines[lines["resource_id"].notna()]
    matched_cents = int(matched["amount_cents"].sum())
    top = lines.assign(abs_cents=lines["amount_cents"].abs()).nlargest(TOP_LINES, "abs_cents")
    anomalies = billing.anomalies_on(database.engine(), day)
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name=NO_ANOMALY,
                passed=anomalies.empty,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"anomalies": len(anomalies), "found": _anomaly_table(anomalies)},
            )
        ],
        metadata={
            "day_total_cents": total,
            "day_total_usd": dg.MetadataValue.float(_dollars(total)),
            "lines": len(lines),
            "matched_lines": len(matched),
            "matched_share": dg.MetadataValue.float(
                round(matched_cents / total, 4) if total else 0.0
            ),
            "rewritten": bool(result.days_written),
            "unmatched_by_reason": table(
                [
                    {"reason": str(k), "lines": int(v)}
                    for k, v in sorted(lines["unmatched_reason"].value_counts().items())
                ]
            ),
            "top_lines": table(
                [
                    {
                        "description": _text(row.description),
                        "sku": str(row.sku),
                        "kind": _text(row.kind),
                        "project": _text(row.project_name),
                        "usd": _dollars(int(row.amount_cents)),
                    }
                    for row in top.itertuples()
                ]
            ),
        },
    )


@dg.asset(
    key=["billing", "month_to_date"],
    group_name=GROUP,
    pool=POOL,
    deps=[daily_costs],
    kinds={"digitalocean"},
    freshness_policy=freshness(cron_period(MONTH_TO_DATE_CRON)),
)
def month_to_date(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_billing: DigitalOceanResource,
) -> dg.MaterializeResult:
    """DO's month-to-date invoice preview beside this month's daily lines and their forecast."""
    with do_billing.client() as do:
        preview = do.get_invoice_preview()
        if preview is None:
            context.log.info("DO has no invoice preview: nothing billed this month yet")
            return dg.MaterializeResult(metadata={"preview": False})
        items = do.list_invoice_items("preview")
    mtd = month_to_date_summary(database.engine(), preview=preview, items=items)
    forecast = {
        f"forecast_{name}_usd": dg.MetadataValue.float(_dollars(cents))
        for name, cents in (
            ("month_end", mtd.forecast.get("forecast_cents")),
            ("low", mtd.forecast.get("low_cents")),
            ("high", mtd.forecast.get("high_cents")),
        )
        if cents is not None
    }
    return dg.MaterializeResult(
        metadata={
            "preview": True,
            "period": mtd.period,
            "month_to_date_cents": mtd.preview_cents,
            "month_to_date_usd": dg.MetadataValue.float(_dollars(mtd.preview_cents)),
            "daily_total_usd": dg.MetadataValue.float(_dollars(mtd.daily_cents)),
            "difference_cents": mtd.difference_cents,
            "days_loaded": mtd.days_loaded,
            "last_day_loaded": "" if mtd.last_day_loaded is None else str(mtd.last_day_loaded),
            **forecast,
            "by_product": table(
                [{"product": k, "usd": _dollars(v)} for k, v in mtd.by_product.items()]
            ),
        }
    )


def _anomaly_table(anomalies: pd.DataFrame) -> dg.MetadataValue:
    return table(
        [
            {
                "day": str(row.day),
                "project": _text(row.project_name),
                "kind": _text(row.kind),
                "usd": _dollars(int(row.amount_cents)),
                "baseline_usd": _dollars(int(row.baseline_cents)),
                "excess_usd": _dollars(int(row.excess_cents)),
                "score": float(row.score),
            }
            for row in anomalies.itertuples()
        ],
        columns=["day", "project", "kind", "usd", "baseline_usd", "excess_usd", "score"],
    )


def _forecast_rows(frame: pd.DataFrame, by: str) -> list[dict[str, object]]:
    return [
        {
            by: _text(getattr(row, by)),
            "mtd_usd": _dollars(int(row.mtd_cents)),
            "forecast_usd": _dollars(int(row.forecast_cents)),
            "low_usd": _dollars(int(row.low_cents)),
            "high_usd": _dollars(int(row.high_cents)),
        }
        for row in frame.sort_values("forecast_cents", ascending=False).itertuples()
    ]


FORECAST_CRON = "40 3 * * *"  # after the daily load at 03:17


@dg.asset(
    key=["billing", "forecast"],
    group_name=GROUP,
    deps=[daily_costs],
    kinds={"pandas"},
    freshness_policy=freshness(cron_period(FORECAST_CRON)),
    automation_condition=after_upstream_or_cron(FORECAST_CRON),
)
def forecast(database: DatabaseResource) -> dg.MaterializeResult:
    """Month-end spend for the account, each tenant and each project from the daily costs
    loaded so far (with a 90 % interval), this month's anomalies per (project, kind) and the
    top movers of the last 7 days: "what will this month cost, and why is it up?"."""
    outlook = billing.spend_outlook(database.engine())
    if outlook.as_of is None:
        return dg.MaterializeResult(metadata={"days_loaded": 0})
    account = outlook.account.iloc[0]
    by_tag = billing.daily_costs_by_tag_frame(
        database.engine(), start=outlook.as_of.replace(day=1), end=outlook.as_of
    )
    return dg.MaterializeResult(
        metadata={
            "as_of": str(outlook.as_of),
            "month_to_date_usd": dg.MetadataValue.float(_dollars(int(account.mtd_cents))),
            "forecast_usd": dg.MetadataValue.float(_dollars(int(account.forecast_cents))),
            "forecast_low_usd": dg.MetadataValue.float(_dollars(int(account.low_cents))),
            "forecast_high_usd": dg.MetadataValue.float(_dollars(int(account.high_cents))),
            "forecast_cents": int(account.forecast_cents),
            "run_rate_usd_per_day": dg.MetadataValue.float(_dollars(int(account.run_rate_cents))),
            "anomalies_this_month": len(outlook.anomalies),
            "anomalies": _anomaly_table(outlook.anomalies),
            "by_tenant": table(_forecast_rows(outlook.by_tenant, "tenant")),
            "by_project": table(_forecast_rows(outlook.by_project, "project_name")),
            "month_to_date_by_tag": table(
                [
                    {"tag": row.tag or "(untagged)", "usd": _dollars(int(row.amount_cents))}
                    for row in by_tag.sort_values("amount_cents", ascending=False).itertuples()
                ],
                columns=["tag", "usd"],
            ),
            "top_movers": table(
                [
                    {
                        "project": _text(row.project_name),
                        "kind": _text(row.kind),
                        "last_7_days_usd": _dollars(int(row.last_7_days_cents)),
                        "previous_7_days_usd": _dollars(int(row.previous_7_days_cents)),
                        "change_usd": _dollars(int(row.change_cents)),
                    }
                    for row in outlook.movers.itertuples()
                ]
            ),
        }
    )


daily_costs_job = dg.define_asset_job("billing_daily_costs_job", selection=[daily_costs])
month_to_date_job = dg.define_asset_job("billing_month_to_date_job", selection=[month_to_date])
daily_costs_schedule = dg.build_schedule_from_partitioned_job(
    daily_costs_job,
    name="billing_daily_costs_schedule",
    hour_of_day=3,
    minute_of_hour=17,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 03:17: yesterday's billing insights (the day's partition).",
)
month_to_date_schedule = utc_schedule(
    "billing_month_to_date_schedule",
    job=month_to_date_job,
    cron=MONTH_TO_DATE_CRON,
    description="Hourly at :12: DO's month-to-date preview beside the daily lines.",
)


def daily_costs_definitions() -> dg.Definitions:
    """The daily-costs assets, jobs and schedules."""
    return dg.Definitions(
        assets=[daily_costs, month_to_date, forecast],
        jobs=[daily_costs_job, month_to_date_job],
        schedules=[daily_costs_schedule, month_to_date_schedule],
    )

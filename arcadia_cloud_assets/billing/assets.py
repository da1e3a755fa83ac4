"""Billing assets: balance, invoices, per-invoice cost lines and finance push, cost views.

Cost lines are partitioned by invoice uuid (dynamic partitions registered by `billing/invoices`)
and materialised by `invoice_ingest_sensor`; a backfill from the UI works the same way. Balance and
invoices run on their schedules (crons below) and are filled once when missing; the cost views
follow new ingests and the hourly tick (`after_upstream_or_cron`). Each of those is fresh for its
cron's cadence (warn after one missed run, fail after two).
"""

import os
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from arcadia_cloud_assets.automation import (
    after_upstream_or_cron,
    cron_period,
    first_fill,
    freshness,
)
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core import billing
from arcadia_cloud_core.billing.balance import record_balance
from arcadia_cloud_core.billing.checks import live_match
from arcadia_cloud_core.billing.cost_views import latest_months, refresh_focus
from arcadia_cloud_core.resources import (
    DatabaseResource,
    DigitalOceanResource,
    FinanceResource,
    do_pool,
)

GROUP = "billing"
POOL = do_pool("billing")
invoice_partitions = dg.DynamicPartitionsDefinition(name="invoices")
#: When each runs (UTC): the schedules and the freshness policies both follow these.
BALANCE_CRON = "7 * * * *"
INVOICES_CRON = "23 2 * * *"
COST_VIEWS_CRON = "50 * * * *"


def _scheduled_do_asset(name: str, *, cron: str) -> Any:
    """`dg.asset` for `billing/<name>`, which reads DO on ``cron``: the billing pool, filled once
    when missing, fresh for the cron's cadence."""
    return dg.asset(
        key=["billing", name],
        group_name=GROUP,
        pool=POOL,
        kinds={"digitalocean"},
        freshness_policy=freshness(cron_period(cron)),
        automation_condition=first_fill(),
    )


def _cost_view(name: str, **settings: Any) -> Any:
    """`dg.asset` for the cost view `billing/<name>`: it follows the ingests and the hourly tick,
    and is fresh for that cadence."""
    return dg.asset(
        key=["billing", name],
        group_name=GROUP,
        deps=[invoice_cost_lines],
        freshness_policy=freshness(cron_period(COST_VIEWS_CRON)),
        automation_condition=after_upstream_or_cron(COST_VIEWS_CRON),
        **settings,
    )


def _dollars(cents: int) -> float:
    """Display only (metadata plots): money is stored and computed in integer cents."""
    return round(cents / 100, 2)


@_scheduled_do_asset("balance", cron=BALANCE_CRON)
def balance(database: DatabaseResource, do_billing: DigitalOceanResource) -> dg.MaterializeResult:
    """The account balance, snapshotted hourly into `cloud_balance_snapshots`."""
    with do_billing.client() as do:
        snapshot = do.get_balance()
    stored = record_balance(database.engine(), snapshot)
    return dg.MaterializeResult(
        metadata={
            "month_to_date_usage_usd": dg.MetadataValue.float(
                _dollars(snapshot.month_to_date_usage_cents)
            ),
            "month_to_date_balance_usd": dg.MetadataValue.float(
                _dollars(snapshot.month_to_date_balance_cents)
            ),
            "account_balance_usd": dg.MetadataValue.float(_dollars(snapshot.account_balance_cents)),
            "month_to_date_usage_cents": snapshot.month_to_date_usage_cents,
            "generated_at": snapshot.generated_at.isoformat(),
            "new_snapshot": stored,
        }
    )


@_scheduled_do_asset("invoices", cron=INVOICES_CRON)
def invoices(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_billing: DigitalOceanResource,
) -> dg.MaterializeResult:
    """Invoice headers from billing history and the invoice list; each uuid becomes a partition
    of `billing/invoice_cost_lines`."""
    with do_billing.client() as do:
        history = do.list_billing_history()
        listed = do.list_invoices()
    result = billing.upsert_invoices(database.engine(), listed.items)
    uuids = sorted(invoice.invoice_uuid for invoice in listed.items)
    known = set(context.instance.get_dynamic_partitions(invoice_partitions.name))
    new_partitions = [uuid for uuid in uuids if uuid not in known]
    if new_partitions:
        context.instance.add_dynamic_partitions(invoice_partitions.name, new_partitions)
    history_invoices = sum(1 for entry in history.items if entry.invoice_uuid)
    return dg.MaterializeResult(
        metadata={
            "invoices": len(uuids),
            "inserted": len(result.inserted),
            "updated": len(result.updated),
            "unchanged": result.unchanged,
            "new_partitions": len(new_partitions),
            "billing_history_entries": len(history.items),
            "billing_history_invoices": history_invoices,
            "requests": history.requests + listed.requests,
        }
    )


def _invoice_check(name: str, asset: str, description: str) -> dg.AssetCheckSpec:
    """A check of `billing/<asset>`, partitioned like it: one result per invoice."""
    return dg.AssetCheckSpec(
        name, asset=["billing", asset], partitions_def=invoice_partitions, description=description
    )


RECONCILED = "reconciled"
MATCH_RATE = "match_rate_at_least_95_percent"
MIN_MATCH_RATE = 0.95


@dg.asset(
    key=["billing", "invoice_cost_lines"],
    group_name=GROUP,
    pool=POOL,
    partitions_def=invoice_partitions,
    deps=[invoices],
    kinds={"pandas"},
    check_specs=[
        _invoice_check(
            RECONCILED, "invoice_cost_lines", "Σ line amounts == the invoice amount, to the cent."
        ),
        _invoice_check(
            MATCH_RATE,
            "invoice_cost_lines",
            "Lines whose resource still exists are matched ≥ 95 % (warn).",
        ),
    ],
)
def invoice_cost_lines(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_billing: DigitalOceanResource,
) -> dg.MaterializeResult:
    """One invoice's CSV (and JSON items): parsed, kinds derived, matched to resources, and its
    line set replaced atomically. A malformed CSV fails this partition and keeps the old lines."""
    invoice_uuid = context.partition_key
    with do_billing.client() as do:
        summary = billing.ingest_invoice_from_do(database.engine(), do, invoice_uuid=invoice_uuid)
    live = live_match(database.engine(), invoice_uuid)
    metadata = summary.as_metadata()
    unmatched = metadata.pop("unmatched_by_reason")
    methods = metadata.pop("matched_by_method")
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "live_match_rate": round(live.rate, 4),
            "unmatched_by_reason": table(
                [{"reason": k, "lines": v} for k, v in sorted(unmatched.items())]
            ),
            "matched_by_method": table(
                [{"method": k, "lines": v} for k, v in sorted(methods.items())]
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=RECONCILED,
                passed=summary.reconciled,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "lines_total_cents": summary.total_cents,
                    "invoice_amount_cents": summary.invoice_amount_cents,
                    "difference_cents": summary.difference_cents,
                },
            ),
            dg.AssetCheckResult(
                check_name=MATCH_RATE,
                passed=live.rate >= MIN_MATCH_RATE,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "live_match_rate": round(live.rate, 4),
                    "matched_to_live_resources": live.matched_live,
                    "unmatched_but_maybe_live": live.unmatched_maybe_live,
                },
            ),
        ],
    )


FINANCE_CONFIGURED = "finance_configured"


@dg.asset(
    key=["billing", "finance_push"],
    group_name=GROUP,
    partitions_def=invoice_partitions,
    deps=[invoice_cost_lines],
    retry_policy=dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    check_specs=[
        _invoice_check(
            FINANCE_CONFIGURED,
            "finance_push",
            "FINANCE_URL and FINANCE_JWT_SECRET are set (warn when skipped).",
        )
    ],
)
def finance_push(
    context: dg.AssetExecutionContext, database: DatabaseResource, finance: FinanceResource
) -> dg.MaterializeResult:
    """Push the invoice's normalised lines to the finance service (idempotent: the service
    deduplicates; a re-push answers `updated`). Skipped, not failed, when unconfigured."""
    settings = finance.settings()
    if settings is None:
        context.log.warning(
            "finance push skipped: set FINANCE_URL and FINANCE_JWT_SECRET to push invoices"
        )
        return dg.MaterializeResult(
            metadata={"skipped": True},
            check_results=[
                dg.AssetCheckResult(
                    check_name=FINANCE_CONFIGURED,
                    passed=False,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"reason": "FINANCE_URL or FINANCE_JWT_SECRET is not set"},
                )
            ],
        )
    result = billing.push_invoice_to_finance(
        database.engine(), invoice_uuid=context.partition_key, settings=settings
    )
    return dg.MaterializeResult(
        metadata={
            "skipped": False,
            "status": result.status,
            "finance_invoice_id": result.finance_invoice_id,
            "http_status": result.http_status,
        },
        check_results=[dg.AssetCheckResult(check_name=FINANCE_CONFIGURED, passed=True)],
    )


@_cost_view("monthly_costs")
def monthly_costs(database: DatabaseResource) -> dg.MaterializeResult:
    """Cost by month × tenant × project × kind (table `cloud_monthly_costs`)."""
    engine = database.engine()
    refresh = billing.refresh_monthly_costs(engine)
    frame = billing.stored_monthly_costs(engine)
    recent = latest_months(frame)
    newest = sorted(latest_months(frame, count=1)["month"].unique()) if len(frame) else []
    by_tag = billing.costs_by_tag_frame(engine, months=newest)
    by_tag = by_tag.assign(tag=by_tag["tag"].fillna("(untagged)"))
    return dg.MaterializeResult(
        metadata={
            "months": int(frame["month"].nunique()) if len(frame) else 0,
            "rows": len(frame),
            "months_rewritten": len(refresh.months_written),
            "rows_written": refresh.rows_written,
            "latest_months": table(recent.to_dict("records")),
            "latest_month_by_tag": table(
                by_tag.sort_values("amount_cents", ascending=False).to_dict("records")
            ),
        }
    )


class FocusConfig(dg.Config):
    """Where the FOCUS Parquet file goes."""

    parquet_path: str = Field(
        default="",
        description="Output file; empty means $DAGSTER_HOME/focus/focus_cost_lines.parquet.",
    )
    billing_account_id: str = Field(default="digitalocean", description="FOCUS BillingAccountId")
    billing_account_name: str = Field(
        default="", description="FOCUS BillingAccountName (the DO team); empty: the id"
    )


FOCUS_RULES = "focus_1_2_rules"


@_cost_view(
    "focus_cost_lines",
    check_specs=[
        dg.AssetCheckSpec(
            FOCUS_RULES,
            asset=["billing", "focus_cost_lines"],
            description="Every applicable rule of the FinOps Foundation's FOCUS 1.2 rule model "
            "holds on the export (MUST rules fail the check; SHOULD rules are listed).",
        )
    ],
)
def focus_cost_lines(config: FocusConfig, database: DatabaseResource) -> dg.MaterializeResult:
    """The cost lines in FinOps FOCUS 1.2 columns (plus the 1.3 ones), as Parquet and as a
    table, checked against the FOCUS rule model."""
    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster_home")
    account = billing.BillingAccount(
        id=config.billing_account_id, name=config.billing_account_name or None
    )
    refresh = refresh_focus(
        database.engine(),
        account=account,
        parquet=Path(config.parquet_path or home / "focus" / "focus_cost_lines.parquet"),
    )
    validation = billing.validate_focus(refresh.frame)
    failed = [
        {
            "rule": r.rule_id,
            "keyword": r.keyword,
            "rows": r.failing_rows,
            "rule_text": r.requirement,
        }
        for r in validation.errors + validation.warnings
    ]
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name=FOCUS_RULES,
                passed=validation.ok,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={**validation.counts(), "failed_rules": table(failed)},
            )
        ],
        metadata={
            "rows": refresh.rows,
            "parquet": dg.MetadataValue.path(str(refresh.parquet)),
            "invoices_rewritten": refresh.invoices_rewritten,
            # Display only (a plot); the total itself is exact.
            "billed_cost_total_usd": dg.MetadataValue.float(float(refresh.billed_cost_total)),
        },
    )


ASSETS = [balance, invoices, invoice_cost_lines, finance_push, monthly_costs, focus_cost_lines]

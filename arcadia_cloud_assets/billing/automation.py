"""When billing runs: balance hourly at :07, invoices daily at 02:23, cost views hourly at :50
and after new ingests (`cost_views_sensor`), and `invoice_ingest_sensor`, which turns every
invoice not yet ingested (or failed and due a retry) into one run of its partition — the
production path for cost lines. All are on by default; stop one in the UI (Automation) or with
`dagster schedule|sensor stop <name>`."""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from arcadia_cloud_assets.billing.assets import (
    ASSETS,
    balance,
    finance_push,
    focus_cost_lines,
    invoice_cost_lines,
    invoice_partitions,
    invoices,
    monthly_costs,
)
from arcadia_cloud_assets.schedules import utc_schedule
from arcadia_cloud_core import billing
from arcadia_cloud_core.billing.queue import ingest_attempts, latest_ingest
from arcadia_cloud_core.resources import DatabaseResource, FinanceResource

MAX_RUNS_PER_TICK = 50
#: While ingests are still due, the cost views are refreshed at most this often.
COST_VIEWS_REFRESH_WHILE_INGESTING = timedelta(minutes=2)

balance_job = dg.define_asset_job("billing_balance_job", selection=[balance])
invoices_job = dg.define_asset_job("billing_invoices_job", selection=[invoices])
invoice_ingest_job = dg.define_asset_job(
    "invoice_ingest_job",
    selection=[invoice_cost_lines, finance_push],
    description="One invoice: cost lines, then the finance push.",
)
finance_push_job = dg.define_asset_job(
    "finance_push_job",
    selection=[finance_push],
    description="Retry the finance push of one invoice.",
)
cost_views_job = dg.define_asset_job(
    "billing_cost_views_job", selection=[monthly_costs, focus_cost_lines]
)

SCHEDULES = [
    utc_schedule(
        "billing_balance_schedule", job=balance_job, cron="7 * * * *", description="Hourly at :07."
    ),
    utc_schedule(
        "billing_invoices_schedule",
        job=invoices_job,
        cron="23 2 * * *",
        description="Daily at 02:23.",
    ),
    utc_schedule(
        "billing_cost_views_schedule",
        job=cost_views_job,
        cron="50 * * * *",
        description="Hourly at :50: monthly costs and FOCUS lines from the stored cost lines.",
    ),
]


def _ingest_request(uuid: str, attempts: int) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"ingest:{uuid}:{attempts}",
        partition_key=uuid,
        tags={"arcadia/invoice": uuid, "arcadia/job_kind": "invoice_ingest"},
    )


@dg.sensor(
    job=invoice_ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="One ingest run per invoice not yet ingested, or failed and due a retry.",
)
def invoice_ingest_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult:
    """Run key = invoice uuid + attempt, so each attempt launches once."""
    engine = database.engine()
    due = billing.invoices_to_ingest(engine)[:MAX_RUNS_PER_TICK]
    attempts = ingest_attempts(engine, due)
    known = set(context.instance.get_dynamic_partitions(invoice_partitions.name))
    missing = [uuid for uuid in due if uuid not in known]
    requests = [_ingest_request(uuid, attempts.get(uuid, 0)) for uuid in due]
    cursor = json.dumps(
        {"evaluated_at": datetime.now(UTC).isoformat(), "requested": [r.run_key for r in requests]}
    )
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[invoice_partitions.build_add_request(missing)]
        if missing
        else [],
        cursor=cursor,
    )


@dg.sensor(
    job=finance_push_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Retry, at most hourly per invoice, finance pushes that have not landed.",
)
def finance_push_retry_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource, finance: FinanceResource
) -> dg.SensorResult | dg.SkipReason:
    """Ingested invoices finance has not seen in their current form."""
    if finance.settings() is None:
        return dg.SkipReason("finance is not configured (FINANCE_URL, FINANCE_JWT_SECRET)")
    hour = datetime.now(UTC).strftime("%Y%m%d%H")
    due = billing.invoices_to_push(database.engine())[:MAX_RUNS_PER_TICK]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"push:{uuid}:{hour}", partition_key=uuid) for uuid in due
        ]
    )


@dg.sensor(
    job=cost_views_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Refresh monthly costs and FOCUS lines after new invoice ingests (at most every "
    "2 minutes while more ingests are due), so costs per tenant follow the ingests.",
)
def cost_views_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    """One run per newest ingest time not yet reflected (run key = that time)."""
    engine = database.engine()
    latest = latest_ingest(engine)
    if latest is None:
        return dg.SkipReason("no invoice ingested yet")
    cursor = json.loads(context.cursor) if context.cursor else {}
    if cursor.get("ingested_at") == latest.isoformat():
        return dg.SkipReason(f"cost views already include the ingest of {latest.isoformat()}")
    now = datetime.now(UTC)
    due = len(billing.invoices_to_ingest(engine))
    requested_at = cursor.get("requested_at")
    if (
        due
        and requested_at
        and now - datetime.fromisoformat(requested_at) < COST_VIEWS_REFRESH_WHILE_INGESTING
    ):
        return dg.SkipReason(f"{due} ingests still due; cost views refresh again shortly")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"cost-views:{latest.isoformat()}")],
        cursor=json.dumps({"ingested_at": latest.isoformat(), "requested_at": now.isoformat()}),
    )


def billing_definitions() -> dg.Definitions:
    """Billing assets, jobs, schedules and sensors."""
    return dg.Definitions(
        assets=ASSETS,
        jobs=[balance_job, invoices_job, invoice_ingest_job, finance_push_job, cost_views_job],
        schedules=SCHEDULES,
        sensors=[invoice_ingest_sensor, finance_push_retry_sensor, cost_views_sensor],
    )

"""When billing runs: balance hourly at :07 and invoices daily at 02:23 (schedules), and
`invoice_ingest_sensor`, which turns every invoice not yet ingested (or failed and due a retry)
into one run of its partition — the production path for cost lines. The cost views need no
schedule or sensor of their own: their automation condition follows the ingests and the hourly
tick (see `arcadia_cloud_assets.automation`). All are on by default; stop one in the UI
(Automation) or with `dagster schedule|sensor stop <name>`."""

import json
from datetime import UTC, datetime

import dagster as dg

from arcadia_cloud_assets.billing import assets as a
from arcadia_cloud_assets.schedules import running_sensor, utc_schedule
from arcadia_cloud_core import billing
from arcadia_cloud_core.billing.queue import ingest_attempts
from arcadia_cloud_core.resources import DatabaseResource, FinanceResource

MAX_RUNS_PER_TICK = 50

balance_job = dg.define_asset_job("billing_balance_job", selection=[a.balance])
invoices_job = dg.define_asset_job("billing_invoices_job", selection=[a.invoices])
invoice_ingest_job = dg.define_asset_job(
    "invoice_ingest_job",
    selection=[a.invoice_cost_lines, a.finance_push],
    description="One invoice: cost lines, then the finance push.",
)
finance_push_job = dg.define_asset_job(
    "finance_push_job",
    selection=[a.finance_push],
    description="Retry the finance push of one invoice.",
)
cost_views_job = dg.define_asset_job(
    "billing_cost_views_job",
    selection=[a.monthly_costs, a.focus_cost_lines],
    description="Refresh the cost views by hand (they follow the ingests on their own).",
)

SCHEDULES = [
    utc_schedule(
        "billing_balance_schedule",
        job=balance_job,
        cron=a.BALANCE_CRON,
        description="Hourly at :07.",
    ),
    utc_schedule(
        "billing_invoices_schedule",
        job=invoices_job,
        cron=a.INVOICES_CRON,
        description="Daily at 02:23.",
    ),
]


def _ingest_request(uuid: str, attempts: int) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"ingest:{uuid}:{attempts}",
        partition_key=uuid,
        tags={"arcadia/invoice": uuid, "arcadia/job_kind": "invoice_ingest"},
    )


@running_sensor(
    job=invoice_ingest_job,
    seconds=30,
    description="One ingest run per invoice not yet ingested, or failed and due a retry.",
)
def invoice_ingest_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult:
    """Run key = invoice uuid + attempt, so each attempt launches once.

    A sensor, not an automation condition: what is due comes from the database (never ingested,
    or failed with attempts left: at most 5, counted per invoice), each attempt needs its own run
    key, and unknown uuids must be registered as partitions first — declarative automation sees
    only Dagster's materialisations and would retry a failed partition never or forever.
    """
    engine = database.engine()
    due = billing.invoices_to_ingest(engine)[:MAX_RUNS_PER_TICK]
    attempts = ingest_attempts(engine, due)
    known = set(context.instance.get_dynamic_partitions(a.invoice_partitions.name))
    missing = [uuid for uuid in due if uuid not in known]
    requests = [_ingest_request(uuid, attempts.get(uuid, 0)) for uuid in due]
    cursor = json.dumps(
        {"evaluated_at": datetime.now(UTC).isoformat(), "requested": [r.run_key for r in requests]}
    )
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[a.invoice_partitions.build_add_request(missing)]
        if missing
        else [],
        cursor=cursor,
    )


@running_sensor(
    job=finance_push_job,
    seconds=300,
    description="Retry, at most hourly per invoice, finance pushes that have not landed.",
)
def finance_push_retry_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource, finance: FinanceResource
) -> dg.SensorResult | dg.SkipReason:
    """Ingested invoices finance has not seen in their current form.

    A sensor, not an automation condition: whether finance has an invoice is the database's
    record of an external service (a push can succeed in Dagster yet be stale after a re-ingest),
    and retries are paced per invoice per hour (run key `push:<uuid>:<hour>`).
    """
    if finance.settings() is None:
        return dg.SkipReason("finance is not configured (FINANCE_URL, FINANCE_JWT_SECRET)")
    hour = datetime.now(UTC).strftime("%Y%m%d%H")
    due = billing.invoices_to_push(database.engine())[:MAX_RUNS_PER_TICK]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"push:{uuid}:{hour}", partition_key=uuid) for uuid in due
        ]
    )


JOBS = [balance_job, invoices_job, invoice_ingest_job, finance_push_job, cost_views_job]
SENSORS = [invoice_ingest_sensor, finance_push_retry_sensor]

"""A fresh deployment fills itself: each job whose assets were never materialised runs once.

Without it, a new deployment waits for each schedule's next tick (invoices: daily at 02:23).
`bootstrap_sensor` requests, once per deployment (run key `bootstrap:<job>`), the inventory,
balance and invoice jobs whose first asset has no materialisation yet; `invoice_ingest_sensor`
then ingests every invoice. On by default; `ARCADIA_BOOTSTRAP=0` (read when the code location
loads) starts it stopped, e.g. for tests that drive every run themselves.
"""

import os

import dagster as dg

from arcadia_cloud_assets.billing.automation import balance_job, cost_views_job, invoices_job
from arcadia_cloud_assets.inventory.schedules import (
    inventory_backups_job,
    inventory_snapshots_job,
    inventory_sync_job,
)

#: Job → an asset it materialises: the job runs once if that asset never has.
FIRST_RUNS = (
    (inventory_sync_job, dg.AssetKey(["inventory", "droplets"])),
    (inventory_snapshots_job, dg.AssetKey(["inventory", "snapshots"])),
    (inventory_backups_job, dg.AssetKey(["inventory", "droplet_backups"])),
    (balance_job, dg.AssetKey(["billing", "balance"])),
    (invoices_job, dg.AssetKey(["billing", "invoices"])),
    (cost_views_job, dg.AssetKey(["billing", "monthly_costs"])),
)


def _default_status() -> dg.DefaultSensorStatus:
    if os.environ.get("ARCADIA_BOOTSTRAP", "1").strip() in ("0", "false", "no"):
        return dg.DefaultSensorStatus.STOPPED
    return dg.DefaultSensorStatus.RUNNING


@dg.sensor(
    jobs=[job for job, _ in FIRST_RUNS],
    minimum_interval_seconds=60,
    default_status=_default_status(),
    description="Runs each never-materialised job once, so a new deployment fills itself.",
)
def bootstrap_sensor(context: dg.SensorEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    """One run per job whose asset was never materialised (run keys make it once only)."""
    requests = [
        dg.RunRequest(run_key=f"bootstrap:{job.name}", job_name=job.name)
        for job, key in FIRST_RUNS
        if context.instance.get_latest_materialization_event(key) is None
    ]
    return requests or dg.SkipReason("every job has materialised its assets at least once")

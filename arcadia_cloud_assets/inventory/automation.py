"""When inventory syncs run: every 15 minutes, snapshots hourly at :33, backups hourly at :41 (UTC).

Schedules are on by default (`default_status=RUNNING`); turn one off in the UI (Automation) or with
`dagster schedule stop <name>`.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from arcadia_cloud_assets.inventory import assets as a
from arcadia_cloud_assets.schedules import utc_schedule
from arcadia_cloud_core.inventory.kinds import EVERY_15_MIN, HOURLY, KIND_CADENCE, asset_names
from arcadia_cloud_core.inventory.upsert import DEFAULT_TOUCH_INTERVAL


def max_age(kind: str) -> timedelta:
    """The oldest `last_seen_at` a live resource may have: one missed run, plus the touch slack."""
    return 2 * KIND_CADENCE[kind] + DEFAULT_TOUCH_INTERVAL


def _keys(*names: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*[dg.AssetKey([a.PREFIX, name]) for name in names])


inventory_sync_job = dg.define_asset_job(
    "inventory_sync_job",
    selection=_keys("projects", *asset_names(EVERY_15_MIN), "spaces_buckets", "project_resources",
                    "summary")
    | dg.AssetSelection.assets(dg.AssetKey(["drift", "drift"])),
    description="Projects and every 15-minute kind, then attribution, the tenant summary and "
    "the drift sweep.",
)
inventory_snapshots_job = dg.define_asset_job(
    "inventory_snapshots_job",
    selection=_keys(*asset_names(HOURLY)),
    description="The hourly kinds: snapshots, custom images, the per-parent platform listings "
    "(app alerts, database replicas and pools, VPCs with members) and the region and size "
    "catalogues.",
)
inventory_backups_job = dg.define_asset_job(
    "inventory_backups_job",
    selection=_keys("droplet_backups"),
    description="Droplet backups, per droplet with backups on.",
)

JOBS = [inventory_sync_job, inventory_snapshots_job, inventory_backups_job]

SCHEDULES = [
    utc_schedule(
        "inventory_sync_schedule",
        job=inventory_sync_job,
        cron="*/15 * * * *",
        description="Every 15 minutes.",
    ),
    utc_schedule(
        "inventory_snapshots_schedule",
        job=inventory_snapshots_job,
        cron="33 * * * *",
        description="Hourly at :33.",
    ),
    utc_schedule(
        "inventory_backups_schedule",
        job=inventory_backups_job,
        cron="41 * * * *",
        description="Hourly at :41.",
    ),
]

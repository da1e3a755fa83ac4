"""When inventory syncs run: every 15 minutes, snapshots hourly at :33, backups hourly at :41 (UTC).

Schedules are on by default (`default_status=RUNNING`); turn one off in the UI (Automation) or with
`dagster schedule stop <name>`.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from arcadia_cloud_assets.inventory import assets as a
from arcadia_cloud_assets.schedules import utc_schedule
from arcadia_cloud_core.inventory.upsert import DEFAULT_TOUCH_INTERVAL

EVERY_15_MIN = timedelta(minutes=15)
HOURLY = timedelta(hours=1)

#: How often each kind is listed (placeholders come with project_resources, every 15 minutes).
KIND_CADENCE = {
    "droplet": EVERY_15_MIN,
    "dns_zone": EVERY_15_MIN,
    "volume": EVERY_15_MIN,
    "reserved_ip": EVERY_15_MIN,
    "firewall": EVERY_15_MIN,
    "load_balancer": EVERY_15_MIN,
    "spaces_bucket": EVERY_15_MIN,
    "managed_db": EVERY_15_MIN,
    "k8s_cluster": EVERY_15_MIN,
    "snapshot": HOURLY,
    "droplet_backup": HOURLY,
}


def max_age(kind: str) -> timedelta:
    """The oldest `last_seen_at` a live resource may have: one missed run, plus the touch slack."""
    return 2 * KIND_CADENCE[kind] + DEFAULT_TOUCH_INTERVAL


def _keys(*names: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*[dg.AssetKey([a.PREFIX, name]) for name in names])


inventory_sync_job = dg.define_asset_job(
    "inventory_sync_job",
    selection=_keys(
        "projects",
        "droplets",
        "domains",
        "volumes",
        "reserved_ips",
        "firewalls",
        "load_balancers",
        "project_resources",
        "summary",
    )
    | dg.AssetSelection.assets(dg.AssetKey(["drift", "drift"])),
    description="Projects and every 15-minute kind, then attribution, the tenant summary and "
    "the drift sweep.",
)
inventory_snapshots_job = dg.define_asset_job(
    "inventory_snapshots_job",
    selection=_keys("snapshots"),
    description="Droplet and volume snapshots.",
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

"""When inventory syncs run: every 15 minutes, snapshots hourly at :33, backups hourly at :41 (UTC).

Each asset's cadence is written once (`ASSET_CADENCE`); the jobs, their schedules and the
freshness limit of every kind (`KIND_CADENCE`, `max_age`) derive from it. Schedules are on by
default (`default_status=RUNNING`); turn one off in the UI (Automation) or with
`dagster schedule stop <name>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from arcadia_cloud_assets.inventory import assets as a
from arcadia_cloud_assets.schedules import utc_schedule
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.upsert import DEFAULT_TOUCH_INTERVAL
from arcadia_cloud_core.inventory.urns import PLACEHOLDER_KINDS


@dataclass(frozen=True)
class Cadence:
    """One inventory job and its schedule: `inventory_<name>_job` on `cron` (UTC)."""

    name: str
    cron: str
    interval: timedelta
    when: str
    job_description: str


EVERY_15_MIN = Cadence(
    "sync",
    "*/15 * * * *",
    timedelta(minutes=15),
    "Every 15 minutes.",
    "Projects and every 15-minute kind, then attribution, the tenant summary and the drift sweep.",
)
HOURLY_AT_33 = Cadence(
    "snapshots", "33 * * * *", timedelta(hours=1), "Hourly at :33.", "Droplet and volume snapshots."
)
HOURLY_AT_41 = Cadence(
    "backups",
    "41 * * * *",
    timedelta(hours=1),
    "Hourly at :41.",
    "Droplet backups, per droplet with backups on.",
)
CADENCES = (EVERY_15_MIN, HOURLY_AT_33, HOURLY_AT_41)

#: Inventory asset name → how often it runs.
ASSET_CADENCE: Mapping[str, Cadence] = {
    "projects": EVERY_15_MIN,
    **{name: EVERY_15_MIN for name in sync.KIND_SPECS},
    "snapshots": HOURLY_AT_33,
    "droplet_backups": HOURLY_AT_41,
    "project_resources": EVERY_15_MIN,
    "summary": EVERY_15_MIN,
}

#: Inventory asset name → the kinds it writes (placeholders come with project_resources).
ASSET_KINDS: Mapping[str, tuple[str, ...]] = {
    **{name: (spec.kind,) for name, spec in sync.KIND_SPECS.items()},
    "droplet_backups": ("droplet_backup",),
    "project_resources": PLACEHOLDER_KINDS,
}

#: How often each kind is listed.
KIND_CADENCE: Mapping[str, timedelta] = {
    kind: ASSET_CADENCE[name].interval for name, kinds in ASSET_KINDS.items() for kind in kinds
}


def max_age(kind: str) -> timedelta:
    """The oldest `last_seen_at` a live resource may have: one missed run, plus the touch slack."""
    return 2 * KIND_CADENCE[kind] + DEFAULT_TOUCH_INTERVAL


def _job(cadence: Cadence) -> dg.UnresolvedAssetJobDefinition:
    names = [name for name, of in ASSET_CADENCE.items() if of is cadence]
    selection = dg.AssetSelection.assets(*[dg.AssetKey([a.PREFIX, name]) for name in names])
    if cadence is EVERY_15_MIN:  # the drift sweep follows the inventory it compares against
        selection = selection | dg.AssetSelection.assets(dg.AssetKey(["drift", "drift"]))
    return dg.define_asset_job(
        f"inventory_{cadence.name}_job", selection=selection, description=cadence.job_description
    )


inventory_sync_job = _job(EVERY_15_MIN)
inventory_snapshots_job = _job(HOURLY_AT_33)
inventory_backups_job = _job(HOURLY_AT_41)

JOBS = [inventory_sync_job, inventory_snapshots_job, inventory_backups_job]

SCHEDULES = [
    utc_schedule(
        f"inventory_{cadence.name}_schedule", job=job, cron=cadence.cron, description=cadence.when
    )
    for cadence, job in zip(CADENCES, JOBS, strict=True)
]

"""The drift sweep as an asset: counts plus the open-drift table (the inbox in the UI).

It runs inside every `inventory_sync_job` run (after the 15-minute kinds) and, declaratively
(``eager``), after any other inventory materialisation (snapshots at :33, backups at :41, a run
from the UI): Dagster skips the eager run when the run that updated inventory swept drift too.
"""

import dagster as dg

from arcadia_cloud_assets.automation import first_fill, freshness
from arcadia_cloud_assets.inventory.assets import KIND_ASSETS, droplet_backups, project_resources
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core.drift import detect_all
from arcadia_cloud_core.inventory.kinds import EVERY_15_MIN
from arcadia_cloud_core.resources import DatabaseResource

INBOX_COLUMNS = ("drift_id", "resource_name", "kind", "field", "expected", "actual", "since")


@dg.asset(
    key=dg.AssetKey(["drift", "drift"]),
    group_name="drift",
    deps=[*KIND_ASSETS, droplet_backups, project_resources],
    kinds={"postgres"},
    freshness_policy=freshness(EVERY_15_MIN),  # swept with every inventory sync
    automation_condition=(first_fill() | dg.AutomationCondition.eager()).with_label(
        "first_fill_or_eager"
    ),
)
def drift(database: DatabaseResource) -> dg.MaterializeResult:
    """Compare what we provisioned with live inventory; open, refresh and close drift rows.

    Accept a drift from the Launchpad with the `accept_drift_job` (arcadia_cloud_ops).
    """
    result = detect_all(database.engine())
    inbox = result.inbox_records()
    return dg.MaterializeResult(
        metadata={**result.as_metadata(), "inbox": table(inbox[:200], columns=INBOX_COLUMNS)}
    )

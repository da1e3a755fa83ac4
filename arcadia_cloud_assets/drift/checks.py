"""Drift asset checks: `no_open_drift` warns while the drift inbox is not empty."""

import dagster as dg

from arcadia_cloud_assets.drift.assets import INBOX_COLUMNS, drift
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core.drift import list_open_drifts
from arcadia_cloud_core.resources import DatabaseResource


@dg.asset_check(asset=drift, description="No open drift (warn): lists the drifted resources.")
def no_open_drift(database: DatabaseResource) -> dg.AssetCheckResult:
    """Warns while anything drifted is waiting in the inbox."""
    open_drifts = [d.as_record() for d in list_open_drifts(database.engine())]
    return dg.AssetCheckResult(
        passed=not open_drifts,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "open": len(open_drifts),
            **({"drifted": table(open_drifts[:50], columns=INBOX_COLUMNS)} if open_drifts else {}),
        },
    )


CHECKS = [no_open_drift]

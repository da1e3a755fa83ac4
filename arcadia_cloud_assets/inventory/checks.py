"""Inventory asset checks, on `inventory/summary` (the table as a whole)."""

from datetime import UTC, datetime

import dagster as dg

from arcadia_cloud_assets.inventory.assets import summary
from arcadia_cloud_assets.inventory.automation import KIND_CADENCE, max_age
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core.inventory import checks
from arcadia_cloud_core.resources import DatabaseResource


@dg.asset_check(asset=summary, description="No (provider, kind, provider_id) stored twice.")
def no_duplicate_resources(database: DatabaseResource) -> dg.AssetCheckResult:
    """Duplicates would double-count costs and drift: an error."""
    dupes = checks.duplicate_identities(database.engine())
    return dg.AssetCheckResult(
        passed=not dupes,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"duplicates": len(dupes), "sample": table(dupes[:25])} if dupes else {},
    )


@dg.asset_check(asset=summary, description="Every live resource belongs to a project (warn).")
def resources_attributed(database: DatabaseResource) -> dg.AssetCheckResult:
    """Unattributed resources have no tenant: their cost lands nowhere."""
    total, sample = checks.unattributed(database.engine())
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unattributed": total, **({"sample": table(sample)} if sample else {})},
    )


@dg.asset_check(
    asset=summary,
    description="No live resource last seen longer ago than its kind's schedule allows (warn).",
)
def resources_fresh(database: DatabaseResource) -> dg.AssetCheckResult:
    """A stale row means its kind's sync has not completed lately."""
    limits = {kind: max_age(kind) for kind in KIND_CADENCE}
    total, sample = checks.stale_resources(database.engine(), max_age=limits, now=datetime.now(UTC))
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "stale": total,
            "max_age_minutes": {k: int(v.total_seconds() // 60) for k, v in limits.items()},
            **({"sample": table(sample)} if sample else {}),
        },
    )


CHECKS = [no_duplicate_resources, resources_attributed, resources_fresh]

"""The inventory domain's definitions, merged at the code location's root."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.inventory.assets import ASSETS
from arcadia_cloud_assets.inventory.automation import JOBS, SCHEDULES
from arcadia_cloud_assets.inventory.checks import CHECKS


def inventory_definitions() -> dg.Definitions:
    """Inventory assets, checks, jobs and schedules."""
    return dg.Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS, schedules=SCHEDULES)

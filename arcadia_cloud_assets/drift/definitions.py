"""The drift domain's definitions, merged at the code location's root."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.drift.assets import drift
from arcadia_cloud_assets.drift.automation import JOBS
from arcadia_cloud_assets.drift.checks import CHECKS


def drift_definitions() -> dg.Definitions:
    """The drift asset, its check and job (its automation condition replaces a schedule)."""
    return dg.Definitions(assets=[drift], asset_checks=CHECKS, jobs=JOBS)

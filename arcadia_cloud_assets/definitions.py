"""The `arcadia_cloud_assets` code location: inventory, billing and drift assets."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.billing.automation import billing_definitions
from arcadia_cloud_assets.bootstrap import bootstrap_sensor
from arcadia_cloud_assets.drift.assets import drift_definitions
from arcadia_cloud_assets.inventory.definitions import inventory_definitions
from arcadia_cloud_core.resources import shared_resources


def build_definitions() -> dg.Definitions:
    """Merge each domain's definitions with the shared resources."""
    return dg.Definitions.merge(
        inventory_definitions(),
        drift_definitions(),
        billing_definitions(),
        dg.Definitions(sensors=[bootstrap_sensor], resources=shared_resources()),
    )


defs = build_definitions()

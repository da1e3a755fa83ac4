"""The `arcadia_cloud_assets` code location: inventory, billing and drift assets."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.automation import automation_sensor
from arcadia_cloud_assets.billing.daily import daily_costs_definitions
from arcadia_cloud_assets.billing.definitions import billing_definitions
from arcadia_cloud_assets.drift.definitions import drift_definitions
from arcadia_cloud_assets.inventory.definitions import inventory_definitions
from arcadia_cloud_core.resources import shared_resources


def build_definitions() -> dg.Definitions:
    """Merge each domain's definitions with the shared resources.

    Every job of this location runs its steps in the run's own process (`in_process_executor`):
    the steps wait on DO and the database, not the CPU, and a process per step costs seconds of
    start-up each (the first start of `make dev` runs ~140 jobs). To spread one run's steps over
    workers, set a distributed executor here (see the README's "Scale out").
    """
    return dg.Definitions.merge(
        inventory_definitions(),
        drift_definitions(),
        billing_definitions(),
        daily_costs_definitions(),
        dg.Definitions(
            sensors=[automation_sensor],
            resources=shared_resources(),
            executor=dg.in_process_executor,
        ),
    )


defs = build_definitions()

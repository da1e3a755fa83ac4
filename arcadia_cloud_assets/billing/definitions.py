"""The billing domain's definitions, merged at the code location's root.

Billing has no checks module: its checks (`reconciled`, the match rate, `finance_configured`,
`focus_1_2_rules`) are check specs of the assets, evaluated in the same materialisation.
"""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.billing.assets import ASSETS
from arcadia_cloud_assets.billing.automation import JOBS, SCHEDULES, SENSORS


def billing_definitions() -> dg.Definitions:
    """Billing assets, jobs, schedules and sensors."""
    return dg.Definitions(assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS)

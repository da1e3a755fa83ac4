"""When drift runs: inside every `inventory_sync_job` run, and after any other inventory
materialisation by its automation condition (see `assets`); no schedule or sensor of its own.
`drift_job` sweeps alone, from the UI."""

import dagster as dg

from arcadia_cloud_assets.drift.assets import drift

drift_job = dg.define_asset_job(
    "drift_job", selection=dg.AssetSelection.assets(drift), description="The drift sweep alone."
)

JOBS = [drift_job]

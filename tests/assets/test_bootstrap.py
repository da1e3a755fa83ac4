"""A fresh deployment requests each job once; nothing once the assets exist."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_assets.bootstrap import FIRST_RUNS, bootstrap_sensor


def test_fresh_instance_requests_every_first_run_once() -> None:
    with dg.instance_for_test() as instance:
        result = bootstrap_sensor(dg.build_sensor_context(instance=instance))
        assert sorted(r.run_key for r in result) == sorted(
            f"bootstrap:{job.name}" for job, _ in FIRST_RUNS
        )
        assert {r.job_name for r in result} == {job.name for job, _ in FIRST_RUNS}


def test_materialised_assets_need_no_bootstrap() -> None:
    with dg.instance_for_test() as instance:
        for _, key in FIRST_RUNS:
            instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
        result = bootstrap_sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(result, dg.SkipReason)

"""Every job of both code locations runs its steps in the run's own process."""

import dagster as dg
import pytest

from arcadia_cloud_assets.definitions import defs as asset_defs
from arcadia_cloud_ops.definitions import defs as ops_defs


@pytest.mark.parametrize("defs", [asset_defs, ops_defs], ids=["assets", "ops"])
def test_every_job_uses_the_in_process_executor(defs: dg.Definitions) -> None:
    jobs = defs.resolve_all_job_defs()
    assert len(jobs) >= 9
    multiprocess = [job.name for job in jobs if job.executor_def.name != "in_process"]
    assert multiprocess == []

"""Both code locations load with the shared resources wired, reaching nothing at load time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.resources import (
    DigitalOceanResource,
    digitalocean_resource,
    shared_resources,
)
from tests.conftest import REPO

LOCATIONS = ("arcadia_cloud_assets.definitions", "arcadia_cloud_ops.definitions")
SETTINGS = (
    "DO_API_TOKEN",
    "DO_API_TOKEN_SYNC",
    "DO_API_TOKEN_BILLING",
    "DO_API_TOKEN_PROVISIONING",
    "DO_API_BASE_URL",
    "ARCADIA_DATABASE_URL",
)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["DAGSTER_HOME"] = str(tmp_path)
    return env


def test_workspace_validates_with_nothing_running(tmp_path: Path) -> None:
    """`dagster definitions validate` passes with no token, no database and no simulator."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    for location in ("arcadia_cloud_assets", "arcadia_cloud_ops"):
        assert location in output
    assert not list(tmp_path.glob("*.db")), "loading definitions must not create a database"


#: Every job each location defines (schedules, sensors, the UI and the runbooks name them).
JOBS = {
    "arcadia_cloud_assets.definitions": {
        "__ASSET_JOB",
        "billing_balance_job",
        "billing_cost_views_job",
        "billing_daily_costs_job",
        "billing_invoices_job",
        "billing_month_to_date_job",
        "drift_job",
        "finance_push_job",
        "inventory_backups_job",
        "inventory_snapshots_job",
        "inventory_sync_job",
        "invoice_ingest_job",
    },
    "arcadia_cloud_ops.definitions": {
        "accept_drift_job",
        "compensate_saga",
        "delete_dns_record",
        "destroy_droplet",
        "provision_droplet",
        "request_saga_cancel",
        "revert_drift",
        "saga_demo",
        "snapshot_droplet",
        "upsert_dns_record",
    },
}


@pytest.mark.parametrize("module", LOCATIONS)
def test_each_location_wires_the_shared_resources(module: str) -> None:
    defs = __import__(module, fromlist=["defs"]).defs
    assert isinstance(defs, dg.Definitions)
    repo = defs.get_repository_def()
    shared = set(repo.get_top_level_resources())
    assert {"database", "do_sync", "do_billing", "do_provisioning"} <= shared
    jobs = {job.name: job for job in repo.get_all_jobs()}  # resolving each job binds its resources
    assert set(jobs) == JOBS[module]
    for job in jobs.values():
        assert job.required_resource_keys <= shared | {"io_manager"}, job.name
    targets = {schedule.job_name for schedule in repo.schedule_defs} | {
        target.job_name for sensor in repo.sensor_defs for target in sensor.targets
    }
    assert targets and targets <= set(jobs)


def test_purpose_token_falls_back_to_the_general_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_API_TOKEN", "dop_v1_general")
    monkeypatch.setenv("DO_API_TOKEN_BILLING", "dop_v1_billing")
    monkeypatch.delenv("DO_API_TOKEN_SYNC", raising=False)
    sync, billing = digitalocean_resource("sync"), digitalocean_resource("billing")
    # The resource holds an EnvVar (a name), resolved only when a run starts.
    assert sync.token == dg.EnvVar("DO_API_TOKEN")
    assert billing.token == dg.EnvVar("DO_API_TOKEN_BILLING")
    assert "dop_v1" not in repr(sync) + repr(billing)
    assert sync.process_config_and_initialize().token == "dop_v1_general"
    assert billing.process_config_and_initialize().token == "dop_v1_billing"


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    resource = shared_resources()["do_provisioning"]
    assert isinstance(resource, DigitalOceanResource)
    with (
        pytest.raises(ConfigError, match="DO_API_TOKEN_PROVISIONING or DO_API_TOKEN"),
        resource.client(),
    ):
        pass


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DO_API_TOKEN", "t")
    resource = digitalocean_resource("sync").process_config_and_initialize()
    assert resource.base_url == "http://127.0.0.1:9"
    with resource.client() as do:
        assert "127.0.0.1:9" in repr(do) and repr(do) != "t"

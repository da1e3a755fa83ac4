"""Both code locations load with the shared resources wired, reaching nothing at load time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._cli.utils import get_possibly_temporary_instance_for_cli
from dagster._core.run_coordinator import QueuedRunCoordinator

from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.resources import (
    DigitalOceanResource,
    digitalocean_resource,
    do_pool,
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


#: What a newcomer's shell has not set (and Dagster's own home, which makes the CLI use the cwd's).
UNSET = (*SETTINGS, "DAGSTER_HOME", "ARCADIA_DAGSTER_PG_URL", "FINANCE_URL", "FINANCE_JWT_SECRET")
LOCATION_NAMES = ("arcadia_cloud_assets", "arcadia_cloud_ops")
ROOT_COMMANDS = {
    "dagster definitions validate": ("dagster", "definitions", "validate", "-w", "workspace.yaml"),
    "dg check defs": ("dg", "check", "defs"),
}


def _leftovers() -> set[Path]:
    return {*REPO.glob(".tmp_dagster_home_*"), *REPO.glob("*.db")}


def test_the_repo_root_works_with_nothing_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """In the repo root, with nothing set (no DAGSTER_HOME, token, database, simulator or
    Postgres URL): `dagster definitions validate -w workspace.yaml` and `dg check defs` load both
    locations, and the instance `dagster dev -w workspace.yaml` opens is a working one."""
    before = _leftovers()
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    bin_dir = Path(sys.executable).parent
    running = {
        name: subprocess.Popen(
            [str(bin_dir / command[0]), *command[1:]],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, command in ROOT_COMMANDS.items()
    }
    # `dagster dev`'s own instance (its code, in process): with DAGSTER_HOME unset, a temporary
    # home in the cwd configured by the cwd's dagster.yaml: the production one minus storage.
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(REPO)
    with get_possibly_temporary_instance_for_cli("dagster dev") as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 2
        assert not instance.telemetry_enabled and instance.freshness_enabled
        assert Path(instance.root_directory).parent == REPO
    outputs = {}
    for name, process in running.items():
        outputs[name], _ = process.communicate(timeout=120)
        assert process.returncode == 0, f"{name}:\n{outputs[name]}"
    validated = outputs["dagster definitions validate"]
    assert all(f"successful for code location {loc}." in validated for loc in LOCATION_NAMES)
    assert outputs["dg check defs"].strip().endswith("All definitions loaded successfully.")
    assert _leftovers() == before, "loading definitions must leave no database or home behind"


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
    monkeypatch.setenv("DO_API_TOKEN", "dop_v1_secret-0123456789")
    resource = digitalocean_resource("sync").process_config_and_initialize()
    assert resource.base_url == "http://127.0.0.1:9"
    with resource.client() as do:
        assert do.base_url == "http://127.0.0.1:9"
        assert "127.0.0.1:9" in repr(do) and "secret" not in repr(do)


def test_the_shared_client_is_one_per_configuration_and_process() -> None:
    """Saga ops, hooks and retries of one run worker share one client (one connection pool)."""
    first = DigitalOceanResource(purpose="provisioning", token="t-1", base_url="http://127.0.0.1:9")
    again = DigitalOceanResource(purpose="provisioning", token="t-1", base_url="http://127.0.0.1:9")
    other = DigitalOceanResource(purpose="provisioning", token="t-2", base_url="http://127.0.0.1:9")
    with first.shared_client() as a, again.shared_client() as b, other.shared_client() as c:
        assert a is b and a is not c
    with first.shared_client() as later:  # still open after the block: kept for the process
        assert later is a and not later._transport._client.is_closed


@pytest.mark.parametrize("module", LOCATIONS)
def test_do_work_runs_in_its_purposes_pool_and_nothing_uses_legacy_tags(module: str) -> None:
    """Every op (assets' included) that needs a DO client runs in that purpose's pool; ops that
    call no DO claim none; the legacy op concurrency tag is used nowhere."""
    repo = __import__(module, fromlist=["defs"]).defs.get_repository_def()
    seen = 0
    for job in repo.get_all_jobs():
        assert "dagster/concurrency_key" not in job.tags, job.name
        for op in job.graph.iterate_op_defs():
            assert "dagster/concurrency_key" not in op.tags, op.name
            purposes = {key[3:] for key in op.required_resource_keys if key.startswith("do_")}
            assert len(purposes) <= 1, op.name
            expected = do_pool(purposes.pop()) if purposes else None
            assert op.pool == expected, (job.name, op.name, op.pool)
            seen += expected is not None
    assert seen

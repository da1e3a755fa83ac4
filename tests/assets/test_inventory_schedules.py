"""Inventory cadence: one table per asset; the jobs, schedules and freshness limits follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from arcadia_cloud_assets.definitions import defs
from arcadia_cloud_assets.inventory import automation as schedules
from arcadia_cloud_core.db.schema import RESOURCE_KINDS
from arcadia_cloud_core.inventory.kinds import KIND_SPECS, PLACEHOLDER_KINDS
from arcadia_cloud_core.inventory.upsert import DEFAULT_TOUCH_INTERVAL

#: What each job selected before the cadence table existed (keys under `inventory/`).
EXPECTED_JOB_ASSETS = {
    "inventory_sync_job": {
        "projects",
        "droplets",
        "domains",
        "volumes",
        "reserved_ips",
        "firewalls",
        "load_balancers",
        "project_resources",
        "summary",
        # the account-level kinds every 15 minutes (#13)
        *("certificates", "cdn_endpoints", "container_registry", "container_repositories"),
        *("ssh_keys", "tags", "alert_policies", "uptime_checks", "functions_namespaces"),
        *("reserved_ipv6", "autoscale_pools"),
        # the platform kinds listed every 15 minutes (#13)
        "apps",
        "databases",
        "kubernetes_clusters",
        "kubernetes_node_pools",
        "vpc_peerings",
        "nat_gateways",
        "spaces_buckets",  # through the S3 API (#13)
    },
    # snapshots, custom images, and the hourly platform kinds: per-parent listings and
    # the catalogues (#13)
    "inventory_snapshots_job": {
        "snapshots",
        "custom_images",
        "app_alerts",
        "database_replicas",
        "database_pools",
        "vpcs",
        "regions",
        "sizes",
    },
    "inventory_backups_job": {"droplet_backups"},
}


def _selected(job_name: str) -> set[dg.AssetKey]:
    return set(defs.resolve_job_def(job_name).asset_layer.selected_asset_keys)


@pytest.mark.parametrize("job_name", EXPECTED_JOB_ASSETS)
def test_jobs_select_the_same_assets_as_before(job_name: str) -> None:
    expected = {dg.AssetKey(["inventory", name]) for name in EXPECTED_JOB_ASSETS[job_name]}
    if job_name == "inventory_sync_job":
        expected.add(dg.AssetKey(["drift", "drift"]))
    assert _selected(job_name) == expected


#: Inventory asset → the kinds it writes (placeholders come with attribution).
ASSET_KINDS = {
    **{name: {spec.kind} for name, spec in KIND_SPECS.items()},
    "droplet_backups": {"droplet_backup"},
    "project_resources": set(PLACEHOLDER_KINDS),
}


def test_every_inventory_asset_is_in_exactly_one_scheduled_job() -> None:
    inventory_keys = {
        key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] == "inventory"
    }
    for key in inventory_keys:
        jobs = [name for name in EXPECTED_JOB_ASSETS if key in _selected(name)]
        assert len(jobs) == 1, (key, jobs)


def test_every_kind_has_a_cadence_and_a_freshness_limit() -> None:
    assert set(schedules.KIND_CADENCE) == set(RESOURCE_KINDS)
    assert schedules.max_age("snapshot") == timedelta(hours=2) + DEFAULT_TOUCH_INTERVAL
    assert schedules.max_age("k8s_cluster") == timedelta(minutes=30) + DEFAULT_TOUCH_INTERVAL


@pytest.mark.parametrize("kind", RESOURCE_KINDS)
def test_a_kind_is_fresh_for_the_schedule_of_the_job_that_lists_it(kind: str) -> None:
    """The declared cadence is the gap between the ticks of the schedule that lists the kind."""
    asset = next(name for name, kinds in ASSET_KINDS.items() if kind in kinds)
    job_name = next(
        name for name in EXPECTED_JOB_ASSETS if dg.AssetKey(["inventory", asset]) in _selected(name)
    )
    schedule = next(s for s in defs.schedules if s.job_name == job_name)
    start = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    ticks = list(islice(cron_string_iterator(start, schedule.cron_schedule, "UTC"), 50))
    assert {later - earlier for earlier, later in pairwise(ticks)} == {schedules.KIND_CADENCE[kind]}

"""Declarative automation and freshness of the assets location, evaluated by Dagster itself
(`evaluate_automation_conditions`, what `automation_sensor` runs each tick) on a real instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from arcadia_cloud_assets.automation import AUTOMATION_SENSOR, cron_period, freshness
from arcadia_cloud_assets.billing.assets import COST_VIEWS_CRON, invoice_partitions
from arcadia_cloud_assets.billing.daily import FORECAST_CRON
from arcadia_cloud_assets.definitions import defs
from arcadia_cloud_core.inventory.kinds import KIND_CADENCE, KIND_SPECS

#: Dagster's own tester selects with a beta parameter (`AssetSelection.all(include_sources=)`).
pytestmark = pytest.mark.filterwarnings("ignore::dagster.BetaWarning")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GRAPH = defs.resolve_asset_graph()
ALL_KEYS = GRAPH.get_all_asset_keys()
COST_VIEWS = {dg.AssetKey(["billing", name]) for name in ("monthly_costs", "focus_cost_lines")}
#: What issue 16 put under freshness and automation: inventory, drift, balance, invoices and the
#: cost views (every unpartitioned asset of the location when it was written).
FORECAST = dg.AssetKey(["billing", "forecast"])  # follows the daily costs, daily at 03:40
COVERED = (
    {key for key in ALL_KEYS if key.path[0] in ("inventory", "drift")}
    | {dg.AssetKey(["billing", name]) for name in ("balance", "invoices")}
    | COST_VIEWS
    | {FORECAST}
)
INVOICE_PARTITIONED = {
    key for key in ALL_KEYS if GRAPH.get(key).partitions_def == invoice_partitions
}
DRIFT = dg.AssetKey(["drift", "drift"])


class Ticks:
    """Successive automation ticks on one instance (the sensor's cursor carried over)."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.cursor = None
        self.now = T0

    def __call__(self, *, after: timedelta = timedelta(seconds=30)) -> set[dg.AssetKey]:
        self.now += after
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=self.instance, cursor=self.cursor, evaluation_time=self.now
        )
        self.cursor = result.cursor
        return {key for key in ALL_KEYS if result.get_requested_partitions(key)}


def _materialised(instance: dg.DagsterInstance, *keys: dg.AssetKey, partition: str | None = None):
    for key in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def test_a_fresh_deployment_fills_itself_once_and_does_not_retry_in_a_loop() -> None:
    with dg.instance_for_test() as instance:
        tick = Ticks(instance)
        # Every unpartitioned asset, upstream and downstream in the same tick (one run).
        assert tick() == COVERED
        # Their run failed (nothing materialised): no second request until a schedule runs them.
        assert tick() == set()
        assert tick(after=timedelta(minutes=5)) == set()


def test_filled_assets_rest_then_drift_and_cost_views_follow_their_upstream() -> None:
    with dg.instance_for_test() as instance:
        tick = Ticks(instance)
        _materialised(instance, *COVERED)
        assert tick() == set()  # nothing missing, nothing new upstream
        # The hourly snapshots run (no drift in it): drift follows, eagerly.
        _materialised(instance, dg.AssetKey(["inventory", "snapshots"]))
        assert tick() == {DRIFT}
        _materialised(instance, DRIFT)
        assert tick() == set()
        # An invoice ingested: both cost views refresh, once.
        instance.add_dynamic_partitions(invoice_partitions.name, ["inv-1"])
        _materialised(instance, dg.AssetKey(["billing", "invoice_cost_lines"]), partition="inv-1")
        assert tick() == COST_VIEWS
        _materialised(instance, *COST_VIEWS)
        assert tick() == set()


def test_cost_views_refresh_at_each_tick_of_their_cron_too() -> None:
    with dg.instance_for_test() as instance:
        tick = Ticks(instance)
        _materialised(instance, *COVERED)
        tick.now = T0 + timedelta(minutes=45)
        assert tick() == set()
        assert tick(after=timedelta(minutes=5)) == COST_VIEWS  # 10:50 passed
        _materialised(instance, *COST_VIEWS)
        assert tick(after=timedelta(minutes=5)) == set()


def test_one_sensor_evaluates_every_automation_condition() -> None:
    sensor = defs.resolve_sensor_def(AUTOMATION_SENSOR)
    assert isinstance(sensor, dg.AutomationConditionSensorDefinition)
    conditioned = {key for key in ALL_KEYS if GRAPH.get(key).automation_condition is not None}
    assert conditioned == COVERED
    assert all(GRAPH.get(key).partitions_def is None for key in COVERED)
    assert sensor.asset_selection.resolve(GRAPH) >= conditioned


def _scheduled_cadence(key: dg.AssetKey) -> timedelta:
    """The cadence the schedules (or the cost views' cron) give ``key``."""
    if key in COST_VIEWS:
        return cron_period(COST_VIEWS_CRON)
    if key == FORECAST:
        return cron_period(FORECAST_CRON)
    for schedule in defs.schedules or []:
        job = defs.resolve_job_def(schedule.job_name)
        if key in job.asset_layer.selected_asset_keys:
            return cron_period(str(schedule.cron_schedule))
    raise AssertionError(f"{key.to_user_string()} is on no schedule")


@pytest.mark.parametrize("key", sorted(COVERED), ids=lambda k: k.to_user_string())
def test_each_scheduled_asset_is_fresh_for_its_cadence(key: dg.AssetKey) -> None:
    """Inventory, balance, invoices, cost views and drift: warn after one missed run, fail after
    two, on the cadence of the schedule that runs them (or of the kind, for inventory)."""
    policy = GRAPH.get(key).freshness_policy
    cadence = _scheduled_cadence(key)
    assert policy == freshness(cadence)
    windows = (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta())
    assert windows == (2 * cadence, 3 * cadence)
    if key.path[0] == "inventory" and key.path[1] in KIND_SPECS:
        assert cadence == KIND_CADENCE[KIND_SPECS[key.path[1]].kind]


def test_per_invoice_assets_have_no_freshness_or_condition() -> None:
    """Cost lines and pushes are per invoice (driven by `invoice_ingest_sensor`)."""
    assert len(INVOICE_PARTITIONED) == 2
    for key in INVOICE_PARTITIONED:
        node = GRAPH.get(key)
        assert node.freshness_policy is None and node.automation_condition is None, key


def test_a_cron_with_uneven_gaps_has_no_cadence() -> None:
    assert cron_period("*/15 * * * *") == timedelta(minutes=15)
    assert cron_period("23 2 * * *") == timedelta(days=1)
    with pytest.raises(ValueError, match="uneven gaps"):
        cron_period("0 9,17 * * *")

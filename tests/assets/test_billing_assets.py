"""Billing end to end against the simulator's default account (137 invoices, April 2026)."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.billing.assets import (
    balance,
    finance_push,
    focus_cost_lines,
    invoice_cost_lines,
    invoice_partitions,
    invoices,
    monthly_costs,
)
from arcadia_cloud_assets.billing.automation import invoice_ingest_sensor
from arcadia_cloud_assets.inventory.assets import ASSETS as INVENTORY
from arcadia_cloud_core.db.schema import cloud_balance_snapshots, cloud_invoices
from arcadia_cloud_core.resources import FinanceResource
from arcadia_cloud_sim.billing.finance import DEFAULT_SECRET
from arcadia_cloud_sim.launcher import SimulatorHandle
from tests.assets.conftest import resources_for

FINANCE_SECRET = DEFAULT_SECRET


def _metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    [event] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in event.metadata.items()}


@pytest.fixture
def billing_world(engine: Engine, sim: SimulatorHandle, tmp_path):
    """Inventory and invoice headers loaded; yields (instance, resources, April uuid)."""
    resources = {
        **resources_for(engine, sim),
        "finance": FinanceResource(url=sim.base_url, jwt_secret=FINANCE_SECRET),
    }
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        setup = dg.materialize(
            [*INVENTORY, balance, invoices], resources=resources, instance=instance
        )
        assert setup.success
        with engine.connect() as connection:
            april = connection.execute(
                sa.select(cloud_invoices.c.invoice_uuid).where(
                    cloud_invoices.c.invoice_period == "2026-04"
                )
            ).scalar_one()
        yield instance, resources, april, setup


def test_invoices_become_partitions_and_balance_is_snapshotted(billing_world, engine) -> None:
    instance, _, april, setup = billing_world
    meta = _metadata(setup, "billing__invoices")
    assert meta["invoices"] == 137 and meta["new_partitions"] == 137
    assert april in instance.get_dynamic_partitions(invoice_partitions.name)
    with engine.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(cloud_invoices)).scalar_one()
            == 137
        )
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(cloud_balance_snapshots)
            ).scalar_one()
            == 1
        )
    usage = _metadata(setup, "billing__balance")["month_to_date_usage_usd"]
    assert isinstance(usage, float)


def test_sensor_requests_one_run_per_invoice_then_nothing(billing_world) -> None:
    instance, resources, _, _ = billing_world
    context = dg.build_sensor_context(instance=instance, resources=resources)
    result = invoice_ingest_sensor(context)
    keys = [r.run_key for r in result.run_requests]
    assert len(keys) == 50  # capped per tick, oldest first
    assert all(k.startswith("ingest:") and k.endswith(":0") for k in keys)
    assert len({r.partition_key for r in result.run_requests}) == 50
    assert result.cursor


def test_april_ingest_reconciles_matches_and_pushes_idempotently(billing_world, engine) -> None:
    instance, resources, april, _ = billing_world
    run = dg.materialize(
        [invoice_cost_lines, finance_push],
        partition_key=april,
        resources=resources,
        instance=instance,
    )
    assert run.success
    lines = _metadata(run, "billing__invoice_cost_lines")
    assert lines["lines"] == 44
    assert lines["total_cents"] == lines["invoice_amount_cents"] == 17404
    assert lines["tax_cents"] == 1582
    assert lines["reconciled"] is True
    assert lines["live_match_rate"] == 1.0  # the 11 unmatched droplets were destroyed
    checks = {e.check_name: e.passed for e in run.get_asset_check_evaluations()}
    assert checks["reconciled"] is True
    assert checks["match_rate_at_least_95_percent"] is True
    assert checks["finance_configured"] is True
    # Partitioned checks: each result belongs to the invoice's partition.
    assert {e.partition for e in run.get_asset_check_evaluations()} == {april}
    pushed = _metadata(run, "billing__finance_push")
    # The module's finance service outlives one parametrisation: the first push ever creates.
    assert pushed["status"] in ("created", "updated")

    again = dg.materialize(
        [invoice_cost_lines, finance_push],
        partition_key=april,
        resources=resources,
        instance=instance,
    )
    repushed = _metadata(again, "billing__finance_push")
    assert repushed["status"] == "updated"
    assert repushed["finance_invoice_id"] == pushed["finance_invoice_id"]  # never a duplicate
    assert _metadata(again, "billing__invoice_cost_lines")["lines"] == 44
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(cloud_invoices).where(cloud_invoices.c.invoice_uuid == april)
        ).one()
    assert row.ingest_status == "ingested" and row.line_count == 44
    assert row.finance_invoice_id == pushed["finance_invoice_id"]

    views = dg.materialize(
        [monthly_costs, focus_cost_lines],
        resources=resources,
        instance=instance,
        run_config={
            "ops": {
                "billing__focus_cost_lines": {
                    "config": {"parquet_path": str(instance.root_directory) + "/focus.parquet"}
                }
            }
        },
    )
    assert views.success
    assert _metadata(views, "billing__monthly_costs")["rows"] > 0
    assert _metadata(views, "billing__focus_cost_lines")["rows"] == 44
    (focus_check,) = views.get_asset_check_evaluations()
    assert focus_check.check_name == "focus_1_2_rules"
    assert focus_check.passed, focus_check.metadata["failed_rules"].value.records
    assert focus_check.metadata["pass"].value >= 290
    by_tag = _metadata(views, "billing__monthly_costs")["latest_month_by_tag"].records
    assert by_tag and all(isinstance(r.data["amount_cents"], int) for r in by_tag)


def test_unconfigured_finance_is_skipped_with_a_warning(billing_world) -> None:
    instance, resources, april, _ = billing_world
    unconfigured = {**resources, "finance": FinanceResource()}
    run = dg.materialize(
        [invoice_cost_lines, finance_push],
        partition_key=april,
        resources=unconfigured,
        instance=instance,
    )
    assert run.success
    assert _metadata(run, "billing__finance_push")["skipped"] is True
    [check] = [e for e in run.get_asset_check_evaluations() if e.check_name == "finance_configured"]
    assert check.passed is False and check.severity == dg.AssetCheckSeverity.WARN

"""Daily costs against the simulator's default account: a day's partition matched to the live
inventory, a whole month equal to its invoice to the cent, the month-to-date preview beside the
daily lines, and the daily schedule's run request."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from arcadia_cloud_assets.billing.daily import daily_costs, forecast, month_to_date
from arcadia_cloud_assets.definitions import defs
from arcadia_cloud_assets.inventory.assets import ASSETS as INVENTORY
from arcadia_cloud_core.billing import (
    ingest_daily_costs,
    ingest_invoice_from_do,
    load_daily_costs,
    spend_outlook,
    upsert_invoices,
)
from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.db.schema import cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_sim.billing.scenarios import RETIRED_DROPLETS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.assets.conftest import TOKEN, resources_for, sqlite_url

#: Unmatched reasons of lines that name no resource inventory holds.
NO_RESOURCE_REASONS = ["tax", "account_level"]


def _metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    [event] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in event.metadata.items()}


@pytest.fixture(scope="module")
def world(sim: SimulatorHandle, tmp_path_factory: pytest.TempPathFactory):
    """The simulator's inventory and its April 2026 invoice in a fresh database; yields
    (engine, resources, instance)."""
    tmp = tmp_path_factory.mktemp("daily")
    engine = open_database(sqlite_url(tmp))
    resources = resources_for(engine, sim)
    with dg.instance_for_test(temp_dir=str(tmp)) as instance:
        assert dg.materialize(INVENTORY, resources=resources, instance=instance).success
        with _do(sim) as do:
            headers = do.list_invoices().items
            upsert_invoices(engine, headers)
            for header in headers:
                if header.invoice_period == "2026-04":
                    ingest_invoice_from_do(engine, do, invoice_uuid=header.invoice_uuid)
        yield engine, resources, instance
    engine.dispose()


def _do(sim: SimulatorHandle) -> DOClient:
    return DOClient(token=TOKEN, base_url=sim.base_url, purpose="billing")


def test_a_day_partition_is_matched_to_the_live_estate(world, sim) -> None:
    engine, resources, instance = world
    day = date(2026, 4, 25)
    result = dg.materialize(
        [daily_costs], resources=resources, instance=instance, partition_key=day.isoformat()
    )
    meta = _metadata(result, "billing__daily_costs")
    lines = load_daily_costs(engine, start=day, end=day)
    with _do(sim) as do:
        served = do.list_billing_insights(do.billing_account_urn(), day, day)
    assert meta["lines"] == len(lines) == len(served) > 20  # the live estate, Spaces, GST
    assert (
        meta["day_total_cents"]
        == int(lines["amount_cents"].sum())
        == sum(p.amount_cents for p in served)
    )
    # Every line of a live resource is matched (tax and account-level lines name none).
    resource_lines = lines[~lines["unmatched_reason"].isin(NO_RESOURCE_REASONS)]
    assert resource_lines["resource_id"].notna().mean() >= 0.99
    assert meta["matched_lines"] == resource_lines["resource_id"].notna().sum()
    [truncated] = lines[
        lines["description"].str.startswith("globex-warehouse-2026...")
    ].itertuples()
    assert truncated.match_method == "invoice_line"  # two snapshots share the prefix
    assert set(lines["tenant"].dropna()) == {"acme", "globex", "platform"}
    top = meta["top_lines"].records[0].data
    biggest = lines.loc[lines["amount_cents"].abs().idxmax()]
    assert (top["description"], top["project"]) == (biggest["description"], biggest["project_name"])
    again = dg.materialize(
        [daily_costs], resources=resources, instance=instance, partition_key=day.isoformat()
    )
    assert _metadata(again, "billing__daily_costs")["rewritten"] is False


def test_a_whole_month_adds_up_to_its_invoice_to_the_cent(world, sim) -> None:
    engine, _, _ = world
    with _do(sim) as do:
        urn = do.billing_account_urn()
        ingest_daily_costs(
            engine, do, account_urn=urn, start=date(2026, 4, 1), end=date(2026, 4, 30)
        )
        april = next(i for i in do.list_invoices() if i.invoice_period == "2026-04")
        items = do.list_invoice_items(april.invoice_uuid)
    month = load_daily_costs(engine, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert int(month["amount_cents"].sum()) == april.amount_cents > 0
    invoiced = Counter[str]()
    for item in items:
        invoiced[item.description] += item.amount_cents
    daily = Counter(month.groupby("description")["amount_cents"].sum().to_dict())
    assert daily == invoiced
    # Every line of a resource our inventory has seen is matched (the retired droplets were
    # destroyed before it began: DO bills them, we never saw them).
    retired = {f"{d.name} ({d.size_slug})" for d in RETIRED_DROPLETS}
    seen = month[
        ~month["unmatched_reason"].isin(NO_RESOURCE_REASONS) & ~month["description"].isin(retired)
    ]
    assert len(seen) >= 200 and seen["resource_id"].notna().mean() >= 0.99  # from the 21st
    assert set(month.loc[month["description"].isin(retired), "unmatched_reason"]) == {"no_resource"}


def test_month_to_date_sets_the_preview_beside_the_daily_lines(world, sim) -> None:
    engine, resources, instance = world
    with _do(sim) as do:
        urn = do.billing_account_urn()
        ingest_daily_costs(
            engine, do, account_urn=urn, start=date(2026, 5, 1), end=date(2026, 5, 3)
        )
        preview = do.get_invoice_preview()
    assert preview is not None and preview.invoice_period == "2026-05"
    result = dg.materialize(
        [month_to_date], resources=resources, instance=instance, selection=[month_to_date]
    )
    meta = _metadata(result, "billing__month_to_date")
    daily = load_daily_costs(engine, start=date(2026, 5, 1), end=date(2026, 5, 31))
    assert (meta["period"], meta["days_loaded"], meta["last_day_loaded"]) == (
        "2026-05",
        3,
        "2026-05-03",
    )
    assert meta["difference_cents"] == meta["month_to_date_cents"] - int(
        daily["amount_cents"].sum()
    )
    assert meta["month_to_date_cents"] >= preview.amount_cents  # it only grows
    assert meta["forecast_month_end_usd"] >= meta["daily_total_usd"] > 0


def test_the_daily_schedule_requests_yesterday() -> None:
    schedule = defs.get_repository_def().get_schedule_def("billing_daily_costs_schedule")
    at = datetime(2026, 4, 26, 3, 17, tzinfo=UTC)
    with dg.build_schedule_context(scheduled_execution_time=at) as context:
        data = schedule.evaluate_tick(context)
    assert [r.partition_key for r in data.run_requests or []] == ["2026-04-25"]


def test_a_failed_partition_keeps_the_days_lines(world, sim, sim_admin) -> None:
    engine, _, instance = world
    resources = resources_for(engine, sim, max_attempts=1)
    day = date(2026, 4, 26)
    assert dg.materialize(
        [daily_costs], resources=resources, instance=instance, partition_key=day.isoformat()
    ).success
    before = load_daily_costs(engine, start=day, end=day)
    sim_admin.set_config(fault_rate=1.0, fault_kinds="truncate", fault_paths="/v2/billing/")
    failed = dg.materialize(
        [daily_costs],
        resources=resources,
        instance=instance,
        partition_key=day.isoformat(),
        raise_on_error=False,
    )
    assert not failed.success
    [failure] = [e for e in failed.all_events if e.is_step_failure]
    cause = failure.step_failure_data.error.cause
    assert cause.cls_name == "DOParseError" and "/insights/2026-04-26/2026-04-26" in cause.message
    assert len(before) > 20
    assert load_daily_costs(engine, start=day, end=day).equals(before)


def test_a_spend_spike_fails_its_day_check_and_the_forecast_says_where_the_month_lands(
    world, sim
) -> None:
    engine, resources, instance = world
    day = date(2026, 4, 29)  # the tenants' estate runs from April 21: a week of history
    with _do(sim) as do:
        urn = do.billing_account_urn()
        ingest_daily_costs(engine, do, account_urn=urn, start=date(2026, 3, 1), end=day)
    baseline = load_daily_costs(engine, start=day, end=day)
    target = baseline[(baseline["kind"] == "droplet") & baseline["resource_id"].notna()].iloc[0]
    quiet = dg.materialize(
        [daily_costs], resources=resources, instance=instance, partition_key=day.isoformat()
    )
    [check] = quiet.get_asset_check_evaluations()
    assert check.check_name == "no_spend_anomaly" and check.passed  # a steady day
    with SimAdmin(sim) as admin:
        admin.add_billing_spikes(
            [{"day": day.isoformat(), "description": target.description, "extra_cents": 5_000}]
        )
        try:
            spiked = dg.materialize(
                [daily_costs],
                resources=resources,
                instance=instance,
                partition_key=day.isoformat(),
            )
        finally:
            admin.clear_billing_spikes()
    [check] = spiked.get_asset_check_evaluations()
    assert not check.passed and check.partition == day.isoformat()
    [found] = check.metadata["found"].value.records
    assert (found.data["project"], found.data["kind"]) == (target.project_name, "droplet")
    assert found.data["excess_usd"] >= 45.0

    result = dg.materialize([forecast], resources=resources, instance=instance)
    meta = _metadata(result, "billing__forecast")
    outlook = spend_outlook(engine)
    account = outlook.account.iloc[0]
    assert meta["as_of"] == str(outlook.as_of)
    assert meta["forecast_cents"] == int(account.forecast_cents) > 0
    assert account.low_cents <= account.forecast_cents <= account.high_cents
    assert account.mtd_cents <= account.forecast_cents
    assert meta["anomalies_this_month"] == len(outlook.anomalies)
    tenants = {r.data["tenant"] for r in meta["by_tenant"].records}
    assert {"acme", "globex", "platform"} <= tenants
    assert sum(outlook.by_tenant["forecast_cents"]) == int(account.forecast_cents)
    assert meta["top_movers"].records  # the table the Catalog shows
    # This month by DO tag, from the daily lines and the resources' tags.
    month = load_daily_costs(engine, start=outlook.as_of.replace(day=1), end=outlook.as_of)
    with engine.connect() as connection:
        tags = dict(
            connection.execute(sa.select(cloud_resources.c.id, cloud_resources.c.attrs)).all()
        )
    expected: Counter[str] = Counter()
    for row in month.itertuples():
        labels = (tags.get(row.resource_id) or {}).get("tags") if pd.notna(row.resource_id) else []
        for label in set(labels or []) or {"(untagged)"}:
            expected[label] += int(row.amount_cents)
    shown = {
        r.data["tag"]: round(r.data["usd"] * 100) for r in meta["month_to_date_by_tag"].records
    }
    assert shown == dict(expected) and len(shown) > 1

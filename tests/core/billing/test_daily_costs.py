"""Daily costs: insights matched like invoice lines, stored per day atomically, read back as the
series the forecast and the anomaly check take (SQLite and Postgres)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import BillingError, ingest_invoice, upsert_invoices
from arcadia_cloud_core.billing.anomalies import detect_anomalies
from arcadia_cloud_core.billing.daily_costs import (
    DAILY_COLUMNS,
    DailyCostsError,
    ingest_daily_costs,
    load_daily_costs,
    product_for_sku,
)
from arcadia_cloud_core.billing.forecast import forecast_month_end
from arcadia_cloud_core.billing.month_to_date import month_to_date
from arcadia_cloud_core.db.schema import cloud_daily_cost_days, cloud_daily_cost_lines
from arcadia_cloud_core.digitalocean import BillingInsight, DOCurrencyError, Invoice, InvoiceItem
from arcadia_cloud_sim.billing.insights import SKU_BY_PRODUCT as SIM_SKUS

from .helpers import Header, Line, add_resources, count, kind_for, render_csv, sample_estate

URN = "do:team:12345678-1234-1234-1234-123456789012"
APRIL_1, APRIL_2 = date(2026, 4, 1), date(2026, 4, 2)
INVOICE = "5dc680c2-93d6-41d9-afe1-93d3abb1bcb6"


def point(day: date, sku: str, description: str, amount: str, group: str = "") -> BillingInsight:
    return BillingInsight.from_payload(
        {
            "usage_team_urn": URN,
            "start_date": day.isoformat(),
            "total_amount": amount,
            "region": "nyc3",
            "sku": sku,
            "description": description,
            "group_description": group,
        }
    )


def day_points(day: date) -> list[BillingInsight]:
    return [
        point(day, "1-DO-DROP-0109", "web-1 (s-1vcpu-1gb)", "0.20"),
        point(day, "1-DO-BKUP-0001", "web-1 (Weekly Backup Services)", "0.04"),
        point(day, "1-BS-VOL-0001", "data-1 (100 GiB)", "0.33"),
        point(day, "1-NW-RIP-0001", "Unused Reserved IP - 203.0.113.7", "0.17"),
        point(day, "1-KS-K8SWN-00109", "3 nodes - 4 GB / 2 vCPU", "2.57", group="globex-doks"),
        point(day, "1-DO-DROP-0109", "gone-1 (s-1vcpu-1gb)", "0.20"),
        point(day, "1-XX-PROMO-0001", "Promotional credit", "-1.00"),
        point(day, "1-TX-TAX-0001", "GST (10%)", "0.05"),
    ]


class Source:
    """DO's insights as given (the simulator serves no credits, no odd SKUs, no bad days)."""

    def __init__(self, points: Iterable[BillingInsight] = (), error: Exception | None = None):
        self.points, self.error = list(points), error

    def list_billing_insights(self, account_urn: str, start: date, end: date) -> list[Any]:
        if self.error is not None:
            raise self.error
        return [p for p in self.points if start <= p.day <= end]


def test_skus_name_their_products() -> None:
    assert product_for_sku("1-DO-DROP-0109") == "Droplets"
    assert product_for_sku("1-KS-K8SWN-00109") == "Kubernetes"
    assert product_for_sku("1-SP-SUB-0001") == "Spaces Subscription"
    assert product_for_sku("1-SP-STOR-0001") == "Spaces"
    assert product_for_sku("1-DB-CLUSTER-0001") == "Managed Databases"
    assert product_for_sku("1-PROMO-CREDIT-0001") == "Credits"
    assert product_for_sku("1-ZZ-NEW-0001") is None and product_for_sku("") is None


def test_daily_lines_match_like_invoice_lines_and_keep_credits(engine: Engine) -> None:
    ids = sample_estate(engine)
    result = ingest_daily_costs(
        engine, Source(day_points(APRIL_1)), account_urn=URN, start=APRIL_1, end=APRIL_1
    )
    assert result.days_written == (APRIL_1,) and result.day_totals() == {APRIL_1: 256}
    frame = load_daily_costs(engine, start=APRIL_1, end=APRIL_1)
    assert list(frame.columns) == list(DAILY_COLUMNS) and len(frame) == 8
    by = frame.set_index("description")
    assert by.loc["web-1 (s-1vcpu-1gb)", "resource_id"] == ids["101"]
    assert by.loc["web-1 (Weekly Backup Services)", "resource_id"] == ids["101"]  # its droplet
    assert by.loc["web-1 (Weekly Backup Services)", "kind"] == "droplet_backup"
    assert by.loc["data-1 (100 GiB)", "resource_id"] == ids["vol-1"]
    assert by.loc["Unused Reserved IP - 203.0.113.7", "resource_id"] == ids["203.0.113.7"]
    assert by.loc["3 nodes - 4 GB / 2 vCPU", "resource_id"] == ids["k8s-1"]
    assert tuple(by.loc["web-1 (s-1vcpu-1gb)", ["project_name", "tenant"]]) == ("Acme", "acme")
    assert tuple(by.loc["data-1 (100 GiB)", ["project_name", "tenant"]]) == ("Globex", "globex")
    assert by.loc["Unused Reserved IP - 203.0.113.7", "tenant"] == "platform"  # its project's
    assert by.loc["gone-1 (s-1vcpu-1gb)", "unmatched_reason"] == "no_resource"
    assert by.loc["GST (10%)", "unmatched_reason"] == "tax"
    credit = by.loc["Promotional credit"]
    assert credit["amount_cents"] == -100 and credit["unmatched_reason"] == "account_level"
    assert all(by["match_method"].dropna() != "resource_id")  # insights carry no ids
    with engine.connect() as connection:
        day = connection.execute(sa.select(cloud_daily_cost_days)).one()
    assert (day.line_count, day.amount_cents) == (8, 256)


def test_a_rerun_writes_nothing_and_a_change_rewrites_only_its_day(engine: Engine) -> None:
    sample_estate(engine)
    points = day_points(APRIL_1) + day_points(APRIL_2)
    first = ingest_daily_costs(engine, Source(points), account_urn=URN, start=APRIL_1, end=APRIL_2)
    assert first.days_written == (APRIL_1, APRIL_2)
    again = ingest_daily_costs(engine, Source(points), account_urn=URN, start=APRIL_1, end=APRIL_2)
    assert again.days_written == ()
    changed = [*points[:-1], point(APRIL_2, "1-TX-TAX-0001", "GST (10%)", "0.07")]
    third = ingest_daily_costs(engine, Source(changed), account_urn=URN, start=APRIL_1, end=APRIL_2)
    assert third.days_written == (APRIL_2,)
    assert count(engine, cloud_daily_cost_lines) == 16
    totals = load_daily_costs(engine, start=APRIL_1, end=APRIL_2).groupby("day")["amount_cents"]
    assert totals.sum().to_dict() == {APRIL_1: 256, APRIL_2: 258}


def test_an_empty_day_is_a_loaded_day_with_no_lines(engine: Engine) -> None:
    result = ingest_daily_costs(engine, Source(), account_urn=URN, start=APRIL_1, end=APRIL_2)
    assert result.day_totals() == {APRIL_1: 0, APRIL_2: 0}
    with engine.connect() as connection:
        days = connection.execute(
            sa.select(cloud_daily_cost_days.c.day, cloud_daily_cost_days.c.line_count)
        ).all()
    assert sorted(days) == [(APRIL_1, 0), (APRIL_2, 0)]
    frame = load_daily_costs(engine, start=APRIL_1, end=APRIL_2)
    assert frame.empty and list(frame.columns) == list(DAILY_COLUMNS)
    forecast = forecast_month_end(frame, as_of=APRIL_2)
    assert forecast.loc[0, "forecast_cents"] == 0


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            Source(error=DOCurrencyError("'EUR' is not USD", field="data_points[].currency")),
            DOCurrencyError,
        ),
        (
            Source([point(date(2026, 4, 9), "1-DO-DROP-0109", "web-1 (s-1vcpu-1gb)", "0.20")]),
            DailyCostsError,
        ),
    ],
    ids=["currency", "day-outside-range"],
)
def test_bad_input_leaves_the_stored_days_as_they_were(engine: Engine, source, error) -> None:
    sample_estate(engine)
    ingest_daily_costs(
        engine, Source(day_points(APRIL_1)), account_urn=URN, start=APRIL_1, end=APRIL_1
    )
    before = load_daily_costs(engine, start=APRIL_1, end=APRIL_2)

    class Mixed(Source):  # a new, different day 1 comes with the bad part
        def list_billing_insights(self, account_urn: str, start: date, end: date) -> list[Any]:
            if source.error is not None:
                raise source.error
            return [point(APRIL_1, "1-TX-TAX-0001", "GST (10%)", "9.99"), *source.points]

    with pytest.raises(error):
        ingest_daily_costs(engine, Mixed(), account_urn=URN, start=APRIL_1, end=APRIL_2)
    pd.testing.assert_frame_equal(load_daily_costs(engine, start=APRIL_1, end=APRIL_2), before)
    assert count(engine, cloud_daily_cost_days) == 1


def test_the_series_feeds_the_forecast_and_the_anomaly_check(engine: Engine) -> None:
    sample_estate(engine)
    days = [date(2026, 4, d) for d in range(1, 22)]
    points = [p for d in days for p in day_points(d)]
    spike_day = date(2026, 4, 20)
    points.append(point(spike_day, "1-DO-DROP-0109", "web-1 (s-1vcpu-1gb)", "50.00"))
    ingest_daily_costs(engine, Source(points), account_urn=URN, start=days[0], end=days[-1])
    series = load_daily_costs(engine, start=days[0], end=days[-1])
    forecast = forecast_month_end(series, as_of=days[-1], by=["tenant"])
    acme = forecast.set_index("tenant").loc["acme"]
    assert acme["mtd_cents"] == 21 * 24 + 5000 and acme["run_rate_cents"] == 24
    found = detect_anomalies(series)
    assert list(zip(found["day"], found["project_name"], found["kind"], strict=True)) == [
        (spike_day, "Acme", "droplet")
    ]


def test_a_line_names_cannot_settle_takes_the_resource_its_invoice_line_had(
    engine: Engine,
) -> None:
    """``warehouse-2026...`` starts two snapshots' names; April's invoice item had DO's id. The
    invoice's ``old-db`` droplet was deleted on 2 April: a later day's line stays unmatched."""
    ids = sample_estate(engine)
    add_resources(
        engine, [{"kind": "snapshot", "provider_id": "205", "name": "warehouse-2026-03-15"}]
    )
    truncated = Line("Volume Snapshots", "warehouse-2026... (65.00 GiB)", 390)
    old_db = Line("Droplets", "old-db (s-2vcpu-4gb)", 107, hours=30)
    upsert_invoices(engine, [Header(INVOICE, "2026-04", 497)])
    items = [
        {
            "product": ln.product,
            "description": ln.description,
            "amount_cents": ln.amount_cents,
            "start_time": ln.start,
            "end_time": ln.end,
            "resource_id": rid,
        }
        for ln, rid in ((truncated, "204"), (old_db, "102"))
    ]
    ingest_invoice(
        engine, invoice_uuid=INVOICE, csv_data=render_csv([truncated, old_db]), items=items
    )
    day = date(2026, 5, 2)
    points = [
        point(day, "1-BS-SNAP-0001", truncated.description, "0.13"),
        point(day, "1-DO-DROP-0109", old_db.description, "0.28"),
    ]
    ingest_daily_costs(engine, Source(points), account_urn=URN, start=day, end=day)
    snapshot, droplet = load_daily_costs(engine, start=day, end=day).itertuples()
    assert (snapshot.resource_id, snapshot.match_method) == (ids["204"], "invoice_line")
    assert snapshot.unmatched_reason is None and snapshot.project_name == "Globex"
    assert pd.isna(droplet.resource_id) and droplet.unmatched_reason == "no_resource"


def test_month_to_date_sets_the_preview_beside_the_loaded_days(engine: Engine) -> None:
    preview = Invoice.from_payload(
        {"invoice_uuid": INVOICE, "amount": "5.12", "invoice_period": "2026-04"}
    )
    items = [
        InvoiceItem.from_payload({"product": product, "amount": amount}, invoice_uuid=INVOICE)
        for product, amount in (("Droplets", "4.00"), ("Taxes", "0.12"), ("Droplets", "1.00"))
    ]
    empty = month_to_date(engine, preview=preview, items=items)
    assert (empty.days_loaded, empty.daily_cents, empty.forecast) == (0, 0, {})
    assert empty.by_product == {"Droplets": 500, "Taxes": 12} and empty.difference_cents == 512
    sample_estate(engine)
    ingest_daily_costs(
        engine,
        Source(day_points(APRIL_1) + day_points(APRIL_2)),
        account_urn=URN,
        start=APRIL_1,
        end=APRIL_2,
    )
    mtd = month_to_date(engine, preview=preview, items=items)
    assert (mtd.days_loaded, mtd.last_day_loaded, mtd.daily_cents) == (2, APRIL_2, 512)
    assert mtd.difference_cents == 0 and mtd.forecast["forecast_cents"] == 256 * 30
    bad = Invoice.from_payload(
        {"invoice_uuid": INVOICE, "amount": "1.00", "invoice_period": "April"}
    )
    with pytest.raises(BillingError, match="'April' is not YYYY-MM"):
        month_to_date(engine, preview=bad, items=[])


@pytest.mark.parametrize("product", sorted(SIM_SKUS))
def test_each_simulator_sku_names_a_product_of_the_same_kind(product: str) -> None:
    """The simulator bills each product under a SKU; ours reads back a product of its kind."""
    assert kind_for(product_for_sku(SIM_SKUS[product])) == kind_for(product) is not None


def test_long_text_is_cut_to_its_column_and_stored(engine: Engine) -> None:
    """An unknown SKU family: the (long) description stands in for the product."""
    long = "x" * 400 + " (s-1vcpu-1gb)"
    odd = point(APRIL_1, "1-NEWSERVICE-" + "9" * 80, long, "1.23")
    ingest_daily_costs(engine, Source([odd]), account_urn=URN, start=APRIL_1, end=APRIL_1)
    [line] = load_daily_costs(engine, start=APRIL_1, end=APRIL_1).itertuples()
    assert line.description == long and len(line.sku) == 64 and line.amount_cents == 123
    assert line.unmatched_reason == "no_kind"
    again = ingest_daily_costs(engine, Source([odd]), account_urn=URN, start=APRIL_1, end=APRIL_1)
    assert again.days_written == ()  # the cut values compare equal to the stored ones

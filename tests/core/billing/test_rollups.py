"""Monthly cost roll-up and FOCUS 1.2 rows (frame, Parquet, table) on both engines."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import (
    FOCUS_COLUMNS,
    BillingAccount,
    focus_frame,
    ingest_invoice,
    monthly_costs_frame,
    refresh_monthly_costs,
    replace_focus_lines,
    stored_monthly_costs,
    upsert_invoices,
    write_focus_parquet,
)
from arcadia_cloud_core.db.schema import cloud_focus_cost_lines, cloud_monthly_costs

from .helpers import (
    ACCOUNT,
    APRIL_UUID,
    MARCH,
    MARCH_UUID,
    SAMPLE_LINES,
    SAMPLE_TOTAL,
    Header,
    count,
    render_csv,
)


def _as_records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_monthly_costs_by_month_tenant_project_kind(ingested: Engine) -> None:
    frame = monthly_costs_frame(ingested)
    assert int(frame["amount_cents"].sum()) == SAMPLE_TOTAL + 1134
    assert int(frame["line_count"].sum()) == len(SAMPLE_LINES) + len(MARCH)
    rows = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in _as_records(frame)}
    # March: web-1 twice (matched → tenant acme); scratch unmatched → tenant via project Globex.
    assert rows[("2026-03", "acme", "Acme", "droplet")] == (1234, 2)
    assert rows[("2026-03", "globex", "Globex", "volume")] == (-100, 1)
    # April: the backup line is the droplet's tenant's, under its own kind.
    assert rows[("2026-04", "acme", "Acme", "droplet_backup")] == (240, 1)
    # Account-level and tax lines have no project and no tenant.
    assert rows[("2026-04", None, None, "tax")] == (12950, 1)
    assert rows[("2026-04", None, None, "spaces_subscription")] == (500, 1)
    # The app (a kind we do not inventory) still belongs to its project's tenant.
    assert rows[("2026-04", "acme", "Acme", "app")] == (500, 1)
    assert list(monthly_costs_frame(ingested, months=["2026-03"])["month"].unique()) == ["2026-03"]


def test_refresh_writes_changed_months_only(ingested: Engine) -> None:
    first = refresh_monthly_costs(ingested)
    assert first.months_written == ("2026-03", "2026-04")
    stored = sorted(_as_records(stored_monthly_costs(ingested)), key=str)
    assert stored == sorted(_as_records(monthly_costs_frame(ingested)), key=str)
    again = refresh_monthly_costs(ingested)
    assert again.months_written == () and again.rows_written == 0
    rows_before = count(ingested, cloud_monthly_costs)

    upsert_invoices(ingested, [Header(MARCH_UUID, "2026-03", 1200)])
    ingest_invoice(ingested, invoice_uuid=MARCH_UUID, csv_data=render_csv(MARCH[:1]))
    third = refresh_monthly_costs(ingested)
    assert third.months_written == ("2026-03",)
    assert count(ingested, cloud_monthly_costs) == rows_before - 1
    march = stored_monthly_costs(ingested).query("month == '2026-03'")
    assert march["amount_cents"].tolist() == [1200]


def test_focus_frame_values(ingested: Engine) -> None:
    frame = focus_frame(ingested, account=ACCOUNT)
    assert list(frame.columns) == list(FOCUS_COLUMNS)
    assert len(frame) == len(SAMPLE_LINES) + len(MARCH)
    april = frame[frame["InvoiceId"] == APRIL_UUID].reset_index(drop=True)
    assert sum(april["BilledCost"].tolist()) == Decimal(SAMPLE_TOTAL) / 100
    first = april.iloc[0]
    assert first["BilledCost"] == Decimal("12.00") == first["EffectiveCost"] == first["ListCost"]
    assert first["ChargeCategory"] == "Usage" and pd.isna(first["ChargeClass"])
    assert first["ResourceId"] == "101" and first["ResourceName"] == "web-1"
    assert first["ResourceType"] == "droplet" and first["ServiceCategory"] == "Compute"
    assert first["ServiceName"] == "Droplets" and first["SubAccountName"] == "Acme"
    assert first["PricingQuantity"] == Decimal("720") and first["PricingUnit"] == "Hours"
    assert first["BillingPeriodStart"] == pd.Timestamp("2026-04-01", tz="UTC")
    assert first["BillingPeriodEnd"] == pd.Timestamp("2026-05-01", tz="UTC")
    assert first["ProviderName"] == first["PublisherName"] == first["InvoiceIssuerName"]
    assert (first["BillingAccountId"], first["BillingAccountName"]) == (ACCOUNT.id, ACCOUNT.name)
    assert first["RegionId"] == "nyc3" and first["RegionName"] == "New York 3"  # the catalogue's
    volume = april[april["ChargeDescription"] == "data-1 (100 GiB)"].iloc[0]
    assert volume["RegionId"] == volume["RegionName"] == "ams3"  # not catalogued: the slug
    assert (
        first["SubAccountId"] == "proj-Acme" and first["ServiceSubcategory"] == "Virtual Machines"
    )
    assert first["ChargeFrequency"] == "Usage-Based" and first["SkuId"] == "Droplets"
    assert first["ListUnitPrice"] * first["PricingQuantity"] == pytest.approx(Decimal("12.00"))
    assert first["ServiceProviderName"] == first["HostProviderName"] == "DigitalOcean"
    assert pd.isna(first["AllocatedMethodId"])
    assert json.loads(first["Tags"]) == {
        "env:prod": True,
        "web": True,
        "arcadia:kind": "droplet",
        "arcadia:match": "name_live",
        "arcadia:project": "Acme",
        "arcadia:tenant": "acme",
    }
    categories = dict(zip(april["ChargeDescription"], april["ChargeCategory"], strict=True))
    assert categories["GST (10%)"] == "Tax"
    assert categories["Spaces Subscription"] == "Usage"  # a recurring fee, not a commitment
    assert dict(zip(april["ChargeCategory"], april["ChargeFrequency"], strict=True))["Tax"] == (
        "Recurring"
    )
    tax = april[april["ChargeCategory"] == "Tax"].iloc[0]
    assert pd.isna(tax["PricingQuantity"]) and pd.isna(tax["PricingUnit"])
    assert pd.isna(tax["ResourceId"]) and tax["ServiceCategory"] == "Other"
    march = frame[frame["InvoiceId"] == MARCH_UUID]
    assert march["ChargeCategory"].tolist() == ["Usage", "Usage", "Credit"]
    assert march["ChargeFrequency"].tolist() == ["Usage-Based", "Usage-Based", "One-Time"]
    assert march["ListUnitPrice"].isna().tolist() == [False, False, True]  # never negative
    only = focus_frame(ingested, account=ACCOUNT, invoice_uuids=[MARCH_UUID])
    assert len(only) == len(MARCH)


def test_focus_parquet_round_trip_is_exact(ingested: Engine, tmp_path: Path) -> None:
    frame = focus_frame(ingested, account=ACCOUNT)
    path = write_focus_parquet(frame, tmp_path / "exports" / "focus.parquet")
    schema = pq.read_schema(path)
    assert str(schema.field("BilledCost").type) == "decimal128(20, 2)"
    assert "UTC" in str(schema.field("ChargePeriodStart").type)
    back = pd.read_parquet(path)
    assert back["BilledCost"].tolist() == frame["BilledCost"].tolist()
    assert sum(back["BilledCost"].tolist()) == Decimal(SAMPLE_TOTAL + 1134) / 100


def test_focus_table_per_invoice_and_idempotent(ingested: Engine) -> None:
    write = replace_focus_lines(ingested, invoice_uuid=APRIL_UUID, account=ACCOUNT)
    assert write.rows == len(SAMPLE_LINES) and write.written
    assert replace_focus_lines(ingested, invoice_uuid=APRIL_UUID, account=ACCOUNT).written is False
    replace_focus_lines(ingested, invoice_uuid=MARCH_UUID, account=ACCOUNT)
    assert count(ingested, cloud_focus_cost_lines) == len(SAMPLE_LINES) + len(MARCH)
    other = BillingAccount(id="other")
    assert replace_focus_lines(ingested, invoice_uuid=MARCH_UUID, account=other).written
    assert count(ingested, cloud_focus_cost_lines) == len(SAMPLE_LINES) + len(MARCH)
    with ingested.connect() as connection:
        import sqlalchemy as sa

        total = connection.execute(
            sa.select(sa.func.sum(cloud_focus_cost_lines.c.billed_cost_cents))
        ).scalar_one()
    assert total == SAMPLE_TOTAL + 1134

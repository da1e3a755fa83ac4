"""Old-era invoices (no ``category`` column, no ``project_name`` on any line, as before DO had
projects) parse, and their costs land on the matched resource's own project and tenant — in the
monthly roll-up, the FOCUS rows and the finance payload — on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import (
    BillingAccount,
    build_finance_payload,
    focus_frame,
    ingest_invoice,
    monthly_costs_frame,
    parse_invoice_csv,
    upsert_invoices,
)
from arcadia_cloud_core.billing.attribution import attribute_line

from .helpers import Header, add_project, add_resources

UUID = "0b7e2c43-2015-4c1e-9a55-5e0d0c0f2015"
#: March 2015 as DO wrote it then: no ``category`` column, ``project_name`` empty everywhere.
OLD_ERA_CSV = """\
product,group_description,description,hours,start,end,USD,project_name
Droplets,,acme-wordpress (512mb),672,2015-03-01 00:00:00 +0000,2015-04-01 00:00:00 +0000,$5.00,
Droplet Backups,,acme-wordpress (Weekly Backup Services),672,2015-03-01 00:00:00 +0000,\
2015-04-01 00:00:00 +0000,$1.00,
Droplets,,globex-etl-1 (1gb),100,2015-03-10 00:00:00 +0000,2015-03-14 04:00:00 +0000,$1.49,
Volumes,,globex-scratch (nyc3) 10GB Volume,672,2015-03-01 00:00:00 +0000,\
2015-04-01 00:00:00 +0000,$1.00,
Droplets,,ghost-1 (512mb),10,2015-03-01 00:00:00 +0000,2015-03-01 10:00:00 +0000,$0.07,
"""
OLD_ERA_TOTAL = 500 + 100 + 149 + 100 + 7
GONE = datetime(2015, 3, 14, 4, tzinfo=UTC)


@pytest.fixture
def old_era(engine: Engine) -> Engine:
    """Acme's droplet carries its tenant; Globex's droplet and volume carry none (their project
    does); ghost-1 was never inventoried."""
    acme = add_project(engine, "Acme Storefront", "acme")
    globex = add_project(engine, "Globex Analytics", "globex")
    add_resources(
        engine,
        [
            {
                "kind": "droplet",
                "provider_id": "3100",
                "name": "acme-wordpress",
                "tenant_id": "acme",
                "project_id": acme,
                "deleted_at": datetime(2018, 2, 14, tzinfo=UTC),
            },
            {
                "kind": "droplet",
                "provider_id": "3101",
                "name": "globex-etl-1",
                "project_id": globex,
                "deleted_at": GONE,
            },
            {
                "kind": "volume",
                "provider_id": "vol-9",
                "name": "globex-scratch",
                "project_id": globex,
            },
        ],
    )
    upsert_invoices(engine, [Header(UUID, "2015-03", OLD_ERA_TOTAL)])
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=OLD_ERA_CSV)
    return engine


def test_old_era_csv_parses_with_null_category_and_project() -> None:
    lines = parse_invoice_csv(OLD_ERA_CSV, invoice_uuid=UUID)
    assert len(lines) == 5 and int(lines["amount_cents"].sum()) == OLD_ERA_TOTAL
    assert lines["category"].isna().all() and lines["project_name"].isna().all()


def test_a_csv_without_project_or_category_columns_parses_too() -> None:
    _header, *rows = OLD_ERA_CSV.splitlines(keepends=True)
    oldest = "product,group_description,description,hours,start,end,USD\n"
    oldest += "".join(row.rsplit(",", 1)[0] + "\n" for row in rows)
    lines = parse_invoice_csv(oldest, invoice_uuid=UUID)
    assert len(lines) == 5 and int(lines["amount_cents"].sum()) == OLD_ERA_TOTAL
    assert lines["project_name"].isna().all() and lines["category"].isna().all()


def test_monthly_costs_fall_back_to_the_resources_project_and_tenant(old_era: Engine) -> None:
    frame = monthly_costs_frame(old_era)
    rows = {
        tuple(None if pd.isna(v) else v for v in r[:4]): (r[4], r[5])
        for r in frame.itertuples(index=False)
    }
    assert rows == {
        ("2015-03", "acme", "Acme Storefront", "droplet"): (500, 1),
        ("2015-03", "acme", "Acme Storefront", "droplet_backup"): (100, 1),
        # no tenant on the resources: their project's tenant
        ("2015-03", "globex", "Globex Analytics", "droplet"): (149, 1),
        ("2015-03", "globex", "Globex Analytics", "volume"): (100, 1),
        # never inventoried: nothing to fall back to
        ("2015-03", None, None, "droplet"): (7, 1),
    }


def test_focus_rows_and_finance_lines_take_the_same_fallback(old_era: Engine) -> None:
    focus = focus_frame(old_era, account=BillingAccount(id="acct"))
    got = [
        (name, None if pd.isna(sub) else sub, json.loads(tags).get("arcadia:tenant"))
        for name, sub, tags in zip(
            focus["ResourceName"], focus["SubAccountName"], focus["Tags"], strict=True
        )
    ]
    assert got == [
        ("acme-wordpress", "Acme Storefront", "acme"),
        ("acme-wordpress", "Acme Storefront", "acme"),
        ("globex-etl-1", "Globex Analytics", "globex"),
        ("globex-scratch", "Globex Analytics", "globex"),
        ("ghost-1", None, None),
    ]
    payload = build_finance_payload(old_era, invoice_uuid=UUID)
    assert [(line.project_name, line.tenant_id) for line in payload.lines] == [
        (sub, tenant) for _, sub, tenant in got
    ]
    assert payload.gross_cents == OLD_ERA_TOTAL


@pytest.mark.parametrize(
    ("line_project", "resource_tenant", "resource_project", "resource_project_tenant", "want"),
    [
        ("Globex Analytics", "acme", "Acme Storefront", "acme", ("Globex Analytics", "acme")),
        ("Globex Analytics", None, "Acme Storefront", "acme", ("Globex Analytics", "globex")),
        ("Unknown", None, "Acme Storefront", "acme", ("Unknown", "acme")),
        (None, None, "Acme Storefront", "acme", ("Acme Storefront", "acme")),
        ("  ", "t-1", None, None, (None, "t-1")),
        (None, None, None, None, (None, None)),
    ],
)
def test_attribution_precedence(
    line_project: str | None,
    resource_tenant: str | None,
    resource_project: str | None,
    resource_project_tenant: str | None,
    want: tuple[str | None, str | None],
) -> None:
    """The line's project wins; the tenant is the resource's, then the line's project's, then
    the resource's project's."""
    by_project = {"globex analytics": "globex", "acme storefront": "acme"}
    got = attribute_line(
        project_name=line_project,
        resource_tenant=resource_tenant,
        resource_project=resource_project,
        resource_project_tenant=resource_project_tenant,
        by_project=by_project,
    )
    assert got == want

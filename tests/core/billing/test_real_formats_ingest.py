"""One invoice holding every real DO format (``REAL_FORMATS``), ingested into a real database
against an estate that has those resources: each resource line matches, and every other line
says why."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import ingest_invoice, load_lines, upsert_invoices

from .helpers import Header, Line, add_project, add_resources, render_csv
from .test_kinds_and_names import REAL_FORMATS

UUID = "9a3b1f60-0e1a-4d2e-8c1f-f0a3a7500001"
LINES = [
    Line(product, description, 100 + i, group_description=group, project_name="Acme")
    for i, (product, group, description, _, _) in enumerate(REAL_FORMATS)
]
#: The estate: one resource per name the formats bill, under their inventory names.
ESTATE = [
    ("droplet", "3100", "passbolt-p01"),
    ("droplet", "3101", "My Example Droplet"),
    ("snapshot", "9001", "passbolt-p01-1707755441748"),
    ("snapshot", "9002", "marshall-1698786725800"),
    ("snapshot", "snap-v1", "pgdata-2026-04-01"),
    ("volume", "vol-1", "pgdata"),
    ("reserved_ip", "1.1.1.1", None),
    ("reserved_ip", "146.190.0.4", None),
    ("load_balancer", "lb-1", "My Example Load Balancer"),
    ("load_balancer", "lb-2", "acme-web-lb"),
    ("k8s_cluster", "k8s-1", "my-doks-cluster"),
    ("managed_db", "db-1", "pg-main"),
    ("spaces_bucket", "acme-uploads", "acme-uploads"),
]


def test_every_real_format_matches_or_says_why(engine: Engine) -> None:
    acme = add_project(engine, "Acme", "acme")
    ids = add_resources(
        engine,
        [
            {"kind": k, "provider_id": pid, "name": name, "project_id": acme}
            for k, pid, name in ESTATE
        ],
    )
    upsert_invoices(engine, [Header(UUID, "2026-04", sum(line.amount_cents for line in LINES))])
    summary = ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv(LINES))
    assert summary.reconciled and summary.lines == len(REAL_FORMATS)
    with engine.connect() as connection:
        lines = load_lines(connection, UUID)
    got = {
        (description, kind): None if pd.isna(rid) else int(rid)
        for description, kind, rid in zip(
            lines["description"], lines["kind"].astype(object), lines["resource_id"], strict=True
        )
    }
    by_name = {name or pid: ids[pid] for _, pid, name in ESTATE}
    for _, _, description, kind, name in REAL_FORMATS:
        owner = by_name.get(name) if name else None
        if kind == "reserved_ip":
            owner = ids[name]
        assert got[(description, kind)] == owner, description
    # The lines that match nothing say why: the two droplets no inventory holds (an old
    # example and the blog's) and the registry (this estate has none), the app, the
    # account-level lines and the taxes.
    assert summary.unmatched_by_reason == {
        "no_resource": 4,  # the app too: no app in this estate
        "account_level": 4,
        "tax": 3,
    }
    assert summary.matched == len(REAL_FORMATS) - 11

"""Builders for billing tests: DO-format CSV text, resource and project rows, invoice headers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.focus import BillingAccount
from arcadia_cloud_core.billing.invoice_csv import DO_CSV_HEADER
from arcadia_cloud_core.billing.kinds import derive_kinds
from arcadia_cloud_core.billing.money import cents_of, format_usd
from arcadia_cloud_core.billing.names import extract_names, normalise_names
from arcadia_cloud_core.db.schema import cloud_projects, cloud_resources

APRIL = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
SEEN = datetime(2026, 4, 21, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """DO's CSV time format."""
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000")


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value


@dataclass(frozen=True)
class Line:
    """One CSV line (amount in cents; ``hours=None`` renders an empty field)."""

    product: str
    description: str
    amount_cents: int
    hours: int | None = 720
    project_name: str = ""
    group_description: str = ""
    start: datetime = APRIL
    end: datetime = MAY
    category: str = "iaas"

    def fields(self) -> list[str]:
        return [
            self.product,
            self.group_description,
            self.description,
            "" if self.hours is None else str(self.hours),
            stamp(self.start),
            stamp(self.end),
            format_usd(self.amount_cents),
            self.project_name,
            self.category,
        ]


def render_csv(lines: Iterable[Line], *, header: str = DO_CSV_HEADER, newline: str = "\n") -> str:
    """DO's CSV: header, one row per line, trailing line break."""
    rows = [header] + [",".join(_quote(f) for f in line.fields()) for line in lines]
    return newline.join(rows) + newline


def total(lines: Iterable[Line]) -> int:
    return sum(line.amount_cents for line in lines)


#: A small invoice exercising every rule: live, deleted, backup, renamed snapshots, reserved IP,
#: k8s, an app (a kind not inventoried), Spaces subscription, never-seen droplet and GST.
SAMPLE_LINES: tuple[Line, ...] = (
    Line("Droplets", "web-1 (s-1vcpu-2gb)", 1200, project_name="Acme"),
    Line("Droplets", "old-db (s-2vcpu-4gb)", 107, hours=30, project_name="Acme"),
    Line("Droplet Backups", "web-1 (Weekly Backup Services)", 240, project_name="Acme"),
    Line("Droplet Snapshots", "web-1-2026-04-01 (4.91 GiB)", 29, project_name="Acme"),
    Line("Droplet Snapshots", "etl-1-2026-04-01-1775012400 (7.61 GiB)", 46, project_name="Globex"),
    Line("Droplet Snapshots", "Platform CI-1 Golden (2.66 GiB)", 16, project_name="Platform"),
    Line("Volume Snapshots", "warehouse-2026... (65.00 GiB)", 390, project_name="Globex"),
    Line("Volumes", "data-1 (100 GiB)", 1000, project_name="Globex"),
    Line("Reserved IPs", "Unused Reserved IP - 203.0.113.7", 500, project_name="Platform"),
    Line(
        "Kubernetes Clusters",
        "a56e086a317d8410c8b4cfd1f4dc9f82",
        123456,
        project_name="Globex",
        group_description="globex-doks",
    ),
    Line("App Platform", "my-app (basic)", 500, project_name="Acme"),
    Line("Droplets", "ghost-1 (s-1vcpu-1gb)", 600, project_name="Acme"),
    Line("Spaces Subscription", "Spaces Subscription", 500),
    Line(
        "Taxes", "GST (10%)", 12950, hours=None, end=datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC)
    ),
)
SAMPLE_TOTAL = total(SAMPLE_LINES)
SAMPLE_TAX = 12950

APRIL_UUID = "5dc680c2-93d6-41d9-afe1-93d3abb1bcb6"
MARCH_UUID = "547d94e9-ec05-4dae-b571-08350e4b6217"
MARCH = [
    Line(
        "Droplets",
        "web-1 (s-1vcpu-2gb)",
        1200,
        project_name="Acme",
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
    ),
    Line(
        "Droplets",
        "web-1 (s-1vcpu-2gb)",
        34,
        project_name="Acme",
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 3, 2, tzinfo=UTC),
    ),
    Line(
        "Volumes",
        "scratch (10 GiB)",
        -100,
        project_name="Globex",
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
    ),
]
#: The account of the ingested fixture (tests/core/billing/conftest.py).
ACCOUNT = BillingAccount(id="9f2b5c3e-account", name="Arcadia")


@dataclass(frozen=True)
class Header:
    """An invoice header (the shape of DO's ``Invoice`` that ``upsert_invoices`` reads)."""

    invoice_uuid: str
    invoice_period: str
    amount_cents: int


def add_project(engine: Engine, name: str, tenant_id: str | None, *, deleted: bool = False) -> int:
    with engine.begin() as connection:
        return connection.execute(
            cloud_projects.insert().returning(cloud_projects.c.id),
            {
                "provider_id": f"proj-{name}",
                "name": name,
                "tenant_id": tenant_id,
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
                "deleted_at": SEEN if deleted else None,
            },
        ).scalar_one()


def add_resources(engine: Engine, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert resources (``kind``, ``provider_id``, ``name``, optional ``deleted_at``,
    ``tenant_id``, ``project_id``, ``region``, ``attrs``); returns ``{provider_id: id}``."""
    out = {}
    with engine.begin() as connection:
        for row in rows:
            values = {
                "kind": row["kind"],
                "provider_id": row["provider_id"],
                "name": row.get("name"),
                "tenant_id": row.get("tenant_id"),
                "cloud_project_id": row.get("project_id"),
                "deleted_at": row.get("deleted_at"),
                "region": row.get("region"),
                "attrs": row.get("attrs", {}),
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
            }
            out[row["provider_id"]] = connection.execute(
                cloud_resources.insert().returning(cloud_resources.c.id), values
            ).scalar_one()
    return out


def sample_estate(engine: Engine) -> dict[str, int]:
    """Projects and resources that SAMPLE_LINES refers to; returns ``{provider_id: id}``."""
    acme = add_project(engine, "Acme", "acme")
    globex = add_project(engine, "Globex", "globex")
    platform = add_project(engine, "Platform", "platform")
    gone = datetime(2026, 4, 2, 5, 40, tzinfo=UTC)
    return add_resources(
        engine,
        [
            {
                "kind": "droplet",
                "provider_id": "101",
                "name": "web-1",
                "tenant_id": "acme",
                "project_id": acme,
                "region": "nyc3",
                "attrs": {"tags": ["web", "env:prod"]},
            },
            {
                "kind": "droplet",
                "provider_id": "102",
                "name": "old-db",
                "tenant_id": "acme",
                "project_id": acme,
                "deleted_at": gone,
            },
            {
                "kind": "snapshot",
                "provider_id": "201",
                "name": "web-1-2026-04-01",
                "project_id": acme,
            },
            {
                "kind": "snapshot",
                "provider_id": "202",
                "name": "etl-1-2026-04-01",
                "project_id": globex,
            },
            {
                "kind": "snapshot",
                "provider_id": "203",
                "name": "platform-ci-1-golden",
                "project_id": platform,
            },
            {
                "kind": "snapshot",
                "provider_id": "204",
                "name": "warehouse-2026-04-15",
                "project_id": globex,
            },
            {
                "kind": "volume",
                "provider_id": "vol-1",
                "name": "data-1",
                "tenant_id": "globex",
                "project_id": globex,
                "region": "ams3",
                "attrs": {"tags": ["env:prod"]},
            },
            {
                "kind": "reserved_ip",
                "provider_id": "203.0.113.7",
                "name": None,
                "project_id": platform,
            },
            {"kind": "region", "provider_id": "nyc3", "name": "New York 3", "region": "nyc3"},
            {
                "kind": "k8s_cluster",
                "provider_id": "k8s-1",
                "name": "globex-doks",
                "tenant_id": "globex",
                "project_id": globex,
            },
        ],
    )


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def kind_for(product: str | None, description: str | None = None) -> str | None:
    """The kind of one line, through the vectorised table."""
    kind = derive_kinds([product], [description]).iloc[0]
    return kind if isinstance(kind, str) else None


def billing_name(
    description: str | None, *, kind: str | None, group_description: str | None = None
) -> str | None:
    """The billed resource name of one line, through the vectorised rules."""
    name = extract_names([kind], [description], [group_description]).iloc[0]
    return name if isinstance(name, str) else None


def normalise_name(name: str) -> str:
    """One name normalised (``""`` when nothing is left)."""
    folded = normalise_names([name]).iloc[0]
    return folded if isinstance(folded, str) else ""


def amount_to_cents(text: str) -> int:
    """One amount in cents; ``ValueError`` when it is not one."""
    cents = cents_of(text)
    if cents is None:
        raise ValueError(f"not an amount: {text!r}")
    return cents

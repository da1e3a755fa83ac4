"""FOCUS 1.2 cost rows from the stored cost lines: a DataFrame, a Parquet file, a table.

One FOCUS row per invoice line; the frame satisfies every applicable rule of the FinOps
Foundation's FOCUS 1.2 rule model (:mod:`focus_rules` checks it) and carries the FOCUS 1.3
columns alongside. DO bills list prices with no negotiated discounts, commitments or
amortisation, so ``BilledCost = EffectiveCost = ListCost = ContractedCost`` (exact
``decimal128`` dollars in the frame and the Parquet file; integer cents in the table).

- ``ChargeCategory``: ``Tax`` for tax lines, ``Credit`` for other negative lines, else
  ``Usage`` (DO sells no commitments: a Spaces or registry subscription is a recurring usage
  fee, not a ``Purchase``). ``ChargeFrequency``: ``Usage-Based`` for metered (hourly) lines,
  ``One-Time`` for credits, else ``Recurring``.
- ``PricingQuantity``/``ConsumedQuantity``: the line's hours (``Hours``), or 1 ``Month`` for a
  monthly fee; null on tax (and on credits). ``ListUnitPrice`` = cost ÷ quantity to 10 places,
  so that unit price × quantity is the cost to the cent, as the rule model requires.
- ``SkuId`` is the DO product; ``SkuPriceId`` the product and its pricing unit.
- ``ResourceId`` is DO's id of the matched resource and ``ResourceType`` our kind (null with
  no resource); ``RegionId``/``RegionName`` the resource's region (its name from inventory's
  region catalogue, else its slug). ``SubAccountId`` /
  ``SubAccountName`` are the DO project (the line's, else its resource's: :mod:`attribution`),
  its id being DO's project id where inventory knows the project, else its name.
- ``Tags`` is a JSON object: the resource's DO tags (DO tags have no values: ``true``, as FOCUS
  asks) and our own under the ``arcadia:`` prefix (tenant, project, kind, match).
- FOCUS 1.3: ``ServiceProviderName`` and ``HostProviderName`` are DigitalOcean; the allocation
  columns are null (we split no cost across resources).
- ``BillingPeriodEnd`` and ``ChargePeriodEnd`` are exclusive as FOCUS defines them (DO's tax
  lines end at ``23:59:59`` of the last day: kept as given). ``x_InvoiceLineNo`` (a FOCUS
  custom column) ties each row to its invoice line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.attribution import (
    RESOURCE_PROJECT_COLUMNS,
    attribute,
    join_resource_project,
    project_ids,
    project_tenants,
)
from arcadia_cloud_core.billing.errors import UnknownInvoiceError
from arcadia_cloud_core.billing.kinds import TAX_KIND
from arcadia_cloud_core.db.schema import (
    PROVIDER,
    cloud_cost_lines,
    cloud_focus_cost_lines,
    cloud_invoices,
    cloud_resources,
)

PROVIDER_NAME = "DigitalOcean"
CURRENCY = "USD"
FOCUS_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "PricingQuantity",
    "PricingUnit",
    "ListUnitPrice",
    "ConsumedQuantity",
    "ConsumedUnit",
    "SkuId",
    "SkuPriceId",
    "SkuMeter",
    "SkuPriceDetails",
    "ServiceName",
    "ServiceCategory",
    "ServiceSubcategory",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "ServiceProviderName",
    "HostProviderName",
    "BillingAccountId",
    "BillingAccountName",
    "InvoiceId",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "RegionId",
    "RegionName",
    "SubAccountId",
    "SubAccountName",
    "AllocatedMethodId",
    "AllocatedMethodDetails",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "Tags",
    "x_InvoiceLineNo",
)
#: Our kind → FOCUS (ServiceCategory, ServiceSubcategory).
SERVICE_CATEGORIES = {
    "droplet": ("Compute", "Virtual Machines"),
    "k8s_cluster": ("Compute", "Containers"),
    "volume": ("Storage", "Block Storage"),
    "snapshot": ("Storage", "Backup Storage"),
    "droplet_backup": ("Storage", "Backup Storage"),
    "spaces_bucket": ("Storage", "Object Storage"),
    "spaces_subscription": ("Storage", "Object Storage"),
    "container_registry": ("Storage", "Other (Storage)"),
    "reserved_ip": ("Networking", "Network Connectivity"),
    "load_balancer": ("Networking", "Application Networking"),
    "firewall": ("Networking", "Network Security"),
    "dns_zone": ("Networking", "Network Routing"),
    "managed_db": ("Databases", "Relational Databases"),
    "app": ("Web", "Application Platforms"),
    "bandwidth": ("Networking", "Network Connectivity"),
}
_OTHER = ("Other", "Other (Other)")
_MONEY = pa.decimal128(20, 2)
_QUANTITY = pa.decimal128(18, 4)
_UNIT_PRICE = pa.decimal128(24, 10)
_ONE_MONTH = Decimal(1)
_COST_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
_TEXT = pd.ArrowDtype(pa.string())
_STRING_LIMITS = {
    "service_name": 255,
    "billing_account_name": 255,
    "resource_id": 255,  # table columns: the frame keeps full values
    "resource_name": 255,
    "sub_account_name": 255,
}


@dataclass(frozen=True)
class BillingAccount:
    """The DO account the invoices belong to (FOCUS ``BillingAccountId``/``Name``; with no
    name, the id stands in: DO accounts have names, so FOCUS wants one)."""

    id: str
    name: str | None = None


def _month_bounds(period: str) -> tuple[datetime, datetime]:
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    return start, datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def _source(connection: sa.Connection, invoice_uuids: Iterable[str] | None) -> pd.DataFrame:
    line, inv, res = cloud_cost_lines.c, cloud_invoices.c, cloud_resources.c
    stmt = (
        sa.select(
            inv.id.label("cloud_invoice_id"),
            inv.invoice_uuid,
            inv.invoice_period,
            line.line_no,
            line.product,
            line.description,
            line.hours,
            line.period_start,
            line.period_end,
            line.amount_cents,
            line.project_name,
            line.kind,
            line.parsed_name,
            line.match_method,
            res.provider_id.label("resource_provider_id"),
            res.name.label("resource_name"),
            res.region.label("resource_region"),
            res.attrs.label("resource_attrs"),
            res.tenant_id.label("resource_tenant"),
            *RESOURCE_PROJECT_COLUMNS,
        )
        .select_from(
            join_resource_project(
                cloud_cost_lines.join(cloud_invoices, inv.id == line.invoice_id).outerjoin(
                    cloud_resources, res.id == line.resource_id
                )
            )
        )
        .where(inv.provider == PROVIDER)
        .order_by(inv.invoice_period, inv.invoice_uuid, line.line_no)
    )
    if invoice_uuids is not None:
        stmt = stmt.where(inv.invoice_uuid.in_(list(invoice_uuids)))
    rows = connection.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=list(stmt.selected_columns.keys()), dtype=object)
    frame = attribute(frame, project_tenants(connection))
    ids = project_ids(connection)
    names = _region_names(connection)
    frame["region_name"] = pd.Series(
        [names.get(slug) for slug in frame["resource_region"]], index=frame.index, dtype=object
    )
    frame["project_id"] = pd.Series(
        [None if name is None else ids.get(name.lower(), name) for name in frame["project_name"]],
        index=frame.index,
        dtype=object,
    )
    return frame


def _region_names(connection: sa.Connection) -> dict[str, str]:
    """Region slug → DO's name for it, from inventory's region catalogue."""
    r = cloud_resources.c
    rows = connection.execute(
        sa.select(r.provider_id, r.name).where(r.provider == PROVIDER, r.kind == "region")
    )
    return {slug: name for slug, name in rows if name}


def _category(kind: str | None, cents: int) -> str:
    if kind == TAX_KIND:
        return "Tax"
    return "Credit" if cents < 0 else "Usage"


def resource_tags(attrs: Any) -> list[str]:
    """A resource's DO tags from its inventory ``attrs`` (sorted, no duplicates)."""
    tags = attrs.get("tags") if isinstance(attrs, dict) else None
    return sorted({t for t in tags or () if isinstance(t, str) and t})


def _tags(row: Any) -> dict[str, str | bool]:
    tags: dict[str, str | bool] = dict.fromkeys(resource_tags(row.resource_attrs), True)
    ours = {
        "arcadia:tenant": row.tenant_id,
        "arcadia:project": row.project_name,
        "arcadia:kind": row.kind,
        "arcadia:match": row.match_method,
    }
    return tags | {key: value for key, value in ours.items() if value is not None}


def _pricing(category: str, hours: Decimal | None, cents: int) -> dict[str, Any]:
    """Quantities, units, frequency and unit price of one line."""
    if category in ("Tax", "Credit"):
        quantity, unit = None, None
    elif hours is not None and hours > 0:
        quantity, unit = hours, "Hours"
    else:
        quantity, unit = _ONE_MONTH, "Month"
    frequency = {"Credit": "One-Time"}.get(category, "Recurring")
    if unit == "Hours":
        frequency = "Usage-Based"
    usage = category == "Usage"
    unit_price = None
    if quantity is not None and cents >= 0:
        unit_price = (Decimal(cents) / 100 / quantity).quantize(Decimal("1e-10"))
    return {
        "ChargeFrequency": frequency,
        "PricingQuantity": quantity,
        "PricingUnit": unit,
        "ListUnitPrice": unit_price,
        "ConsumedQuantity": quantity if usage else None,
        "ConsumedUnit": unit if usage else None,
    }


def _records(source: pd.DataFrame, account: BillingAccount) -> list[dict[str, Any]]:
    """One dict per line with FOCUS values (money in cents), shared by frame and table."""
    records = []
    bounds: dict[str, tuple[datetime, datetime]] = {}
    for row in source.itertuples(index=False):
        period = bounds.setdefault(row.invoice_period, _month_bounds(row.invoice_period))
        cents = int(row.amount_cents)
        hours = None if row.hours is None else Decimal(row.hours)
        category = _category(row.kind, cents)
        pricing = _pricing(category, hours, cents)
        service = row.product or "Unknown"
        sku = None if pricing["PricingUnit"] is None else service
        service_category, subcategory = SERVICE_CATEGORIES.get(row.kind, _OTHER)
        resource_id = row.resource_provider_id
        region = row.resource_region or None
        records.append(
            {
                "cloud_invoice_id": int(row.cloud_invoice_id),
                "line_no": int(row.line_no),
                "cost_cents": cents,
                "BillingCurrency": CURRENCY,
                "BillingPeriodStart": period[0],
                "BillingPeriodEnd": period[1],
                "ChargePeriodStart": row.period_start or period[0],
                "ChargePeriodEnd": row.period_end or period[1],
                "ChargeCategory": category,
                "ChargeClass": None,
                "ChargeDescription": row.description,
                **pricing,
                "SkuId": sku,
                "SkuPriceId": None if sku is None else f"{sku}/{pricing['PricingUnit']}",
                "SkuMeter": None if sku is None else f"{sku} {pricing['PricingUnit']}",
                "SkuPriceDetails": None,
                "ServiceName": service,
                "ServiceCategory": service_category,
                "ServiceSubcategory": subcategory,
                "ProviderName": PROVIDER_NAME,
                "PublisherName": PROVIDER_NAME,
                "InvoiceIssuerName": PROVIDER_NAME,
                "ServiceProviderName": PROVIDER_NAME,
                "HostProviderName": PROVIDER_NAME,
                "BillingAccountId": account.id,
                "BillingAccountName": account.name or account.id,
                "InvoiceId": row.invoice_uuid,
                "ResourceId": resource_id,
                "ResourceName": row.resource_name or row.parsed_name,
                "ResourceType": None if resource_id is None else row.kind,
                "RegionId": region,
                "RegionName": None if region is None else (row.region_name or region),
                "SubAccountId": row.project_id,
                "SubAccountName": row.project_name,
                "AllocatedMethodId": None,
                "AllocatedMethodDetails": None,
                "AllocatedResourceId": None,
                "AllocatedResourceName": None,
                "AllocatedTags": None,
                "Tags": _tags(row),
            }
        )
    return records


def _dollars(cents: np.ndarray) -> pd.Series:
    scaled = pc.multiply(
        pc.cast(pa.array(cents, type=pa.int64()), pa.decimal128(19, 0)),
        pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)),
    )
    return pd.Series(pd.arrays.ArrowExtensionArray(pc.cast(scaled, _MONEY)))


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    base = pd.DataFrame(
        records, columns=["line_no", "cost_cents", *FOCUS_COLUMNS[4:-1]], dtype=object
    )
    out = {col: _dollars(base["cost_cents"].to_numpy(dtype=np.int64)) for col in _COST_COLUMNS}
    for col in FOCUS_COLUMNS[4:-1]:
        values = base[col].tolist()
        if col.endswith(("PeriodStart", "PeriodEnd")):
            out[col] = pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")
        elif col in ("PricingQuantity", "ConsumedQuantity", "ListUnitPrice"):
            kind = _UNIT_PRICE if col == "ListUnitPrice" else _QUANTITY
            out[col] = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(values, type=kind)))
        elif col == "Tags":
            tags = [json.dumps(t, sort_keys=True) for t in values]
            out[col] = pd.Series(tags, dtype=_TEXT)
        else:
            out[col] = pd.Series(values, dtype=_TEXT)
    out["x_InvoiceLineNo"] = base["line_no"].astype(np.int64)
    return pd.DataFrame(out).loc[:, list(FOCUS_COLUMNS)]


def focus_frame(
    engine: Engine | sa.Connection,
    *,
    account: BillingAccount,
    invoice_uuids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """FOCUS 1.2 rows (:data:`FOCUS_COLUMNS`) for the stored lines (all, or some invoices)."""
    if isinstance(engine, sa.Connection):
        return _frame(_records(_source(engine, invoice_uuids), account))
    with engine.connect() as connection:
        return _frame(_records(_source(connection, invoice_uuids), account))


def write_focus_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a FOCUS frame to ``path`` as Parquet (parent folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(target, index=False)
    return target


_TABLE_FIELDS = {
    "BillingCurrency": "billing_currency",
    "BillingPeriodStart": "billing_period_start",
    "BillingPeriodEnd": "billing_period_end",
    "ChargePeriodStart": "charge_period_start",
    "ChargePeriodEnd": "charge_period_end",
    "ChargeCategory": "charge_category",
    "ChargeClass": "charge_class",
    "ChargeDescription": "charge_description",
    "PricingQuantity": "pricing_quantity",
    "PricingUnit": "pricing_unit",
    "ServiceName": "service_name",
    "ServiceCategory": "service_category",
    "ProviderName": "provider_name",
    "PublisherName": "publisher_name",
    "InvoiceIssuerName": "invoice_issuer_name",
    "BillingAccountId": "billing_account_id",
    "BillingAccountName": "billing_account_name",
    "InvoiceId": "invoice_id",
    "ResourceId": "resource_id",
    "ResourceName": "resource_name",
    "ResourceType": "resource_type",
    "SubAccountName": "sub_account_name",
    "Tags": "tags",
}


def _table_row(record: dict[str, Any]) -> dict[str, Any]:
    row = {column: record[field] for field, column in _TABLE_FIELDS.items()}
    for column, limit in _STRING_LIMITS.items():
        if isinstance(row[column], str):
            row[column] = row[column][:limit]
    if row["pricing_quantity"] is not None:
        row["pricing_quantity"] = row["pricing_quantity"].quantize(Decimal("0.0001"))
    cents = record["cost_cents"]
    return row | {
        "cloud_invoice_id": record["cloud_invoice_id"],
        "line_no": record["line_no"],
        "billed_cost_cents": cents,
        "effective_cost_cents": cents,
        "list_cost_cents": cents,
        "contracted_cost_cents": cents,
    }


def _stored_rows(connection: sa.Connection, invoice_id: int) -> list[dict[str, Any]]:
    f = cloud_focus_cost_lines.c
    columns = [c for c in cloud_focus_cost_lines.columns if c.name != "id"]
    rows = connection.execute(
        sa.select(*columns).where(f.cloud_invoice_id == invoice_id).order_by(f.line_no)
    )
    out = []
    for row in rows:
        values = row._asdict()
        if values["pricing_quantity"] is not None:
            values["pricing_quantity"] = Decimal(values["pricing_quantity"]).quantize(
                Decimal("0.0001")
            )
        out.append(values)
    return out


@dataclass(frozen=True)
class FocusWrite:
    """Result of :func:`replace_focus_lines`."""

    rows: int
    written: bool  # False: the stored rows were already identical


def replace_focus_lines(
    engine: Engine, *, invoice_uuid: str, account: BillingAccount
) -> FocusWrite:
    """Rewrite ``cloud_focus_cost_lines`` for one invoice from its stored lines, in one
    transaction with the invoice row locked; nothing is written when nothing changed."""
    with engine.begin() as connection:
        invoice_id = connection.execute(
            sa.select(cloud_invoices.c.id)
            .where(
                cloud_invoices.c.provider == PROVIDER,
                cloud_invoices.c.invoice_uuid == invoice_uuid,
            )
            .with_for_update()
        ).scalar_one_or_none()
        if invoice_id is None:
            raise UnknownInvoiceError(invoice_uuid)
        rows = [_table_row(r) for r in _records(_source(connection, [invoice_uuid]), account)]
        if _stored_rows(connection, invoice_id) == rows:
            return FocusWrite(rows=len(rows), written=False)
        connection.execute(
            cloud_focus_cost_lines.delete().where(
                cloud_focus_cost_lines.c.cloud_invoice_id == invoice_id
            )
        )
        if rows:
            connection.execute(cloud_focus_cost_lines.insert(), rows)
    return FocusWrite(rows=len(rows), written=True)

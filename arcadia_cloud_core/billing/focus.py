"""FOCUS 1.2 cost rows from the stored cost lines: a DataFrame, a Parquet file, a table.

One FOCUS row per invoice line. DO bills list prices with no negotiated discounts or
amortisation here, so ``BilledCost = EffectiveCost = ListCost = ContractedCost`` (exact
``decimal128`` dollars in the frame and the Parquet file; integer cents in the table).
``ChargeCategory``: ``Tax`` for tax lines, ``Credit`` for other negative lines, ``Purchase`` for
account-level subscriptions (not bandwidth overage or credits), else ``Usage``.
``BillingPeriodEnd`` and ``ChargePeriodEnd`` are exclusive as FOCUS defines them (DO's tax lines
end at ``23:59:59`` of the last day: kept as given). ``ResourceId`` is DO's id of the matched
resource, ``ResourceType`` our kind, ``SubAccountName`` the DO project (the line's, else its
resource's: :mod:`attribution`); ``Tags`` is a JSON object (tenant, project, kind, match).
``x_InvoiceLineNo`` (a FOCUS custom column) ties each row to its invoice line.
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
    project_tenants,
)
from arcadia_cloud_core.billing.errors import UnknownInvoiceError
from arcadia_cloud_core.billing.kinds import ACCOUNT_LEVEL_KINDS, TAX_KIND
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
    "PricingQuantity",
    "PricingUnit",
    "ServiceName",
    "ServiceCategory",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "BillingAccountId",
    "BillingAccountName",
    "InvoiceId",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "SubAccountName",
    "Tags",
    "x_InvoiceLineNo",
)
#: Our kind → FOCUS ServiceCategory.
SERVICE_CATEGORIES = {
    "droplet": "Compute",
    "k8s_cluster": "Compute",
    "volume": "Storage",
    "snapshot": "Storage",
    "droplet_backup": "Storage",
    "spaces_bucket": "Storage",
    "spaces_subscription": "Storage",
    "container_registry": "Storage",
    "reserved_ip": "Networking",
    "load_balancer": "Networking",
    "firewall": "Networking",
    "dns_zone": "Networking",
    "managed_db": "Databases",
    "app": "Compute",
    "bandwidth": "Networking",
}
_PURCHASE_KINDS = ACCOUNT_LEVEL_KINDS - {"bandwidth", "credit"}
_MONEY = pa.decimal128(20, 2)
_QUANTITY = pa.decimal128(18, 4)
_COST_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
_TEXT = pd.ArrowDtype(pa.string())
_STRING_LIMITS = {
    "service_name": 255,
    "billing_account_name": 255,
    "resource_id": 255,
    "resource_name": 255,
    "sub_account_name": 255,
}


@dataclass(frozen=True)
class BillingAccount:
    """The DO account the invoices belong to (FOCUS ``BillingAccountId``/``Name``)."""

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
    return attribute(frame, project_tenants(connection))


def _category(kind: str | None, cents: int) -> str:
    if kind == TAX_KIND:
        return "Tax"
    if cents < 0:
        return "Credit"
    if kind in _PURCHASE_KINDS:
        return "Purchase"
    return "Usage"


def _tags(row: Any) -> dict[str, str]:
    tags = {
        "arcadia:tenant": row.tenant_id,
        "arcadia:project": row.project_name,
        "arcadia:kind": row.kind,
        "arcadia:match": row.match_method,
    }
    return {key: value for key, value in tags.items() if value is not None}


def _records(source: pd.DataFrame, account: BillingAccount) -> list[dict[str, Any]]:
    """One dict per line with FOCUS values (money in cents), shared by frame and table."""
    records = []
    bounds: dict[str, tuple[datetime, datetime]] = {}
    for row in source.itertuples(index=False):
        period = bounds.setdefault(row.invoice_period, _month_bounds(row.invoice_period))
        cents = int(row.amount_cents)
        hours = None if row.hours is None else Decimal(row.hours)
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
                "ChargeCategory": _category(row.kind, cents),
                "ChargeClass": None,
                "ChargeDescription": row.description,
                "PricingQuantity": hours,
                "PricingUnit": None if hours is None else "Hours",
                "ServiceName": row.product or "Unknown",
                "ServiceCategory": SERVICE_CATEGORIES.get(row.kind, "Other"),
                "ProviderName": PROVIDER_NAME,
                "PublisherName": PROVIDER_NAME,
                "InvoiceIssuerName": PROVIDER_NAME,
                "BillingAccountId": account.id,
                "BillingAccountName": account.name,
                "InvoiceId": row.invoice_uuid,
                "ResourceId": row.resource_provider_id,
                "ResourceName": row.resource_name or row.parsed_name,
                "ResourceType": row.kind,
                "SubAccountName": row.project_name,
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
        elif col == "PricingQuantity":
            out[col] = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(values, type=_QUANTITY)))
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

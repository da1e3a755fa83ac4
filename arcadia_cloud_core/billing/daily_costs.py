"""Daily costs: DO's billing insights → typed lines → matched like invoice lines → stored.

DO's insights give one amount per day, SKU, region and description, with no resource id and no
product. The SKU names the product (:func:`product_for_sku`; for a SKU family we do not
know, the description stands in, so ``Promotional credit`` is still a credit); from there each
line takes the invoice pipeline's own steps: kind and name (:func:`~.pipeline.annotate_lines`),
then the match stages (:func:`~.matching.match_lines`, by name: there are no ids to pair).
One stage follows that invoices do not need: a line still unmatched whose description is that
of a recent invoice line matched by DO's resource id takes that resource (``invoice_line``;
e.g. a truncated snapshot name two snapshots share), if it was not yet deleted that day.
Project and tenant are the matched resource's (:func:`~.attribution.attribute`: the lines name
no project).

Storage (:func:`replace_daily_lines`): per (account, day) one ``cloud_daily_cost_days`` row
and the day's ``cloud_daily_cost_lines``, replaced as a set. A range of days is one
transaction: everything is fetched and checked before anything is written, so a bad payload
leaves the database as it was; a day whose lines did not change is not rewritten. Handling of
odd input:

- a day with no data points is valid: it is stored as loaded, with zero lines and 0 cents;
- negative amounts (credits) are stored as they are, negative;
- a data point the client cannot read (missing field, bad date or amount, a currency other
  than USD) fails the fetch with the client's ``DOParseError``/``DOCurrencyError``; a data
  point for a day outside the requested range is a :class:`DailyCostsError`.

:func:`load_daily_costs` reads the stored series back as the frame ``forecast_month_end`` and
``detect_anomalies`` take.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.attribution import (
    RESOURCE_PROJECT_COLUMNS,
    attribute,
    join_resource_project,
)
from arcadia_cloud_core.billing.errors import BillingError
from arcadia_cloud_core.billing.matching import match_lines
from arcadia_cloud_core.billing.pipeline import annotate_lines
from arcadia_cloud_core.billing.sources import load_resources
from arcadia_cloud_core.db.dialect import upsert_insert
from arcadia_cloud_core.db.schema import (
    PROVIDER,
    cloud_cost_lines,
    cloud_daily_cost_days,
    cloud_daily_cost_lines,
    cloud_resources,
)

__all__ = [
    "DAILY_COLUMNS",
    "INVOICE_LINE_METHOD",
    "SKU_PRODUCTS",
    "DailyCostsError",
    "DailyCostsResult",
    "InsightsSource",
    "ingest_daily_costs",
    "invoiced_resources",
    "load_daily_costs",
    "prepare_daily_lines",
    "product_for_sku",
    "replace_daily_lines",
]

#: SKU family (after the leading number: ``1-DO-DROP-0109`` → ``DO-DROP``) → the invoice
#: product it bills. Two segments are tried before one (``SP-SUB`` before ``SP``). DO's spec
#: shows ``1-DO-DROP-…`` and ``1-KS-K8SWN-…``; the others follow the same shape.
SKU_PRODUCTS: dict[str, str] = {
    "DO-DROP": "Droplets",
    "DO-BKUP": "Droplet Backups",
    "DO-SNAP": "Droplet Snapshots",
    "BS-VOL": "Volumes",
    "BS-SNAP": "Volume Snapshots",
    "LB": "Load Balancers",
    "NW-FIP": "Floating IPs",
    "NW-RIP": "Reserved IPs",
    "NW-BW": "Bandwidth",
    "SP-SUB": "Spaces Subscription",
    "SP": "Spaces",
    "KS": "Kubernetes",
    "DB": "Managed Databases",
    "AP": "App Platform",
    "CR": "Container Registry",
    "PROMO": "Credits",
    "TX": "Taxes",
}
_SKU = re.compile(r"^\d+-(?P<service>[A-Z0-9]+)(?:-(?P<family>[A-Z0-9]+))?")
#: The columns of :func:`load_daily_costs` (``tenant`` is the attributed tenant id).
DAILY_COLUMNS = ("day", "amount_cents", "project_name", "tenant", "kind", "resource_id")
DAILY_COLUMNS += ("sku", "region", "description", "match_method", "unmatched_reason")
#: The match method of the stage after the invoice pipeline's (see the module docstring).
INVOICE_LINE_METHOD = "invoice_line"
#: How far back invoice lines are looked at for that stage.
INVOICE_LINE_LOOKBACK = timedelta(days=92)
#: The stored line columns, in order (after ``day_id`` and ``line_no``).
_STORED = ("day", "sku", "region", "description", "group_description", "amount_cents")
_STORED += ("product", "kind", "parsed_name", "resource_id", "resource_kind", "project_name")
_STORED += ("tenant_id", "match_method", "unmatched_reason")


class DailyCostsError(BillingError):
    """Insights that cannot be stored as asked (names the data point and the days asked)."""


class InsightsSource(Protocol):
    """What the ingest needs from DO (``DOClient`` has it)."""

    def list_billing_insights(self, account_urn: str, start: date, end: date) -> Iterable[Any]: ...


@dataclass(frozen=True)
class DailyCostsResult:
    """What one ingest stored: per day its total, and the lines as stored."""

    account_urn: str
    start: date
    end: date
    lines: pd.DataFrame
    days_written: tuple[date, ...]

    def day_totals(self) -> dict[date, int]:
        """Cents per day of the range (0 for a day without lines)."""
        totals = self.lines.groupby("day")["amount_cents"].sum()
        return {day: int(totals.get(day, 0)) for day in _days(self.start, self.end)}


def product_for_sku(sku: str | None) -> str | None:
    """The invoice product a SKU bills (None for an unknown SKU family)."""
    match = _SKU.match(sku or "")
    if match is None:
        return None
    service, family = match["service"], match["family"]
    return SKU_PRODUCTS.get(f"{service}-{family}") or SKU_PRODUCTS.get(service)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def invoiced_resources(connection: sa.Connection, *, since: date) -> pd.DataFrame:
    """Description → resource of invoice lines matched by DO's id, charged from ``since`` on
    (the latest charge per description), with the resource's deletion time."""
    c, r = cloud_cost_lines.c, cloud_resources.c
    rows = connection.execute(
        sa.select(c.description, c.resource_id, r.deleted_at)
        .select_from(cloud_cost_lines.join(cloud_resources, r.id == c.resource_id))
        .where(
            c.match_method == "resource_id",
            c.description.is_not(None),
            c.period_start >= datetime(since.year, since.month, since.day, tzinfo=UTC),
        )
        .order_by(c.period_start.desc(), c.id.desc())
    ).all()
    frame = pd.DataFrame(rows, columns=["description", "invoiced_id", "invoiced_deleted_at"])
    return frame.drop_duplicates("description")


def _by_invoice_lines(lines: pd.DataFrame, invoiced: pd.DataFrame) -> pd.DataFrame:
    """The :data:`INVOICE_LINE_METHOD` stage on the lines the pipeline left unmatched."""
    if lines.empty or invoiced.empty:
        return lines
    out = lines.merge(invoiced, on="description", how="left")
    deleted = pd.to_datetime(out["invoiced_deleted_at"], utc=True)
    alive = deleted.isna() | (deleted >= out["period_start"])
    todo = (
        out["resource_id"].isna()
        & out["unmatched_reason"].isin(["ambiguous", "no_resource"])
        & out["invoiced_id"].notna()
        & alive
    )
    out["resource_id"] = out["resource_id"].mask(todo, out["invoiced_id"]).astype("Int64")
    for column, value in (("match_method", INVOICE_LINE_METHOD), ("unmatched_reason", None)):
        out[column] = out[column].astype(object).mask(todo, value)
    return out.drop(columns=["invoiced_id", "invoiced_deleted_at"])


def prepare_daily_lines(
    points: Sequence[Any],
    *,
    start: date,
    end: date,
    resources: pd.DataFrame,
    invoiced: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Insights data points (``BillingInsight``) as lines with ``kind``, ``parsed_name`` and
    the match (``resource_id``, ``match_method``, ``unmatched_reason``), in the given order;
    ``invoiced`` (:func:`invoiced_resources`) adds the invoice-line stage."""
    for n, p in enumerate(points):
        if not start <= p.day <= end:
            raise DailyCostsError(
                f"data point {n} ({p.description!r:.60}) is for {p.day.isoformat()}, outside "
                f"{start.isoformat()}..{end.isoformat()}"
            )
    at = [datetime(p.day.year, p.day.month, p.day.day, tzinfo=UTC) for p in points]
    frame = pd.DataFrame(
        {
            "day": [p.day for p in points],
            "sku": [p.sku for p in points],
            "region": [p.region or None for p in points],
            "description": [p.description or None for p in points],
            "group_description": [p.group_description or None for p in points],
            "amount_cents": np.array([p.amount_cents for p in points], dtype=np.int64),
            "product": [product_for_sku(p.sku) or p.description or None for p in points],
            "project_name": [None] * len(points),  # DO names no project here
            "period_start": pd.to_datetime(pd.Series(at, dtype=object), utc=True),
            "period_end": pd.to_datetime(pd.Series(at, dtype=object), utc=True)
            + pd.Timedelta(days=1),
        }
    )
    matched = match_lines(annotate_lines(frame), resources)
    return matched if invoiced is None else _by_invoice_lines(matched, invoiced)


def _attributed(connection: sa.Connection, lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` plus the matched resource's kind, project and tenant."""
    r = cloud_resources.c
    ids = sorted({int(i) for i in lines["resource_id"].dropna()})
    rows = connection.execute(
        sa.select(r.id, r.kind, r.tenant_id.label("resource_tenant"), *RESOURCE_PROJECT_COLUMNS)
        .select_from(join_resource_project(cloud_resources))
        .where(r.id.in_(ids))
    ).all()
    by_id = pd.DataFrame(
        rows,
        columns=[
            "id",
            "resource_kind",
            "resource_tenant",
            "resource_project",
            "resource_project_tenant",
        ],
    )
    keyed = lines.assign(id=lines["resource_id"].astype("Int64"))
    merged = keyed.merge(by_id.astype({"id": "Int64"}), on="id", how="left")
    return attribute(merged.drop(columns="id"), {})


def _value(value: Any, limit: int | None) -> Any:
    """A frame cell as the database takes it: None for missing, text cut to its column."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value[:limit] if limit is not None and isinstance(value, str) else value


def _rows(lines: pd.DataFrame) -> dict[date, list[tuple[Any, ...]]]:
    """Per day, its lines as tuples of :data:`_STORED` (``line_no`` is the position)."""
    limits = [getattr(cloud_daily_cost_lines.c[name].type, "length", None) for name in _STORED]
    out: dict[date, list[tuple[Any, ...]]] = {}
    for row in lines.loc[:, list(_STORED)].itertuples(index=False, name=None):
        values = tuple(_value(v, limit) for v, limit in zip(row, limits, strict=True))
        out.setdefault(values[0], []).append(values)
    return out


def _day_id(connection: sa.Connection, account_urn: str, day: date, now: datetime) -> int:
    """The day's row, created (empty) if missing, locked until the transaction ends."""
    d = cloud_daily_cost_days
    connection.execute(
        upsert_insert(connection, d)
        .values(
            provider=PROVIDER,
            account_urn=account_urn,
            day=day,
            line_count=0,
            amount_cents=0,
            loaded_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "account_urn", "day"])
    )
    return int(
        connection.execute(
            sa.select(d.c.id)
            .where(d.c.provider == PROVIDER, d.c.account_urn == account_urn, d.c.day == day)
            .with_for_update()
        ).scalar_one()
    )


def _stored(connection: sa.Connection, day_id: int) -> list[tuple[Any, ...]]:
    c = cloud_daily_cost_lines.c
    rows = connection.execute(
        sa.select(*(getattr(c, name) for name in _STORED))
        .where(c.day_id == day_id)
        .order_by(c.line_no)
    )
    return [tuple(row) for row in rows]


def replace_daily_lines(
    engine: Engine,
    *,
    account_urn: str,
    start: date,
    end: date,
    lines: pd.DataFrame,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, tuple[date, ...]]:
    """Make ``lines`` the stored lines of every day of ``start``..``end`` (a day with none:
    zero lines), in one transaction; returns the stored lines and the days rewritten."""
    stamp = now or datetime.now(UTC)
    written: list[date] = []
    with engine.begin() as connection:
        attributed = _attributed(connection, lines)
        per_day = _rows(attributed)
        for day in _days(start, end):
            rows = per_day.get(day, [])
            day_id = _day_id(connection, account_urn, day, stamp)
            if _stored(connection, day_id) == rows:
                continue
            written.append(day)
            connection.execute(
                cloud_daily_cost_lines.delete().where(cloud_daily_cost_lines.c.day_id == day_id)
            )
            if rows:
                connection.execute(
                    cloud_daily_cost_lines.insert(),
                    [
                        {"day_id": day_id, "line_no": n, **dict(zip(_STORED, row, strict=True))}
                        for n, row in enumerate(rows, start=1)
                    ],
                )
            connection.execute(
                cloud_daily_cost_days.update()
                .where(cloud_daily_cost_days.c.id == day_id)
                .values(line_count=len(rows), amount_cents=sum(r[5] for r in rows), loaded_at=stamp)
            )
    return attributed, tuple(written)


def ingest_daily_costs(
    engine: Engine,
    source: InsightsSource,
    *,
    account_urn: str,
    start: date,
    end: date,
    now: datetime | None = None,
) -> DailyCostsResult:
    """Fetch ``start``..``end`` from DO, match and store it (nothing written on bad input)."""
    if end < start:
        raise DailyCostsError(f"{account_urn}: end {end.isoformat()} is before {start}")
    points = list(source.list_billing_insights(account_urn, start, end))
    with engine.connect() as connection:
        resources = load_resources(connection)
        invoiced = invoiced_resources(connection, since=start - INVOICE_LINE_LOOKBACK)
    lines = prepare_daily_lines(
        points, start=start, end=end, resources=resources, invoiced=invoiced
    )
    stored, written = replace_daily_lines(
        engine, account_urn=account_urn, start=start, end=end, lines=lines, now=now
    )
    return DailyCostsResult(account_urn, start, end, stored, written)


def load_daily_costs(
    engine: Engine, *, start: date, end: date, account_urn: str | None = None
) -> pd.DataFrame:
    """The stored daily lines of ``start``..``end`` (all accounts unless one is named) as a
    frame of :data:`DAILY_COLUMNS`: ``day`` a date, ``amount_cents`` int64, ``resource_id``
    nullable Int64, text None where missing; ordered by day and line. What
    ``forecast_month_end`` and ``detect_anomalies`` (``by=("project_name", "kind")``) read."""
    c, d = cloud_daily_cost_lines.c, cloud_daily_cost_days.c
    stmt = (
        sa.select(
            c.day,
            c.amount_cents,
            c.project_name,
            c.tenant_id.label("tenant"),
            c.kind,
            c.resource_id,
            c.sku,
            c.region,
            c.description,
            c.match_method,
            c.unmatched_reason,
        )
        .select_from(cloud_daily_cost_lines.join(cloud_daily_cost_days))
        .where(d.provider == PROVIDER, c.day >= start, c.day <= end)
        .order_by(c.day, d.account_urn, c.line_no)
    )
    if account_urn is not None:
        stmt = stmt.where(d.account_urn == account_urn)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(stmt).all(), columns=list(DAILY_COLUMNS))
    frame["amount_cents"] = frame["amount_cents"].astype(np.int64)
    frame["resource_id"] = frame["resource_id"].astype("Int64")
    for column in DAILY_COLUMNS[2:]:
        if column != "resource_id":  # text: None where missing
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame

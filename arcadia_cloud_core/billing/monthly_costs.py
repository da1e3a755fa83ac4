"""Cost by month × tenant × project × kind, as a DataFrame and as ``cloud_monthly_costs``.

The month is the invoice period; project and tenant come from :mod:`attribution` (a line with
no ``project_name``, as on invoices from before DO had projects, takes its resource's project);
``kind`` is the line's kind (null when unknown). Rows with no tenant, project or kind keep those
as null.
:func:`refresh_monthly_costs` rewrites only the months whose figures changed, in one
transaction (serialised by a lock), so a re-run with no change writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.attribution import (
    RESOURCE_PROJECT_COLUMNS,
    attribute,
    join_resource_project,
    project_tenants,
)
from arcadia_cloud_core.db.schema import (
    PROVIDER,
    cloud_cost_lines,
    cloud_invoices,
    cloud_monthly_costs,
    cloud_resources,
)

MONTHLY_COLUMNS = ("month", "tenant_id", "project_name", "kind", "amount_cents", "line_count")
_KEY = ["month", "tenant_id", "project_name", "kind"]
_RAW_COLUMNS = ["month", "resource_tenant", "project_name", "kind"]
_RAW_COLUMNS += [c.name for c in RESOURCE_PROJECT_COLUMNS] + ["amount_cents", "line_count"]
_LOCK_KEY = 0x41524341444D4331  # pg advisory lock: one monthly-costs refresh at a time


@dataclass(frozen=True)
class MonthlyCostsRefresh:
    """What :func:`refresh_monthly_costs` did."""

    months_written: tuple[str, ...]
    rows_written: int
    rows_total: int


def monthly_costs_frame(
    engine: Engine | sa.Connection, *, months: Iterable[str] | None = None
) -> pd.DataFrame:
    """The roll-up as a frame of :data:`MONTHLY_COLUMNS`, sorted (``months``: restrict)."""
    if isinstance(engine, sa.Connection):
        return _frame(engine, months)
    with engine.connect() as connection:
        return _frame(connection, months)


def _frame(connection: sa.Connection, months: Iterable[str] | None) -> pd.DataFrame:
    line, inv, res = cloud_cost_lines.c, cloud_invoices.c, cloud_resources.c
    group = (inv.invoice_period, res.tenant_id, line.project_name, line.kind)
    group += RESOURCE_PROJECT_COLUMNS
    lines = cloud_cost_lines.join(cloud_invoices, inv.id == line.invoice_id)
    stmt = (
        sa.select(*group, sa.func.sum(line.amount_cents), sa.func.count())
        .select_from(
            join_resource_project(lines.outerjoin(cloud_resources, res.id == line.resource_id))
        )
        .where(inv.provider == PROVIDER)
        .group_by(*group)
    )
    if months is not None:
        stmt = stmt.where(inv.invoice_period.in_(list(months)))
    raw = pd.DataFrame(
        connection.execute(stmt).all(),
        columns=_RAW_COLUMNS,
        dtype=object,
    )
    raw = attribute(raw, project_tenants(connection))
    raw = raw.astype({"amount_cents": "int64", "line_count": "int64"})
    frame = raw.groupby(_KEY, dropna=False, sort=True)[["amount_cents", "line_count"]].sum()
    frame = frame.reset_index()
    for col in ("tenant_id", "project_name", "kind"):  # None, not NaN, for "no such value"
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame.loc[:, list(MONTHLY_COLUMNS)]


def _as_set(rows: Iterable[tuple[object, ...]]) -> dict[str, set[tuple[object, ...]]]:
    by_month: dict[str, set[tuple[object, ...]]] = {}
    for row in rows:
        by_month.setdefault(str(row[0]), set()).add(tuple(row))
    return by_month


def refresh_monthly_costs(
    engine: Engine, *, months: Iterable[str] | None = None, now: datetime | None = None
) -> MonthlyCostsRefresh:
    """Bring ``cloud_monthly_costs`` up to date (all months, or just ``months``)."""
    stamp = now if now is not None else datetime.now(UTC)
    wanted = None if months is None else sorted(set(months))
    m = cloud_monthly_costs.c
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
        frame = _frame(connection, wanted)
        fresh = _as_set(frame.itertuples(index=False, name=None))
        stored_stmt = sa.select(
            m.month, m.tenant_id, m.project_name, m.kind, m.amount_cents, m.line_count
        ).where(m.provider == PROVIDER)
        if wanted is not None:
            stored_stmt = stored_stmt.where(m.month.in_(wanted))
        stored = _as_set(connection.execute(stored_stmt).all())
        changed = sorted(
            month
            for month in set(fresh) | set(stored)
            if fresh.get(month, set()) != stored.get(month, set())
        )
        rows = [
            dict(zip(MONTHLY_COLUMNS, row, strict=True))
            | {"provider": PROVIDER, "computed_at": stamp}
            for month in changed
            for row in sorted(fresh.get(month, set()), key=_sort_key)
        ]
        if changed:
            connection.execute(
                cloud_monthly_costs.delete().where(m.provider == PROVIDER, m.month.in_(changed))
            )
        if rows:
            connection.execute(cloud_monthly_costs.insert(), rows)
    return MonthlyCostsRefresh(tuple(changed), len(rows), len(frame))


def _sort_key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


def stored_monthly_costs(engine: Engine | sa.Connection) -> pd.DataFrame:
    """``cloud_monthly_costs`` as a frame of :data:`MONTHLY_COLUMNS` (sorted)."""
    m = cloud_monthly_costs.c
    stmt = (
        sa.select(m.month, m.tenant_id, m.project_name, m.kind, m.amount_cents, m.line_count)
        .where(m.provider == PROVIDER)
        .order_by(m.month, m.tenant_id, m.project_name, m.kind)
    )
    if isinstance(engine, sa.Connection):
        rows = engine.execute(stmt).all()
    else:
        with engine.connect() as connection:
            rows = connection.execute(stmt).all()
    return pd.DataFrame(rows, columns=list(MONTHLY_COLUMNS))

"""Cost by DO tag: cost lines joined to their resources' tags, per month (invoices) or over a
range of days (this month's daily costs).

DO tags are labels without values, and a resource can carry several: a line counts in full
under each tag of its resource, so the tags add up to more than the total when resources have
several tags. Lines with no resource, or whose resource has no tag, are under ``tag = None``
(untagged). The tags are the resource's as inventory holds them now.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.focus import resource_tags
from arcadia_cloud_core.db.schema import (
    PROVIDER,
    cloud_cost_lines,
    cloud_daily_cost_days,
    cloud_daily_cost_lines,
    cloud_invoices,
    cloud_resources,
)

__all__ = ["TAG_COST_COLUMNS", "costs_by_tag_frame", "daily_costs_by_tag_frame"]

TAG_COST_COLUMNS = ("month", "tag", "amount_cents", "line_count")


def costs_by_tag_frame(
    engine: Engine | sa.Connection, *, months: Iterable[str] | None = None
) -> pd.DataFrame:
    """Invoiced cost per month × tag (:data:`TAG_COST_COLUMNS`), sorted; ``months``: restrict."""
    line, inv = cloud_cost_lines.c, cloud_invoices.c
    per_resource = (
        sa.select(
            inv.invoice_period, line.resource_id, sa.func.sum(line.amount_cents), sa.func.count()
        )
        .select_from(cloud_cost_lines.join(cloud_invoices, inv.id == line.invoice_id))
        .where(inv.provider == PROVIDER)
        .group_by(inv.invoice_period, line.resource_id)
    )
    if months is not None:
        per_resource = per_resource.where(inv.invoice_period.in_(list(months)))
    return _by_tag(engine, per_resource)


def daily_costs_by_tag_frame(
    engine: Engine | sa.Connection, *, start: date, end: date
) -> pd.DataFrame:
    """Daily cost of ``start``..``end`` per month × tag (:data:`TAG_COST_COLUMNS`): this
    month's cost by tag before its invoice exists."""
    line, day = cloud_daily_cost_lines.c, cloud_daily_cost_days.c
    month = sa.func.substr(sa.cast(line.day, sa.String), 1, 7)
    per_resource = (
        sa.select(month, line.resource_id, sa.func.sum(line.amount_cents), sa.func.count())
        .select_from(cloud_daily_cost_lines.join(cloud_daily_cost_days))
        .where(day.provider == PROVIDER, line.day >= start, line.day <= end)
        .group_by(month, line.resource_id)
    )
    return _by_tag(engine, per_resource)


def _by_tag(engine: Engine | sa.Connection, per_resource: sa.Select) -> pd.DataFrame:
    """(month, resource id, cents, lines) rows spread over each resource's tags."""
    res = cloud_resources.c
    scope = nullcontext(engine) if isinstance(engine, sa.Connection) else engine.connect()
    with scope as connection:
        rows = connection.execute(per_resource).all()
        ids = sorted({resource_id for _, resource_id, _, _ in rows if resource_id is not None})
        attrs = dict(connection.execute(sa.select(res.id, res.attrs).where(res.id.in_(ids))).all())
    exploded = [
        (month, tag, int(cents), int(count))
        for month, resource_id, cents, count in rows
        for tag in (resource_tags(attrs.get(resource_id)) or [None])
    ]
    frame = pd.DataFrame(exploded, columns=list(TAG_COST_COLUMNS), dtype=object)
    frame = frame.astype({"amount_cents": "int64", "line_count": "int64"})
    frame = frame.groupby(["month", "tag"], dropna=False, sort=True).sum().reset_index()
    frame["tag"] = frame["tag"].astype(object).where(frame["tag"].notna(), None)
    return frame.loc[:, list(TAG_COST_COLUMNS)]

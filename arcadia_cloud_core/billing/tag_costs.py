"""Cost by DO tag: each month's cost lines joined to their resources' tags.

DO tags are labels without values, and a resource can carry several: a line counts in full
under each tag of its resource, so the tags of one month add up to more than its total when
resources have several tags. Lines with no resource, or whose resource has no tag, are under
``tag = None`` (untagged). The tags are the resource's as inventory holds them now.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.focus import resource_tags
from arcadia_cloud_core.db.schema import PROVIDER, cloud_cost_lines, cloud_invoices, cloud_resources

__all__ = ["TAG_COST_COLUMNS", "costs_by_tag_frame"]

TAG_COST_COLUMNS = ("month", "tag", "amount_cents", "line_count")


def costs_by_tag_frame(
    engine: Engine | sa.Connection, *, months: Iterable[str] | None = None
) -> pd.DataFrame:
    """Cost per month × tag (:data:`TAG_COST_COLUMNS`), sorted; ``months``: restrict."""
    line, inv, res = cloud_cost_lines.c, cloud_invoices.c, cloud_resources.c
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

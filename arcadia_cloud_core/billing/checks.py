"""The match-rate check's figure: of the lines whose resource still exists, how many matched.

A line's resource "still exists" when the line matched a live resource, or when it failed to match
for a reason that does not rule a live resource out (`ambiguous`, `no_kind`). Lines with no
resource of that kind and name — live or historic — (`no_resource`) are charges for resources
that no longer exist (e.g. destroyed before inventory began); tax and account-level lines name
no resource at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_cost_lines, cloud_invoices, cloud_resources

MIGHT_STILL_EXIST = ("ambiguous", "no_kind")


@dataclass(frozen=True)
class LiveMatch:
    """Lines matched to a live resource, over lines whose resource may still exist."""

    matched_live: int
    unmatched_maybe_live: int

    @property
    def rate(self) -> float:
        """1.0 when no line names a resource that may still exist."""
        total = self.matched_live + self.unmatched_maybe_live
        return self.matched_live / total if total else 1.0


def live_match(engine: Engine, invoice_uuid: str) -> LiveMatch:
    """The figure for one invoice (one query)."""
    lines, invoices, resources = cloud_cost_lines.c, cloud_invoices.c, cloud_resources.c
    live = sa.and_(lines.resource_id.is_not(None), resources.deleted_at.is_(None))
    maybe = lines.unmatched_reason.in_(MIGHT_STILL_EXIST)
    query = (
        sa.select(
            sa.func.count().filter(live),
            sa.func.count().filter(maybe),
        )
        .select_from(
            cloud_cost_lines.join(cloud_invoices, invoices.id == lines.invoice_id).outerjoin(
                cloud_resources, resources.id == lines.resource_id
            )
        )
        .where(invoices.invoice_uuid == invoice_uuid)
    )
    with engine.connect() as connection:
        matched_live, unmatched_maybe_live = connection.execute(query).one()
    return LiveMatch(int(matched_live), int(unmatched_maybe_live))

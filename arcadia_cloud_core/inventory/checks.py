"""Queries behind the inventory's asset checks: duplicates, attribution, freshness."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.inventory.kinds import CATALOGUE_KINDS


def duplicate_identities(engine: Engine) -> list[dict[str, Any]]:
    """(provider, kind, provider_id) stored more than once (the unique index should make it 0)."""
    r = resources_t
    query = (
        sa.select(r.c.provider, r.c.kind, r.c.provider_id, sa.func.count().label("rows"))
        .group_by(r.c.provider, r.c.kind, r.c.provider_id)
        .having(sa.func.count() > 1)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def unattributed(engine: Engine, *, limit: int = 25) -> tuple[int, list[dict[str, Any]]]:
    """Live resources with no project: the count and a sample (kind, name, provider_id).

    The catalogues (regions, sizes) belong to no project and are not counted."""
    r = resources_t
    where = (
        r.c.deleted_at.is_(None),
        r.c.cloud_project_id.is_(None),
        r.c.kind.not_in(sorted(CATALOGUE_KINDS)),
    )
    with engine.connect() as connection:
        total = connection.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
        sample = connection.execute(
            sa.select(r.c.kind, r.c.name, r.c.provider_id)
            .where(*where)
            .order_by(r.c.kind, r.c.name)
            .limit(limit)
        )
        return total, [dict(row._mapping) for row in sample]


def stale_resources(
    engine: Engine, *, max_age: Mapping[str, timedelta], now: datetime, limit: int = 25
) -> tuple[int, list[dict[str, Any]]]:
    """Live resources whose `last_seen_at` is older than their kind allows."""
    r = resources_t
    conditions = [
        sa.and_(r.c.kind == kind, r.c.last_seen_at < now - age) for kind, age in max_age.items()
    ]
    if not conditions:
        return 0, []
    where = (r.c.deleted_at.is_(None), sa.or_(*conditions))
    with engine.connect() as connection:
        total = connection.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
        sample = connection.execute(
            sa.select(r.c.kind, r.c.name, r.c.provider_id, r.c.last_seen_at)
            .where(*where)
            .order_by(r.c.last_seen_at)
            .limit(limit)
        )
        rows = [{**row._mapping, "last_seen_at": row.last_seen_at.isoformat()} for row in sample]
        return total, rows

"""Mirror DO projects into `cloud_projects`, with each project's tenant and purpose."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.dialect import lock_key
from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_projects as projects_t
from arcadia_cloud_core.digitalocean import Project

INTERNAL_PROVIDER = "arcadia"
INTERNAL_TENANT = "internal"
DEFAULT_INTERNAL_PROJECT = "arcadia-internal"
_TENANT_IN_TEXT = re.compile(r"\btenant[:=]\s*([A-Za-z0-9][A-Za-z0-9_.-]*)")


def tenant_for(project: Project, *, overrides: Mapping[str, str] | None = None) -> str:
    """The tenant a DO project belongs to.

    In order: an operator override by project name; a `tenant:<id>` tag in the description; the
    project name as a slug.
    """
    if overrides and project.name in overrides:
        return overrides[project.name]
    match = _TENANT_IN_TEXT.search(project.description or "")
    if match:
        return match.group(1).lower()
    return re.sub(r"[^a-z0-9]+", "-", project.name.lower()).strip("-") or project.id


@dataclass(frozen=True)
class ProjectSyncResult:
    """Counts of one project mirror."""

    seen: int
    inserted: int
    updated: int
    deleted: int
    internal_created: bool
    rows_written: int

    def as_metadata(self) -> dict[str, int | bool]:
        """The mirror's counts, as the projects asset reports them."""
        return {
            "seen": self.seen,
            "discovered": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "internal_project_created": self.internal_created,
        }


def _row(project: Project, tenant: str) -> dict[str, Any]:
    return {
        "name": project.name,
        "purpose": project.purpose,
        "description": project.description,
        "tenant_id": tenant,
        "is_default": project.is_default,
        "attrs": {"environment": project.environment, "owner_uuid": project.owner_uuid},
    }


def sync_projects(
    engine: Engine,
    *,
    projects: Sequence[Project],
    complete: bool,
    internal_project: str = DEFAULT_INTERNAL_PROJECT,
    tenant_overrides: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ProjectSyncResult:
    """Upsert DO projects, mark vanished ones deleted (complete listings only), and make sure the
    internal default project exists — all in one transaction, writing nothing when nothing changed.
    """
    now = now or datetime.now(UTC)
    t = projects_t
    fresh = {p.id: _row(p, tenant_for(p, overrides=tenant_overrides)) for p in projects}
    inserted = updated = deleted = 0
    internal_created = False
    with engine.begin() as connection:
        lock_key(connection, "inventory:projects")
        stored = {
            (r.provider, r.provider_id): r
            for r in connection.execute(
                sa.select(t).where(t.c.provider.in_([PROVIDER, INTERNAL_PROVIDER]))
            )
        }
        for provider_id, values in fresh.items():
            row = stored.get((PROVIDER, provider_id))
            if row is None:
                connection.execute(
                    sa.insert(t),
                    {
                        "provider": PROVIDER,
                        "provider_id": provider_id,
                        **values,
                        "first_seen_at": now,
                        "last_seen_at": now,
                    },
                )
                inserted += 1
            elif row.deleted_at is not None or any(getattr(row, k) != v for k, v in values.items()):
                connection.execute(
                    sa.update(t)
                    .where(t.c.id == row.id)
                    .values(**values, last_seen_at=now, deleted_at=None)
                )
                updated += 1
        if complete:
            gone = [
                row.id
                for (provider, provider_id), row in stored.items()
                if provider == PROVIDER and provider_id not in fresh and row.deleted_at is None
            ]
            if gone:
                connection.execute(sa.update(t).where(t.c.id.in_(gone)).values(deleted_at=now))
            deleted = len(gone)
        if (INTERNAL_PROVIDER, internal_project) not in stored:
            connection.execute(
                sa.insert(t),
                {
                    "provider": INTERNAL_PROVIDER,
                    "provider_id": internal_project,
                    "name": internal_project,
                    "purpose": "arcadia-cloud internal",
                    "tenant_id": INTERNAL_TENANT,
                    "is_default": False,
                    "attrs": {},
                    "first_seen_at": now,
                    "last_seen_at": now,
                },
            )
            internal_created = True
    return ProjectSyncResult(
        seen=len(fresh),
        inserted=inserted,
        updated=updated,
        deleted=deleted,
        internal_created=internal_created,
        rows_written=inserted + updated + deleted + int(internal_created),
    )

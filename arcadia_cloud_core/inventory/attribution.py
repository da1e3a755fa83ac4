"""Project attribution: which DO project (and so which tenant) each resource belongs to.

Walks the URNs of every project's resources: kinds with their own sync asset are only attributed;
kinds without one (Spaces buckets) get a minimal placeholder through the chokepoint so they are
in inventory too, until a real listing (the S3 API's, `sync.sync_spaces_buckets`) takes the kind
over: then its rows are left to that listing. Kinds DO never lists under a project (snapshots,
droplet backups, firewalls) inherit from the droplet or volume they belong to; the platform kinds
follow `attribution_platform`. Attribution changes are written in bulk with a `tagged` event; a
re-run with no change writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.dialect import lock_key
from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_projects as projects_t
from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.inventory.attribution_account import account_targets
from arcadia_cloud_core.inventory.attribution_platform import platform_targets
from arcadia_cloud_core.inventory.kinds import PLACEHOLDER_KINDS
from arcadia_cloud_core.inventory.model import NormalizedResource, SyncResult
from arcadia_cloud_core.inventory.upsert import upsert_resources
from arcadia_cloud_core.inventory.urns import IMAGE_KINDS, ParsedUrn


@dataclass(frozen=True)
class Assignment:
    """A resource URN listed under a DO project."""

    project_provider_id: str
    urn: ParsedUrn


@dataclass(frozen=True)
class AttributionResult:
    """What one attribution pass did."""

    assignments: int
    attributed: int
    unchanged: int
    unresolved: int
    untracked_kinds: dict[str, int] = field(default_factory=dict)
    placeholders: dict[str, SyncResult] = field(default_factory=dict)
    rows_written: int = 0


#: `attrs.discovered_via` of a placeholder row.
PLACEHOLDER_SOURCE = "project_resources"


def placeholder(urn: ParsedUrn) -> NormalizedResource:
    """A minimal row for a resource seen only as a URN."""
    return NormalizedResource(
        kind=urn.kind or "",
        provider_id=urn.provider_id,
        name=urn.provider_id,
        attrs={"urn": urn.urn, "discovered_via": PLACEHOLDER_SOURCE},
    )


def rows_by_source(engine: Engine, kind: str) -> tuple[set[str], set[str]]:
    """Provider ids of the live rows of a placeholder kind: (from a real listing, placeholders).

    A row is a placeholder while its `attrs.discovered_via` is ``project_resources``; a real
    listing (Spaces buckets from the S3 API) writes its own source there."""
    r = resources_t
    query = sa.select(r.c.provider_id, r.c.attrs).where(
        r.c.provider == PROVIDER, r.c.kind == kind, r.c.deleted_at.is_(None)
    )
    listed: set[str] = set()
    placeholders: set[str] = set()
    with engine.connect() as connection:
        for provider_id, attrs in connection.execute(query):
            source = (attrs or {}).get("discovered_via")
            (placeholders if source == PLACEHOLDER_SOURCE else listed).add(provider_id)
    return listed, placeholders


def sync_placeholders(
    engine: Engine, *, assignments: Sequence[Assignment], complete: bool, now: datetime
) -> dict[str, SyncResult]:
    """Upsert placeholder rows for every kind without a dedicated asset (one call per kind).

    Rows a real listing wrote (`rows_by_source`) are that listing's: never overwritten with a
    placeholder nor struck here; the placeholders are the URNs no listing has answered for."""
    results: dict[str, SyncResult] = {}
    for kind in PLACEHOLDER_KINDS:
        listed, _ = rows_by_source(engine, kind)
        batch = [
            placeholder(a.urn)
            for a in assignments
            if a.urn.kind == kind and a.urn.provider_id not in listed
        ]
        results[kind] = upsert_resources(
            engine, kind=kind, resources=batch, complete=complete, skipped_ids=listed, now=now
        )
    return results


def attribute(
    engine: Engine,
    *,
    assignments: Sequence[Assignment],
    complete: bool,
    now: datetime | None = None,
) -> AttributionResult:
    """Create placeholders, then set `cloud_project_id` and `tenant_id` from `assignments`."""
    now = now or datetime.now(UTC)
    placeholders = sync_placeholders(engine, assignments=assignments, complete=complete, now=now)
    untracked: dict[str, int] = defaultdict(int)
    r, p = resources_t, projects_t
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    unresolved = unchanged = 0

    with engine.begin() as connection:
        lock_key(connection, "inventory:attribution")
        projects = {
            row.provider_id: (row.id, row.tenant_id)
            for row in connection.execute(
                sa.select(p.c.provider_id, p.c.id, p.c.tenant_id).where(p.c.provider == PROVIDER)
            )
        }
        live = {
            (row.kind, row.provider_id): row
            for row in connection.execute(
                sa.select(
                    r.c.id, r.c.kind, r.c.provider_id, r.c.cloud_project_id, r.c.tenant_id
                ).where(r.c.provider == PROVIDER, r.c.deleted_at.is_(None))
            )
        }
        targets: dict[int, tuple[int, str | None]] = {}
        for a in assignments:
            if a.urn.kind is None:
                untracked[a.urn.do_kind] += 1
                continue
            kinds = IMAGE_KINDS if a.urn.do_kind == "image" else (a.urn.kind,)
            keys = [(k, a.urn.provider_id) for k in kinds if (k, a.urn.provider_id) in live]
            project = projects.get(a.project_provider_id)
            if not keys or project is None:
                unresolved += 1
                continue
            targets[live[keys[0]].id] = project
        targets.update(_derived_targets(connection, live, targets))
        targets.update(account_targets(connection, targets))  # certificates … (#13)
        targets.update(platform_targets(connection, live, targets, projects))

        by_id = {row.id: row for row in live.values()}
        for row_id, (project_id, tenant_id) in targets.items():
            row = by_id[row_id]
            if (row.cloud_project_id, row.tenant_id) == (project_id, tenant_id):
                unchanged += 1
                continue
            updates.append({"_id": row.id, "project_id": project_id, "tenant": tenant_id})
            events.append(
                {
                    "resource_id": row.id,
                    "type": "tagged",
                    "payload": {
                        "cloud_project_id": {"before": row.cloud_project_id, "after": project_id},
                        "tenant_id": {"before": row.tenant_id, "after": tenant_id},
                    },
                    "occurred_at": now,
                }
            )
        if updates:
            connection.execute(
                sa.update(r)
                .where(r.c.id == sa.bindparam("_id"))
                .values(
                    cloud_project_id=sa.bindparam("project_id"), tenant_id=sa.bindparam("tenant")
                ),
                updates,
            )
            connection.execute(sa.insert(events_t), events)

    return AttributionResult(
        assignments=len(assignments),
        attributed=len(updates),
        unchanged=unchanged,
        unresolved=unresolved,
        untracked_kinds=dict(untracked),
        placeholders=placeholders,
        rows_written=len(updates) + sum(s.rows_written for s in placeholders.values()),
    )


def _derived_targets(
    connection: sa.Connection,
    live: dict[tuple[str, str], Any],
    targets: dict[int, tuple[int, str | None]],
) -> dict[int, tuple[int, str | None]]:
    """Kinds DO never lists under a project inherit from the resources they belong to.

    A snapshot belongs where its droplet or volume does (unless a project lists it itself, as
    `do:image:`/`do:volumesnapshot:` URNs once did); a droplet backup where its droplet does; a
    firewall to the one project all of its droplets share (none when they span several).
    """
    r = resources_t
    parent_target: dict[str, dict[str, tuple[int, str | None]]] = {"droplet": {}, "volume": {}}
    for (kind, pid), row in live.items():
        if kind in parent_target and row.id in targets:
            parent_target[kind][pid] = targets[row.id]
    droplet_target = parent_target["droplet"]
    derived: dict[int, tuple[int, str | None]] = {}
    rows = connection.execute(
        sa.select(r.c.id, r.c.kind, r.c.attrs).where(
            r.c.provider == PROVIDER,
            r.c.deleted_at.is_(None),
            r.c.kind.in_(["snapshot", "droplet_backup", "firewall"]),
        )
    )
    for row_id, kind, attrs in rows:
        attrs = attrs or {}
        if kind == "snapshot":
            parents = parent_target.get(str(attrs.get("resource_type")), {})
            target = parents.get(str(attrs.get("resource_id")))
            if target is not None and row_id not in targets:
                derived[row_id] = target
        elif kind == "droplet_backup":
            target = droplet_target.get(str(attrs.get("droplet_id")))
            if target is not None:
                derived[row_id] = target
        else:
            found = {droplet_target.get(str(d)) for d in attrs.get("droplet_ids") or []}
            found.discard(None)
            if len(found) == 1:
                derived[row_id] = found.pop()  # type: ignore[assignment]
    return derived


def tenant_kind_summary(engine: Engine) -> list[dict[str, Any]]:
    """Live resources by tenant × kind (unattributed resources under tenant None)."""
    r = resources_t
    query = (
        sa.select(r.c.tenant_id, r.c.kind, sa.func.count().label("resources"))
        .where(r.c.deleted_at.is_(None))
        .group_by(r.c.tenant_id, r.c.kind)
        .order_by(r.c.tenant_id, r.c.kind)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]

"""One sync per kind: list from DO → normalise → chokepoint, with the figures assets report.

The kinds are declared in `kinds.KIND_SPECS`; droplet backups, projects and attribution have
their own functions below.

The Dagster assets, the tests and the benchmark all call these functions; nothing else talks to
both the DO client and the inventory tables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient, DONotFoundError, FieldError
from arcadia_cloud_core.digitalocean.spaces import SpacesBucket
from arcadia_cloud_core.gc_pause import gc_paused
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory.attribution import (
    Assignment,
    AttributionResult,
    attribute,
    rows_by_source,
)
from arcadia_cloud_core.inventory.kinds import KindSpec
from arcadia_cloud_core.inventory.model import (
    NormalizedResource,
    SkippedResource,
    SyncResult,
)
from arcadia_cloud_core.inventory.projects import (
    DEFAULT_INTERNAL_PROJECT,
    ProjectSyncResult,
    sync_projects,
)
from arcadia_cloud_core.inventory.upsert import upsert_resources
from arcadia_cloud_core.inventory.urns import parse_urn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KindSyncReport:
    """A kind sync's outcome: chokepoint counts plus requests, seconds and skipped items."""

    result: SyncResult
    requests: int
    seconds: float
    skipped: list[SkippedResource] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        """Plain figures for Dagster metadata."""
        return {
            **self.result.as_metadata(),
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
        }


def _write(
    engine: Engine,
    *,
    kind: str,
    normalized: normalize.Normalized,
    complete: bool,
    now: datetime | None,
) -> SyncResult:
    # An item skipped without an id could be any stored row: then nothing may be struck.
    anonymous_skip = any(s.provider_id is None for s in normalized.skipped)
    return upsert_resources(
        engine,
        kind=kind,
        resources=normalized.resources,
        complete=complete and not anonymous_skip,
        skipped_ids=normalized.skipped_ids,
        now=now,
    )


def sync_kind(
    engine: Engine, do: DOClient, spec: KindSpec, *, now: datetime | None = None
) -> KindSyncReport:
    """List every resource of `spec.kind` and write the listing through the chokepoint.

    A listing that fails raises (nothing is written, no strike counted).
    """
    started, before = time.perf_counter(), do.requests_made
    with gc_paused():  # one pause for list, normalise and write: see gc_pause
        listing = spec.list(do)
        normalized = normalize.normalize_all(
            spec.kind, listing.items, spec.convert, listing_skipped=listing.skipped
        )
        complete = not listing.filtered
        del listing  # the raw payloads are not needed for the write
        result = _write(engine, kind=spec.kind, normalized=normalized, complete=complete, now=now)
    return KindSyncReport(
        result=result,
        requests=do.requests_made - before,
        seconds=time.perf_counter() - started,
        skipped=normalized.skipped,
    )


def sync_spaces_buckets(
    engine: Engine,
    list_buckets: Callable[[], tuple[list[SpacesBucket], int]],
    *,
    now: datetime | None = None,
) -> KindSyncReport:
    """List every Spaces bucket (``list_buckets()``: buckets and requests, e.g.
    `SpacesResource.list_buckets`) and write them through the chokepoint as `spaces_bucket`.

    A bucket listed here is the placeholder attribution made from its ``do:space:`` URN (same kind
    and id): it gains region, status and the S3 attributes, keeps its project and tenant, and from
    then on attribution leaves it to this listing. A placeholder this listing does not answer for
    (a region not configured) is attribution's, never struck here. A region failing raises:
    nothing written.
    """
    started = time.perf_counter()
    buckets, requests = list_buckets()
    normalized = normalize.normalize_all("spaces_bucket", buckets, normalize.spaces_bucket)
    _, placeholders = rows_by_source(engine, "spaces_bucket")
    result = upsert_resources(
        engine,
        kind="spaces_bucket",
        resources=normalized.resources,
        complete=not any(s.provider_id is None for s in normalized.skipped),
        skipped_ids=normalized.skipped_ids | (placeholders - {b.name for b in buckets}),
        now=now,
    )
    return KindSyncReport(
        result=result,
        requests=requests,
        seconds=time.perf_counter() - started,
        skipped=normalized.skipped,
    )


def live_droplets_with_backups(engine: Engine) -> list[tuple[str, str | None]]:
    """(id, name) of live droplets whose backups feature is on."""
    r = resources_t
    query = sa.select(r.c.provider_id, r.c.name, r.c.attrs).where(
        r.c.provider == PROVIDER, r.c.kind == "droplet", r.c.deleted_at.is_(None)
    )
    with engine.connect() as connection:
        return [
            (pid, name)
            for pid, name, attrs in connection.execute(query)
            if "backups" in ((attrs or {}).get("features") or [])
        ]


def sync_droplet_backups(
    engine: Engine, do: DOClient, *, now: datetime | None = None
) -> KindSyncReport:
    """List the backups of every live droplet with backups on (`/v2/droplets/:id/backups`)."""
    started, before = time.perf_counter(), do.requests_made
    resources: list[NormalizedResource] = []
    skipped: list[SkippedResource] = []
    for droplet_id, droplet_name in live_droplets_with_backups(engine):
        try:
            listing = do.list_droplet_backups(droplet_id)
        except DONotFoundError:
            log.info("droplet %s is gone; its backups went with it", droplet_id)
            continue
        normalized = normalize.normalize_all(
            "droplet_backup",
            listing.items,
            lambda image, d=droplet_id, n=droplet_name: normalize.droplet_backup(
                image, droplet_id=d, droplet_name=n
            ),
            listing_skipped=listing.skipped,
        )
        resources.extend(normalized.resources)
        skipped.extend(normalized.skipped)
    result = _write(
        engine,
        kind="droplet_backup",
        normalized=normalize.Normalized(resources=resources, skipped=skipped),
        complete=True,
        now=now,
    )
    return KindSyncReport(
        result=result,
        requests=do.requests_made - before,
        seconds=time.perf_counter() - started,
        skipped=skipped,
    )


def sync_projects_from_do(
    engine: Engine,
    do: DOClient,
    *,
    internal_project: str = DEFAULT_INTERNAL_PROJECT,
    tenant_overrides: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> tuple[ProjectSyncResult, int]:
    """Mirror DO projects; returns the result and the requests made.

    A project DO lists malformed (an id that is not a UUID, a missing name) is skipped with a
    warning naming it and its field; the rest are mirrored, and none is deleted on that pass.
    """
    before = do.requests_made
    listing = do.list_projects()
    for skip in listing.skipped:
        log.warning(
            "skipped project %s: field %s: %s", skip.id or "<no id>", skip.field, skip.reason
        )
    result = sync_projects(
        engine,
        projects=listing.items,
        complete=listing.complete,
        internal_project=internal_project,
        tenant_overrides=tenant_overrides,
        now=now,
    )
    return result, do.requests_made - before


def sync_project_resources(
    engine: Engine, do: DOClient, *, now: datetime | None = None
) -> tuple[AttributionResult, int, list[str]]:
    """Walk every project's resource URNs and attribute them; returns result, requests, bad URNs.

    A malformed URN (not `do:<kind>:<id>`, or an id not of the shape DO promises for its kind)
    is skipped with a warning naming its kind, the URN and the field; the rest are attributed,
    and the pass counts as incomplete (no placeholder is struck on it).
    """
    before = do.requests_made
    assignments: list[Assignment] = []
    malformed: list[str] = []
    projects = do.list_projects()
    complete = projects.complete
    for project in projects:
        listing = do.list_project_resources(project.id)
        complete = complete and listing.complete
        malformed.extend(skip.id or "<no urn>" for skip in listing.skipped)
        for item in listing:
            try:
                assignments.append(Assignment(project.id, parse_urn(item.urn)))
            except FieldError as exc:
                log.warning(
                    "project %s: skipped %s %s: field %s: %s",
                    project.id,
                    exc.kind or "resource",
                    item.urn,
                    exc.field,
                    exc.reason,
                )
                malformed.append(item.urn)
    result = attribute(
        engine, assignments=assignments, complete=complete and not malformed, now=now
    )
    return result, do.requests_made - before, malformed


def preview(engine: Engine, kind: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """A few live rows of `kind` (name, region, status, tenant) for the UI."""
    r = resources_t
    query = (
        sa.select(r.c.name, r.c.region, r.c.status, r.c.tenant_id.label("tenant"))
        .where(r.c.provider == PROVIDER, r.c.kind == kind, r.c.deleted_at.is_(None))
        .order_by(r.c.name)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def utcnow() -> datetime:
    """Aware UTC now (one place to read the clock)."""
    return datetime.now(UTC)

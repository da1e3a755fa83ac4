"""Inventory assets: projects, one asset per resource kind, attribution, and the tenant summary.

Every asset body lists from DO through the sync client, hands the batch to the core chokepoint and
reports its counts; all DO calls share the `do_api_sync` pool (one token, one rate budget). Each
asset is filled once when missing (`first_fill`) and fresh for its kind's cadence
(`KIND_CADENCE`: warn after one missed run, fail after two).
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.automation import first_fill, freshness
from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.attribution import tenant_kind_summary
from arcadia_cloud_core.inventory.kinds import EVERY_15_MIN, KIND_CADENCE, KIND_SPECS, KindSpec
from arcadia_cloud_core.inventory.projects import DEFAULT_INTERNAL_PROJECT
from arcadia_cloud_core.resources import (
    SPACES_KEY_SETTINGS,
    DatabaseResource,
    DigitalOceanResource,
    SpacesResource,
    do_pool,
)

GROUP = "inventory"
POOL = do_pool("sync")
PREFIX = "inventory"


def inventory_asset(
    *,
    cadence: timedelta = EVERY_15_MIN,
    pool: str | None = POOL,
    kinds: set[str] | None = None,
    **settings: Any,
) -> Any:
    """`dg.asset` for an inventory asset: key `inventory/<name>`, group `inventory`, the sync
    pool (DO calls; ``pool=None`` for assets that spend no DO API budget), filled once when
    missing, fresh for ``cadence`` (the default: with the 15-minute kinds, in
    `inventory_sync_job`)."""
    return dg.asset(
        key_prefix=PREFIX,
        group_name=GROUP,
        pool=pool,
        kinds=kinds or ({"digitalocean"} if pool else None),
        freshness_policy=freshness(cadence),
        automation_condition=first_fill(),
        **settings,
    )


class ProjectsConfig(dg.Config):
    """How DO projects map to tenants."""

    internal_project: str = Field(
        default=DEFAULT_INTERNAL_PROJECT,
        description="Name of arcadia-cloud's own default project, created on first sync.",
    )
    tenant_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="DO project name → tenant id, where a description has no `tenant:<id>`.",
    )


@inventory_asset()
def projects(
    context: dg.AssetExecutionContext,
    config: ProjectsConfig,
    database: DatabaseResource,
    do_sync: DigitalOceanResource,
) -> dg.MaterializeResult:
    """DO projects mirrored into `cloud_projects`, each classified to a tenant."""
    with do_sync.client() as do:
        result, requests = sync.sync_projects_from_do(
            database.engine(),
            do,
            internal_project=config.internal_project,
            tenant_overrides=config.tenant_overrides,
        )
    context.log.info("projects: %s", result)
    return dg.MaterializeResult(metadata={**result.as_metadata(), "requests": requests})


def _kind_result(
    context: dg.AssetExecutionContext, engine: Engine, kind: str, report: sync.KindSyncReport
) -> dg.MaterializeResult:
    """Log each skipped item, then report the sync's figures, skips and a preview of `kind`."""
    for skip in report.skipped:
        context.log.warning(f"skipped {kind} {skip.provider_id}: field {skip.field}: {skip.reason}")
    preview = table(sync.preview(engine, kind), columns=PREVIEW_COLUMNS)
    metadata: dict = {**report.metadata(), "preview": preview}
    if report.skipped:
        metadata["skipped_items"] = table(
            [
                {"id": s.provider_id, "field": s.field, "reason": s.reason}
                for s in report.skipped[:50]
            ]
        )
    return dg.MaterializeResult(metadata=metadata)


PREVIEW_COLUMNS = ("name", "region", "status", "tenant")


def _synced(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_sync: DigitalOceanResource,
    kind: str,
    run: Callable[[Engine, DOClient], sync.KindSyncReport],
) -> dg.MaterializeResult:
    """Run one kind's sync (``run(engine, do)``) and report it."""
    engine = database.engine()
    with do_sync.client() as do:
        report = run(engine, do)
    return _kind_result(context, engine, kind, report)


def build_kind_asset(name: str, spec: KindSpec) -> dg.AssetsDefinition:
    """The sync asset for one kind with a plain DO list endpoint."""

    @inventory_asset(
        name=name,
        cadence=spec.cadence,
        description=f"Every DO {spec.kind} (kind `{spec.kind}`), synced through the chokepoint.",
    )
    def _asset(
        context: dg.AssetExecutionContext,
        database: DatabaseResource,
        do_sync: DigitalOceanResource,
    ) -> dg.MaterializeResult:
        return _synced(context, database, do_sync, spec.kind, partial(sync.sync_kind, spec=spec))

    return _asset


KIND_ASSETS = [build_kind_asset(name, spec) for name, spec in KIND_SPECS.items()]


@inventory_asset(cadence=KIND_CADENCE["droplet_backup"], deps=[dg.AssetKey([PREFIX, "droplets"])])
def droplet_backups(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_sync: DigitalOceanResource,
) -> dg.MaterializeResult:
    """Backups of every live droplet with backups on (per droplet: not in /v2/snapshots)."""
    return _synced(context, database, do_sync, "droplet_backup", sync.sync_droplet_backups)


@inventory_asset(cadence=KIND_CADENCE["spaces_bucket"], pool=None, kinds={"digitalocean", "s3"})
def spaces_buckets(
    context: dg.AssetExecutionContext, database: DatabaseResource, spaces: SpacesResource
) -> dg.MaterializeResult:
    """Every Spaces bucket of the configured regions, listed through the S3 API (boto3,
    `ListBuckets` per region) and synced through the chokepoint as `spaces_bucket`. Skipped, not
    failed, without a Spaces key pair: buckets then stay the placeholders of project URNs. No DO
    pool: the S3 API is not the API token's rate budget."""
    if not spaces.configured:
        context.log.info(
            f"spaces_buckets skipped: set {' and '.join(SPACES_KEY_SETTINGS)} (a Spaces access "
            "key) to list buckets through the S3 API; until then buckets are known only from "
            "project URNs"
        )
        return dg.MaterializeResult(metadata={"skipped": True})
    engine = database.engine()
    report = sync.sync_spaces_buckets(engine, spaces.list_buckets)
    result = _kind_result(context, engine, "spaces_bucket", report)
    metadata = {**(result.metadata or {}), "skipped": False, "regions": spaces.region_list()}
    return dg.MaterializeResult(metadata=metadata)


@inventory_asset(deps=[projects, *KIND_ASSETS, droplet_backups, spaces_buckets])
def project_resources(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_sync: DigitalOceanResource,
) -> dg.MaterializeResult:
    """Attribute resources to projects and tenants from project URNs; placeholders for URN-only
    kinds (Spaces buckets)."""
    with do_sync.client() as do:
        result, requests, malformed = sync.sync_project_resources(database.engine(), do)
    if malformed:
        context.log.warning(f"{len(malformed)} malformed URNs skipped: {malformed[:10]}")
    metadata: dict = {
        "assignments": result.assignments,
        "attributed": result.attributed,
        "unchanged": result.unchanged,
        "unresolved": result.unresolved,
        "malformed_urns": len(malformed),
        "requests": requests,
        "rows_written": result.rows_written,
    }
    for kind, placeholder in result.placeholders.items():
        metadata[f"{kind}_discovered"] = placeholder.discovered
        metadata[f"{kind}_deleted"] = placeholder.deleted
    if result.untracked_kinds:
        metadata["untracked_urn_kinds"] = dict(result.untracked_kinds)
    return dg.MaterializeResult(metadata=metadata)


@inventory_asset(pool=None, deps=[project_resources])
def summary(database: DatabaseResource) -> dg.MaterializeResult:
    """What each tenant has: live resources by tenant × kind."""
    rows = tenant_kind_summary(database.engine())
    for row in rows:
        row["tenant"] = row.pop("tenant_id") or "(unattributed)"
    return dg.MaterializeResult(
        metadata={
            "live_resources": sum(row["resources"] for row in rows),
            "tenants": len({row["tenant"] for row in rows}),
            "by_tenant_and_kind": table(rows, columns=("tenant", "kind", "resources")),
        }
    )


ASSETS = [projects, *KIND_ASSETS, droplet_backups, spaces_buckets, project_resources, summary]

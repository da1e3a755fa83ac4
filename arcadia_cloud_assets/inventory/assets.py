"""Inventory assets: projects, one asset per resource kind, attribution, and the tenant summary.

Every asset body lists from DO through the sync client, hands the batch to the core chokepoint and
reports its counts; all DO calls share the `do_api_sync` pool (one token, one rate budget).
"""

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.metadata import table
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.attribution import tenant_kind_summary
from arcadia_cloud_core.inventory.kinds import KIND_SPECS, KindSpec
from arcadia_cloud_core.inventory.projects import DEFAULT_INTERNAL_PROJECT
from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource

GROUP = "inventory"
POOL = "do_api_sync"
PREFIX = "inventory"


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


@dg.asset(key_prefix=PREFIX, group_name=GROUP, pool=POOL, kinds={"digitalocean"})
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
    return dg.MaterializeResult(
        metadata={
            "seen": result.seen,
            "discovered": result.inserted,
            "updated": result.updated,
            "deleted": result.deleted,
            "internal_project_created": result.internal_created,
            "requests": requests,
        }
    )


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


def build_kind_asset(name: str, spec: KindSpec) -> dg.AssetsDefinition:
    """The sync asset for one kind with a plain DO list endpoint."""

    @dg.asset(
        name=name,
        key_prefix=PREFIX,
        group_name=GROUP,
        pool=POOL,
        kinds={"digitalocean"},
        description=f"Every DO {spec.kind} (kind `{spec.kind}`), synced through the chokepoint.",
    )
    def _asset(
        context: dg.AssetExecutionContext,
        database: DatabaseResource,
        do_sync: DigitalOceanResource,
    ) -> dg.MaterializeResult:
        engine = database.engine()
        with do_sync.client() as do:
            report = sync.sync_kind(engine, do, spec)
        return _kind_result(context, engine, spec.kind, report)

    return _asset


KIND_ASSETS = [build_kind_asset(name, spec) for name, spec in KIND_SPECS.items()]


@dg.asset(
    key_prefix=PREFIX,
    group_name=GROUP,
    pool=POOL,
    kinds={"digitalocean"},
    deps=[dg.AssetKey([PREFIX, "droplets"])],
)
def droplet_backups(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    do_sync: DigitalOceanResource,
) -> dg.MaterializeResult:
    """Backups of every live droplet with backups on (per droplet: not in /v2/snapshots)."""
    engine = database.engine()
    with do_sync.client() as do:
        report = sync.sync_droplet_backups(engine, do)
    return _kind_result(context, engine, "droplet_backup", report)


@dg.asset(
    key_prefix=PREFIX,
    group_name=GROUP,
    pool=POOL,
    kinds={"digitalocean"},
    deps=[
        projects,
        *KIND_ASSETS,
        droplet_backups,
    ],
)
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


@dg.asset(key_prefix=PREFIX, group_name=GROUP, deps=[project_resources])
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


ASSETS = [projects, *KIND_ASSETS, droplet_backups, project_resources, summary]

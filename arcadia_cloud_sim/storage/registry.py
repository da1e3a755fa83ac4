"""The container registry (``/v2/registry``): one per account, its subscription and its
repositories (``/v2/registry/{name}/repositoriesV2``).

``storage_usage_bytes`` is computed when read: the compressed size of every repository's
manifests. No registry: ``GET /v2/registry`` is a 404, as at DO.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import list_endpoint, parent_id
from arcadia_cloud_sim.api.envelopes import json_response
from arcadia_cloud_sim.api.errors import not_found
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow, iso

REGISTRY = "container_registry"
REPOSITORY = "container_repository"
MIB = 1024 * 1024
TIERS = {
    "basic": {"name": "Basic", "slug": "basic", "included_repositories": 5,
              "included_storage_bytes": 5 * 1024 * MIB, "allow_storage_overage": True,
              "included_bandwidth_bytes": 5 * 1024 * MIB, "monthly_price_in_cents": 500,
              "storage_overage_price_in_cents": 2},
    "professional": {"name": "Professional", "slug": "professional",
                     "included_repositories": 0, "included_storage_bytes": 100 * 1024 * MIB,
                     "allow_storage_overage": True,
                     "included_bandwidth_bytes": 100 * 1024 * MIB,
                     "monthly_price_in_cents": 2000, "storage_overage_price_in_cents": 2},
}
#: repository, tags, manifests, MiB of the latest manifest
_SEEDED = (("acme/storefront", ["v2.4.1", "latest"], 14, 182),
           ("acme/worker", ["v1.9.0"], 6, 96),
           ("globex/etl", ["2026.04.01", "latest"], 31, 640),
           ("platform/ci-runner", ["stable"], 9, 412))


def new_registry_body(*, name: str, region: str, tier: str, created_at: float) -> dict[str, Any]:
    """The stored body of a registry (storage usage is added when rendered)."""
    return {"name": name, "created_at": iso(created_at), "region": region,
            "subscription": {"tier": TIERS[tier], "created_at": iso(created_at),
                             "updated_at": iso(created_at)}}


def new_repository_body(*, registry: str, name: str, tags: list[str], manifests: int,
                        size_bytes: int, updated_at: float) -> dict[str, Any]:
    """The stored (and rendered) body of a repository (V2 shape)."""
    digest = "sha256:" + hashlib.sha256(f"{registry}/{name}:{tags}".encode()).hexdigest()
    compressed = size_bytes * 2 // 5
    return {
        "registry_name": registry, "name": name, "tag_count": len(tags),
        "manifest_count": manifests,
        "latest_manifest": {
            "registry_name": registry, "repository": name, "digest": digest,
            "compressed_size_bytes": compressed, "size_bytes": size_bytes,
            "updated_at": iso(updated_at), "tags": tags,
            "blobs": [{"digest": digest, "compressed_size_bytes": compressed}],
        },
    }


def repository_id(registry: str, name: str) -> str:
    """The stored id of a repository: ``<registry>:<name>`` with its ``/`` as ``:`` (a Docker
    repository name has no ``:``; ``/_sim/resources/container_repository/<id>`` needs none)."""
    return f"{registry}:{name}".replace("/", ":")


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's registry (``arcadia``, Basic) and its repositories."""
    name = "arcadia"
    rows = [NewResource(REGISTRY, name,
                        new_registry_body(name=name, region="nyc3", tier="basic",
                                          created_at=world.at), world.at, name=name)]
    for repo, tags, manifests, mib in _SEEDED:
        body = new_repository_body(registry=name, name=repo, tags=tags, manifests=manifests,
                                   size_bytes=mib * MIB, updated_at=world.at)
        rows.append(NewResource(REPOSITORY, repository_id(name, repo), body, world.at,
                                parent=name, name=repo))
    return rows


def _registry(ctx: SimContext) -> ResourceRow:
    rows, _ = ctx.store.list_rows(REGISTRY, limit=1)
    if not rows:
        raise not_found()
    return rows[0]


def render_registry(ctx: SimContext, row: ResourceRow) -> dict[str, Any]:
    """DO's registry object: storage used is the sum of its repositories' manifests."""
    repos, _ = ctx.store.list_rows(REPOSITORY, parent=row.id)
    used = sum(r.body["latest_manifest"]["compressed_size_bytes"] * r.body["manifest_count"]
               for r in repos)
    updated = max([r.created_at for r in repos], default=row.created_at)
    return {**row.body, "storage_usage_bytes": used,
            "storage_usage_bytes_updated_at": iso(updated)}


async def get_registry(request: Request) -> Response:
    """GET /v2/registry."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        return json_response({"registry": render_registry(ctx, _registry(ctx))})


async def get_subscription(request: Request) -> Response:
    """GET /v2/registry/subscription."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        return json_response({"subscription": _registry(ctx).body["subscription"]})


def _repositories_of(request: Request, ctx: SimContext) -> dict[str, Any]:
    return {"parent": parent_id(request, REGISTRY, "registry_name")}


def routes() -> list[BaseRoute]:
    """Registry routes."""
    return [
        Route("/v2/registry", get_registry, methods=["GET"]),
        Route("/v2/registry/subscription", get_subscription, methods=["GET"]),
        Route("/v2/registry/{registry_name}/repositoriesV2",
              list_endpoint(REPOSITORY, "repositories", filters=_repositories_of), methods=["GET"]),
    ]

"""Snapshots: ``/v2/snapshots`` (string ids), droplet snapshot/backup lists, volume snapshots.

Lags: a snapshot shows up in *listings* only ``snapshot_list_lag`` seconds after it was created
(``GET`` by id finds it at once), and a deleted snapshot keeps showing up in listings for
``snapshot_delete_linger`` seconds (``GET`` by id is a 404 at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import (
    forget,
    get_endpoint,
    list_endpoint,
    parent_id,
    require,
)
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import ApiError, bad_request
from arcadia_cloud_sim.api.kinds import (
    BACKUP,
    DROPLET,
    IMAGE_IDS,
    SNAPSHOT,
    VOLUME,
    new_uuid,
    next_id,
)
from arcadia_cloud_sim.catalog import IMAGES_BY_ID
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import ResourceRow, iso


def create_snapshot(
    ctx: SimContext,
    *,
    resource_type: str,
    resource_id: str,
    name: str,
    regions: list[str],
    min_disk_size: int,
    size_gigabytes: float,
    tags: list[str] | None = None,
    created_at: float | None = None,
    list_lag: float | None = None,
) -> dict[str, Any]:
    """Store a snapshot (droplet: numeric id; volume: UUID) and return its body."""
    created = ctx.clock.now() if created_at is None else created_at
    snap_id = str(next_id(ctx, IMAGE_IDS)) if resource_type == "droplet" else new_uuid()
    body = {
        "id": snap_id,
        "name": name,
        "created_at": iso(created),
        "regions": regions,
        "min_disk_size": min_disk_size,
        "size_gigabytes": size_gigabytes,
        "resource_id": str(resource_id),
        "resource_type": resource_type,
        "tags": tags or [],
    }
    lag = ctx.settings.snapshot_list_lag if list_lag is None else list_lag
    ctx.store.insert(SNAPSHOT, snap_id, body, created_at=created, parent=str(resource_id),
                     name=name, visible_at=created + lag)
    return body


def listing_filters(ctx: SimContext) -> dict[str, float]:
    """Store filters that apply the list lag and the delete linger."""
    now = ctx.clock.now()
    return {"visible_at": now, "lingering_since": now - ctx.settings.snapshot_delete_linger}


def as_droplet_snapshot(body: dict[str, Any]) -> dict[str, Any]:
    """The ``/v2/droplets/{id}/snapshots`` shape: int id, ``type``, no resource fields."""
    return {
        "id": int(body["id"]),
        "name": body["name"],
        "created_at": body["created_at"],
        "regions": body["regions"],
        "min_disk_size": body["min_disk_size"],
        "size_gigabytes": body["size_gigabytes"],
        "type": "snapshot",
    }


def delete_snapshot(ctx: SimContext, row: ResourceRow) -> None:
    """Delete a snapshot (it lingers in listings)."""
    forget(ctx, SNAPSHOT, row)


# -- listings -------------------------------------------------------------------------------
def _all(request: Request, ctx: SimContext) -> dict[str, Any]:
    """``GET /v2/snapshots?resource_type=droplet|volume``."""
    resource_type = request.query_params.get("resource_type")
    if resource_type not in (None, "droplet", "volume"):
        raise bad_request("resource_type must be droplet or volume")
    json_eq = {"resource_type": resource_type} if resource_type else None
    return {"json_eq": json_eq, **listing_filters(ctx)}


def _of_droplet(request: Request, ctx: SimContext) -> dict[str, Any]:
    """``GET /v2/droplets/{droplet_id}/snapshots``."""
    return {"parent": parent_id(request, DROPLET, "droplet_id"),
            "json_eq": {"resource_type": "droplet"}, **listing_filters(ctx)}


def _of_volume(request: Request, ctx: SimContext) -> dict[str, Any]:
    """``GET /v2/volumes/{volume_id}/snapshots``."""
    return {"parent": parent_id(request, VOLUME, "volume_id"),
            "json_eq": {"resource_type": "volume"}, **listing_filters(ctx)}


def _droplet_shapes(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    return [as_droplet_snapshot(r.body) for r in rows]


def _lookup(ctx: SimContext, snapshot_id: str) -> ResourceRow:
    row = ctx.store.get_row(SNAPSHOT, snapshot_id)
    if row is None and snapshot_id.isdigit() and (
        int(snapshot_id) in IMAGES_BY_ID or ctx.store.get_row(BACKUP, snapshot_id)
    ):
        raise ApiError(400, "bad_request", "the resource is not a snapshot")
    return require(row)


async def get_snapshot(request: Request) -> Response:
    """GET /v2/snapshots/{snapshot_id}."""
    ctx = sim_context(request)
    row = _lookup(ctx, request.path_params["snapshot_id"])
    return json_response({"snapshot": row.body})


async def delete_snapshot_route(request: Request) -> Response:
    """DELETE /v2/snapshots/{snapshot_id} (droplet or volume snapshot)."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = _lookup(ctx, request.path_params["snapshot_id"])
        delete_snapshot(ctx, row)
    return no_content()


# -- volume snapshots -------------------------------------------------------------------------
async def create_volume_snapshot(request: Request) -> Response:
    """POST /v2/volumes/{volume_id}/snapshots → 201 (the snapshot is immediate for volumes)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("name is required")
    tags = payload.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise bad_request("tags must be a list of strings")
    with ctx.store.transaction():
        volume = require(ctx.store.get_row(VOLUME, request.path_params["volume_id"]))
        body = create_snapshot(
            ctx, resource_type="volume", resource_id=volume.id, name=name,
            regions=[volume.body["region"]], min_disk_size=volume.body["size_gigabytes"],
            size_gigabytes=round(volume.body["size_gigabytes"] * 0.13, 2), tags=tags,
        )
    return json_response({"snapshot": body}, 201)


def _is_volume_snapshot(request: Request, row: ResourceRow) -> bool:
    return bool(row.body["resource_type"] == "volume")


async def delete_volume_snapshot(request: Request) -> Response:
    """DELETE /v2/volumes/snapshots/{snapshot_id}."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(SNAPSHOT, request.path_params["snapshot_id"]))
        if not _is_volume_snapshot(request, row):
            require(None)
        delete_snapshot(ctx, row)
    return no_content()


def default_snapshot_name(droplet_name: str, now_ms: int) -> str:
    """DO's default name for a droplet snapshot: ``<droplet>-<epoch ms>``."""
    return f"{droplet_name}-{now_ms}"


def routes() -> list[BaseRoute]:
    """Snapshot routes (global, droplet-scoped and volume-scoped)."""
    return [
        Route("/v2/snapshots", list_endpoint(SNAPSHOT, "snapshots", filters=_all),
              methods=["GET"]),
        Route("/v2/snapshots/{snapshot_id}", get_snapshot, methods=["GET"]),
        Route("/v2/snapshots/{snapshot_id}", delete_snapshot_route, methods=["DELETE"]),
        Route("/v2/droplets/{droplet_id:int}/snapshots",
              list_endpoint(SNAPSHOT, "snapshots", render=_droplet_shapes, filters=_of_droplet),
              methods=["GET"]),
        Route("/v2/droplets/{droplet_id:int}/backups",
              list_endpoint(BACKUP, "backups", filters=lambda request, ctx: {
                  "parent": parent_id(request, DROPLET, "droplet_id")}),
              methods=["GET"]),
        Route("/v2/volumes/snapshots/{snapshot_id}",
              get_endpoint(SNAPSHOT, "snapshot", "snapshot_id", accept=_is_volume_snapshot),
              methods=["GET"]),
        Route("/v2/volumes/snapshots/{snapshot_id}", delete_volume_snapshot,
              methods=["DELETE"]),
        Route("/v2/volumes/{volume_id}/snapshots",
              list_endpoint(SNAPSHOT, "snapshots", filters=_of_volume), methods=["GET"]),
        Route("/v2/volumes/{volume_id}/snapshots", create_volume_snapshot, methods=["POST"]),
    ]

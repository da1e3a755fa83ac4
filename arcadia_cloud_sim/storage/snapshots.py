"""Snapshots: ``/v2/snapshots`` (string ids), droplet snapshot/backup lists, volume snapshots.

Lags: a snapshot shows up in *listings* only ``snapshot_list_lag`` seconds after it was created
(``GET`` by id finds it at once), and a deleted snapshot keeps showing up in listings for
``snapshot_delete_linger`` seconds (``GET`` by id is a 404 at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import require
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
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import assign_urn, snapshot_urn, unassign_urn
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


def _bodies(rows: Sequence[ResourceRow]) -> list[orjson.Fragment]:
    """The stored bodies as they are (already DO's shape): spliced in, never re-encoded."""
    return [orjson.Fragment(r.body_json) for r in rows]


def delete_snapshot(ctx: SimContext, row: ResourceRow) -> None:
    """Delete a snapshot (it lingers in listings) and drop it from its project."""
    ctx.store.delete(SNAPSHOT, row.id, at=ctx.clock.now())
    unassign_urn(ctx, snapshot_urn(row.body))


# -- /v2/snapshots ----------------------------------------------------------------------------
async def list_snapshots(request: Request) -> Response:
    """GET /v2/snapshots?resource_type=droplet|volume."""
    ctx = sim_context(request)
    resource_type = request.query_params.get("resource_type")
    if resource_type not in (None, "droplet", "volume"):
        raise bad_request("resource_type must be droplet or volume")
    json_eq = {"resource_type": resource_type} if resource_type else None
    filters = listing_filters(ctx)
    with ctx.store.transaction(write=False):
        return paginate(
            request,
            lambda limit, offset: ctx.store.list_rows(
                SNAPSHOT, json_eq=json_eq, limit=limit, offset=offset, **filters
            ),
            "snapshots",
            render=_bodies,
        )


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


# -- /v2/droplets/{id}/snapshots and /backups -------------------------------------------------
async def list_droplet_snapshots(request: Request) -> Response:
    """GET /v2/droplets/{droplet_id}/snapshots (int ids)."""
    ctx = sim_context(request)
    droplet_id = str(request.path_params["droplet_id"])
    filters = listing_filters(ctx)
    with ctx.store.transaction(write=False):
        require(ctx.store.get_row(DROPLET, droplet_id))
        return paginate(
            request,
            lambda limit, offset: ctx.store.list_rows(
                SNAPSHOT, parent=droplet_id, json_eq={"resource_type": "droplet"},
                limit=limit, offset=offset, **filters,
            ),
            "snapshots",
            render=lambda rows: [as_droplet_snapshot(r.body) for r in rows],
        )


async def list_droplet_backups(request: Request) -> Response:
    """GET /v2/droplets/{droplet_id}/backups."""
    ctx = sim_context(request)
    droplet_id = str(request.path_params["droplet_id"])
    with ctx.store.transaction(write=False):
        require(ctx.store.get_row(DROPLET, droplet_id))
        return paginate(
            request,
            lambda limit, offset: ctx.store.list_rows(
                BACKUP, parent=droplet_id, limit=limit, offset=offset
            ),
            "backups",
            render=_bodies,
        )


# -- volume snapshots -------------------------------------------------------------------------
async def list_volume_snapshots(request: Request) -> Response:
    """GET /v2/volumes/{volume_id}/snapshots."""
    ctx = sim_context(request)
    volume_id = request.path_params["volume_id"]
    filters = listing_filters(ctx)
    with ctx.store.transaction(write=False):
        require(ctx.store.get_row(VOLUME, volume_id))
        return paginate(
            request,
            lambda limit, offset: ctx.store.list_rows(
                SNAPSHOT, parent=volume_id, json_eq={"resource_type": "volume"},
                limit=limit, offset=offset, **filters,
            ),
            "snapshots",
            render=_bodies,
        )


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
        assign_urn(ctx, snapshot_urn(body))
    return json_response({"snapshot": body}, 201)


async def get_volume_snapshot(request: Request) -> Response:
    """GET /v2/volumes/snapshots/{snapshot_id}."""
    ctx = sim_context(request)
    row = require(ctx.store.get_row(SNAPSHOT, request.path_params["snapshot_id"]))
    if row.body["resource_type"] != "volume":
        require(None)
    return json_response({"snapshot": row.body})


async def delete_volume_snapshot(request: Request) -> Response:
    """DELETE /v2/volumes/snapshots/{snapshot_id}."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(SNAPSHOT, request.path_params["snapshot_id"]))
        if row.body["resource_type"] != "volume":
            require(None)
        delete_snapshot(ctx, row)
    return no_content()


def default_snapshot_name(droplet_name: str, now_ms: int) -> str:
    """DO's default name for a droplet snapshot: ``<droplet>-<epoch ms>``."""
    return f"{droplet_name}-{now_ms}"


def routes() -> list[BaseRoute]:
    """Snapshot routes (global, droplet-scoped and volume-scoped)."""
    return [
        Route("/v2/snapshots", list_snapshots, methods=["GET"]),
        Route("/v2/snapshots/{snapshot_id}", get_snapshot, methods=["GET"]),
        Route("/v2/snapshots/{snapshot_id}", delete_snapshot_route, methods=["DELETE"]),
        Route("/v2/droplets/{droplet_id:int}/snapshots", list_droplet_snapshots,
              methods=["GET"]),
        Route("/v2/droplets/{droplet_id:int}/backups", list_droplet_backups, methods=["GET"]),
        Route("/v2/volumes/snapshots/{snapshot_id}", get_volume_snapshot, methods=["GET"]),
        Route("/v2/volumes/snapshots/{snapshot_id}", delete_volume_snapshot,
              methods=["DELETE"]),
        Route("/v2/volumes/{volume_id}/snapshots", list_volume_snapshots, methods=["GET"]),
        Route("/v2/volumes/{volume_id}/snapshots", create_volume_snapshot, methods=["POST"]),
    ]

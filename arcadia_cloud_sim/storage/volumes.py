"""Block storage volumes: list/get/create/delete (by id or name) and volume actions.

A volume's ``parent`` in the store is the droplet it is attached to. Deleting an attached volume
is refused with 409 (detach it first, as in DO). Volume actions (attach/detach/resize) answer
202 and complete after ``action_lag``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, get_endpoint, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import ApiError, bad_request, not_found
from arcadia_cloud_sim.api.kinds import DROPLET, SNAPSHOT, VOLUME, new_uuid
from arcadia_cloud_sim.api.urns import assign_urn, urn
from arcadia_cloud_sim.catalog import region_json, resolve_region
from arcadia_cloud_sim.compute.actions import (
    action_scope,
    on_effect,
    post_action_endpoint,
    render_action,
    resource_action_routes,
    start_action,
)
from arcadia_cloud_sim.compute.droplets import droplet_named_in
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import ResourceRow, iso

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
MAX_GIB = 16 * 1024


def new_volume_body(
    *, volume_id: str, name: str, region: str, size_gigabytes: int, created_at: float,
    description: str = "", droplet_id: int | None = None, tags: Sequence[str] = (),
    filesystem_type: str = "", filesystem_label: str = "",
) -> dict[str, Any]:
    """The stored body of a volume (region as a slug)."""
    return {
        "id": volume_id,
        "name": name,
        "description": description,
        "size_gigabytes": size_gigabytes,
        "created_at": iso(created_at),
        "region": region,
        "droplet_ids": [droplet_id] if droplet_id is not None else [],
        "tags": list(tags),
        "filesystem_type": filesystem_type,
        "filesystem_label": filesystem_label,
    }


def render_volume(body: dict[str, Any]) -> dict[str, Any]:
    """DO's volume object."""
    return dict(body, region=region_json(body["region"]))


def _render(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    return [render_volume(r.body) for r in rows]


def _filters(request: Request, ctx: SimContext) -> dict[str, Any]:
    """``name`` and ``region`` of ``GET /v2/volumes``."""
    region = request.query_params.get("region")
    return {"name": request.query_params.get("name"),
            "json_eq": {"region": region} if region else None}


def _validated(payload: dict[str, Any]) -> dict[str, Any]:
    name = payload.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise bad_request("name must be lowercase letters, digits and '-', start with a letter, "
                          "at most 64 characters")
    size = payload.get("size_gigabytes")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_GIB:
        raise bad_request(f"size_gigabytes must be an integer between 1 and {MAX_GIB}")
    region = payload.get("region")
    region = resolve_region(region) if isinstance(region, str) else None
    if region is None:
        raise bad_request("region is required and must be a valid region slug")
    fs_type = payload.get("filesystem_type", "") or ""
    fs_label = payload.get("filesystem_label", "") or ""
    if fs_type not in ("", "ext4", "xfs"):
        raise bad_request("filesystem_type must be ext4 or xfs")
    if fs_label and not fs_type:
        raise bad_request("filesystem_label requires filesystem_type")
    if fs_label and len(fs_label) > (16 if fs_type == "ext4" else 12):
        raise bad_request("filesystem_label is too long")
    tags = payload.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise bad_request("tags must be a list of strings")
    description = payload.get("description", "") or ""
    if not isinstance(description, str):
        raise bad_request("description must be a string")
    return {"name": name, "size_gigabytes": size, "region": region, "description": description,
            "filesystem_type": fs_type, "filesystem_label": fs_label, "tags": tags,
            "snapshot_id": payload.get("snapshot_id")}


async def create_volume(request: Request) -> Response:
    """POST /v2/volumes → 201."""
    ctx = sim_context(request)
    spec = _validated(await read_json(request))
    with ctx.store.transaction():
        if spec["snapshot_id"] is not None:
            snap = ctx.store.get_row(SNAPSHOT, str(spec["snapshot_id"]))
            if snap is None or snap.body["resource_type"] != "volume":
                raise not_found()
            if spec["size_gigabytes"] < snap.body["min_disk_size"]:
                raise bad_request("size_gigabytes is smaller than the snapshot")
        taken, _ = ctx.store.list_rows(VOLUME, name=spec["name"],
                                       json_eq={"region": spec["region"]}, limit=1)
        if taken:
            raise ApiError(409, "conflict",
                           f"a volume named {spec['name']} already exists in {spec['region']}")
        now = ctx.clock.now()
        body = new_volume_body(
            volume_id=new_uuid(), name=spec["name"], region=spec["region"],
            size_gigabytes=spec["size_gigabytes"], created_at=now,
            description=spec["description"], tags=spec["tags"],
            filesystem_type=spec["filesystem_type"], filesystem_label=spec["filesystem_label"],
        )
        ctx.store.insert(VOLUME, body["id"], body, created_at=now, name=body["name"])
        assign_urn(ctx, urn("volume", body["id"]))
    return json_response({"volume": render_volume(body)}, 201)


def _delete(ctx: SimContext, row: ResourceRow) -> None:
    if row.parent is not None:
        raise ApiError(409, "conflict", "A volume that's attached to a Droplet cannot be "
                       "deleted. Please detach it first.")
    forget(ctx, VOLUME, row)


async def delete_volume(request: Request) -> Response:
    """DELETE /v2/volumes/{volume_id} → 204."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        _delete(ctx, require(ctx.store.get_row(VOLUME, request.path_params["volume_id"])))
    return no_content()


async def delete_by_name(request: Request) -> Response:
    """DELETE /v2/volumes?name=X&region=Y → 204."""
    ctx = sim_context(request)
    name, region = request.query_params.get("name"), request.query_params.get("region")
    if not name or not region:
        raise bad_request("name and region are required")
    with ctx.store.transaction():
        rows, _ = ctx.store.list_rows(VOLUME, name=name, json_eq={"region": region}, limit=1)
        _delete(ctx, require(rows[0] if rows else None))
    return no_content()


# -- actions ----------------------------------------------------------------------------------
def _start(ctx: SimContext, row: ResourceRow, payload: dict[str, Any]) -> dict[str, Any]:
    kind = payload.get("type")
    scope = action_scope("volume", row.id)
    args: dict[str, Any] = {"volume_id": row.id}
    if kind in ("attach", "detach"):
        droplet = droplet_named_in(ctx, payload)
        droplet_id = droplet.body["id"]
        if kind == "attach":
            if row.parent is not None:
                raise ApiError(422, "unprocessable_entity",
                               "the volume is already attached to a droplet")
            if droplet.body["region"] != row.body["region"]:
                raise ApiError(422, "unprocessable_entity",
                               "the volume and the droplet are in different regions")
        elif row.parent != str(droplet_id):
            raise ApiError(422, "unprocessable_entity",
                           "the volume is not attached to this droplet")
        args["droplet_id"] = droplet_id
        action_type = f"{kind}_volume"
    elif kind == "resize":
        size = payload.get("size_gigabytes")
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_GIB:
            raise bad_request(f"size_gigabytes must be an integer between 1 and {MAX_GIB}")
        if size < row.body["size_gigabytes"]:
            raise ApiError(422, "unprocessable_entity", "volumes cannot shrink")
        args["size_gigabytes"] = size
        action_type = "resize"
    else:
        raise bad_request("type must be attach, detach or resize")
    return start_action(
        ctx, type=action_type, resource_type="volume", resource_id=row.id,
        region=row.body["region"], delay=ctx.settings.action_lag, effect=f"volume.{kind}",
        effect_args=args, scope=scope,
    )


@on_effect("volume.attach")
def _attach(ctx: SimContext, action: dict[str, Any], args: dict[str, Any], due: float) -> bool:
    row = ctx.store.get_row(VOLUME, args["volume_id"])
    if row is None or ctx.store.get_row(DROPLET, str(args["droplet_id"])) is None:
        return False
    return ctx.store.update(VOLUME, row.id, dict(row.body, droplet_ids=[args["droplet_id"]]),
                            parent=str(args["droplet_id"]))


@on_effect("volume.detach")
def _detach(ctx: SimContext, action: dict[str, Any], args: dict[str, Any], due: float) -> bool:
    row = ctx.store.get_row(VOLUME, args["volume_id"])
    if row is None:
        return False
    return ctx.store.update(VOLUME, row.id, dict(row.body, droplet_ids=[]), parent=None,
                            keep_parent=False)


@on_effect("volume.resize")
def _resize(ctx: SimContext, action: dict[str, Any], args: dict[str, Any], due: float) -> bool:
    row = ctx.store.get_row(VOLUME, args["volume_id"])
    if row is None:
        return False
    return ctx.store.update(VOLUME, row.id,
                            dict(row.body, size_gigabytes=args["size_gigabytes"]))


async def post_action_by_name(request: Request) -> Response:
    """POST /v2/volumes/actions (``volume_name`` + ``region``) → 202."""
    ctx = sim_context(request)
    payload = await read_json(request)
    name = payload.get("volume_name") or request.query_params.get("volume_name")
    region = payload.get("region") or request.query_params.get("region")
    if not name:
        raise bad_request("volume_name is required")
    with ctx.store.transaction():
        json_eq = {"region": region} if region else None
        rows, _ = ctx.store.list_rows(VOLUME, name=name, json_eq=json_eq, limit=1)
        action = _start(ctx, require(rows[0] if rows else None), payload)
    return json_response({"action": render_action(action)}, 202)


def routes() -> list[BaseRoute]:
    """Volume routes (volume snapshot routes live in :mod:`.snapshots`)."""
    return [
        Route("/v2/volumes", list_endpoint(VOLUME, "volumes", render=_render,
                                           filters=_filters), methods=["GET"]),
        Route("/v2/volumes", create_volume, methods=["POST"]),
        Route("/v2/volumes", delete_by_name, methods=["DELETE"]),
        Route("/v2/volumes/actions", post_action_by_name, methods=["POST"]),
        Route("/v2/volumes/{volume_id}",
              get_endpoint(VOLUME, "volume", "volume_id", render=_render), methods=["GET"]),
        Route("/v2/volumes/{volume_id}", delete_volume, methods=["DELETE"]),
        Route("/v2/volumes/{volume_id}/actions",
              post_action_endpoint(VOLUME, "volume_id", _start, status=202), methods=["POST"]),
        *resource_action_routes("/v2/volumes/{volume_id}", kind=VOLUME, param="volume_id",
                                scope=lambda i: action_scope(VOLUME, i)),
    ]

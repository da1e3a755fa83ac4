"""Admin endpoints under ``/_sim/`` (admin bearer token; ``/_sim/health`` is open).

- ``GET /_sim/health`` → ``{"status": "ok", "scenario", "seed"}``
- ``GET /_sim/config``; ``POST /_sim/config {field: value}`` changes live settings
  (latency, lags, faults, rate budget); changing a fault field restarts the fault stream
- ``GET /_sim/stats``; ``POST /_sim/stats/reset`` (also resets the rate-limit windows)
- ``POST /_sim/reset {"scenario"?, "seed"?}`` wipes the state file and seeds again
- behind-our-back mutations: ``POST /_sim/droplets/{id}/resize {"size"}``,
  ``POST /_sim/droplets/{id}/status {"status"}``, ``GET|PUT|DELETE /_sim/resources/{kind}/{id}``
  (PUT body ``{"body", "parent"?, "name"?, "project_id"?}`` creates or replaces a stored
  resource), ``POST /_sim/resources/{kind}/{id}/restore`` (un-delete), ``GET
  /_sim/resources/{kind}`` (raw rows, ``?name=`` filter).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, require
from arcadia_cloud_sim.api.envelopes import JSONResponse, json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import bad_request
from arcadia_cloud_sim.api.kinds import DROPLET
from arcadia_cloud_sim.api.urns import assign_urn, urn_for
from arcadia_cloud_sim.catalog import SIZES
from arcadia_cloud_sim.compute import droplets
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.scenarios import reseed
from arcadia_cloud_sim.settings import apply_live_changes
from arcadia_cloud_sim.store import ResourceRow

DROPLET_STATUSES = frozenset({"new", "active", "off", "archive"})
_FAULT_FIELDS = frozenset({"fault_rate", "fault_kinds", "fault_paths"})


def _row_json(row: ResourceRow) -> dict[str, Any]:
    return {
        "kind": row.kind, "id": row.id, "parent": row.parent, "name": row.name,
        "body": row.body, "created_at": row.created_at, "deleted_at": row.deleted_at,
        "visible_at": row.visible_at,
    }


async def health(request: Request) -> Response:
    """GET /_sim/health."""
    ctx = sim_context(request)
    return JSONResponse({
        "status": "ok",
        "scenario": ctx.store.meta_get("scenario"),
        "seed": ctx.store.meta_get("seed"),
    })


async def get_config(request: Request) -> Response:
    """GET /_sim/config."""
    return JSONResponse(sim_context(request).settings.to_json())


async def post_config(request: Request) -> Response:
    """POST /_sim/config: change live settings."""
    ctx = sim_context(request)
    changes = await read_json(request)
    try:
        ctx.settings = apply_live_changes(ctx.settings, changes)
    except (TypeError, ValueError) as exc:
        raise bad_request(str(exc)) from exc
    if _FAULT_FIELDS & set(changes):
        assert ctx.faults is not None
        ctx.faults.reseed()
    return JSONResponse(ctx.settings.to_json())


async def get_stats(request: Request) -> Response:
    """GET /_sim/stats."""
    return JSONResponse(sim_context(request).stats.snapshot())


async def reset_stats(request: Request) -> Response:
    """POST /_sim/stats/reset: zero counters and rate-limit windows."""
    ctx = sim_context(request)
    ctx.stats.reset()
    ctx.rate_limiter.reset()
    return no_content()


async def reset(request: Request) -> Response:
    """POST /_sim/reset: wipe the state and seed a scenario again."""
    ctx = sim_context(request)
    payload = await read_json(request, required=False)
    scenario = payload.get("scenario", ctx.store.meta_get("scenario") or ctx.settings.scenario)
    seed = int(payload.get("seed", ctx.store.meta_get("seed") or ctx.settings.seed))
    try:
        reseed(ctx, scenario=scenario, seed=seed)
    except ValueError as exc:
        raise bad_request(str(exc)) from exc
    ctx.stats.reset()
    ctx.rate_limiter.reset()
    assert ctx.faults is not None
    ctx.faults.reseed(seed)
    return JSONResponse({"status": "ok", "scenario": scenario, "seed": seed})


async def resize_droplet(request: Request) -> Response:
    """POST /_sim/droplets/{id}/resize {"size": slug}: resize at once, whatever the state."""
    ctx = sim_context(request)
    payload = await read_json(request)
    size = payload.get("size")
    if size not in SIZES:
        raise bad_request(f"unknown size {size!r}")
    with ctx.store.transaction():
        row = require(ctx.store.get_row(DROPLET, str(request.path_params["droplet_id"])))
        droplets.apply_resize(ctx, row.body, size, disk=bool(payload.get("disk", True)))
        body = require(ctx.store.get_row(DROPLET, row.id)).body
        return json_response({"droplet": droplets.render_droplet(ctx, body)})


async def set_droplet_status(request: Request) -> Response:
    """POST /_sim/droplets/{id}/status {"status": "off"}."""
    ctx = sim_context(request)
    payload = await read_json(request)
    status = payload.get("status")
    if status not in DROPLET_STATUSES:
        raise bad_request(f"status must be one of {sorted(DROPLET_STATUSES)}")
    with ctx.store.transaction():
        row = require(ctx.store.get_row(DROPLET, str(request.path_params["droplet_id"])))
        body = dict(row.body, status=status)
        if status == "active" and not body["networks"]["v4"]:
            droplets.activate(ctx, row.id)
            body = require(ctx.store.get_row(DROPLET, row.id)).body
        else:
            ctx.store.update(DROPLET, row.id, body)
        return json_response({"droplet": droplets.render_droplet(ctx, body)})


async def list_resources(request: Request) -> Response:
    """GET /_sim/resources/{kind}: raw stored rows."""
    ctx = sim_context(request)
    rows, total = ctx.store.list_rows(request.path_params["kind"],
                                      name=request.query_params.get("name"))
    return JSONResponse({"resources": [_row_json(r) for r in rows], "total": total})


async def get_resource(request: Request) -> Response:
    """GET /_sim/resources/{kind}/{id}: one raw row (deleted ones too)."""
    ctx = sim_context(request)
    row = require(ctx.store.get_row(request.path_params["kind"], request.path_params["id"],
                                    include_deleted=True))
    return JSONResponse(_row_json(row))


async def delete_resource(request: Request) -> Response:
    """DELETE /_sim/resources/{kind}/{id}: delete behind the client's back."""
    ctx = sim_context(request)
    kind, ident = request.path_params["kind"], request.path_params["id"]
    with ctx.store.transaction():
        row = require(ctx.store.get_row(kind, ident))
        if kind == DROPLET:
            droplets.delete_droplet(ctx, row)
        else:
            forget(ctx, kind, row)
    return no_content()


async def put_resource(request: Request) -> Response:
    """PUT /_sim/resources/{kind}/{id}: create or replace a stored resource."""
    ctx = sim_context(request)
    kind, ident = request.path_params["kind"], request.path_params["id"]
    payload = await read_json(request)
    body = payload.get("body")
    if not isinstance(body, dict):
        raise bad_request("body must be an object")
    with ctx.store.transaction():
        now = ctx.clock.now()
        ctx.store.insert(kind, ident, body, created_at=now, parent=payload.get("parent"),
                         name=payload.get("name"))
        row = require(ctx.store.get_row(kind, ident))
        resource_urn = urn_for(kind, row)
        if resource_urn:
            assign_urn(ctx, resource_urn, payload.get("project_id"))
    return JSONResponse(_row_json(row))


async def restore_resource(request: Request) -> Response:
    """POST /_sim/resources/{kind}/{id}/restore: bring a deleted resource back."""
    ctx = sim_context(request)
    kind, ident = request.path_params["kind"], request.path_params["id"]
    payload = await read_json(request, required=False)
    with ctx.store.transaction():
        if not ctx.store.undelete(kind, ident):
            require(None)
        row = require(ctx.store.get_row(kind, ident))
        resource_urn = urn_for(kind, row)
        if resource_urn:
            assign_urn(ctx, resource_urn, payload.get("project_id"))
    return JSONResponse(_row_json(row))


def routes() -> list[BaseRoute]:
    """Admin routes."""
    return [
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/config", get_config, methods=["GET"]),
        Route("/_sim/config", post_config, methods=["POST"]),
        Route("/_sim/stats", get_stats, methods=["GET"]),
        Route("/_sim/stats/reset", reset_stats, methods=["POST"]),
        Route("/_sim/reset", reset, methods=["POST"]),
        Route("/_sim/droplets/{droplet_id:int}/resize", resize_droplet, methods=["POST"]),
        Route("/_sim/droplets/{droplet_id:int}/status", set_droplet_status, methods=["POST"]),
        Route("/_sim/resources/{kind}", list_resources, methods=["GET"]),
        Route("/_sim/resources/{kind}/{id}", get_resource, methods=["GET"]),
        Route("/_sim/resources/{kind}/{id}", put_resource, methods=["PUT"]),
        Route("/_sim/resources/{kind}/{id}", delete_resource, methods=["DELETE"]),
        Route("/_sim/resources/{kind}/{id}/restore", restore_resource, methods=["POST"]),
    ]

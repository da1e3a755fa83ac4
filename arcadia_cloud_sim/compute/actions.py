"""Actions: records of async work (``in-progress`` → ``completed``/``errored``) and their routes.

A handler starts an action with :func:`start_action`, naming an *effect* (registered with
:func:`on_effect`) that is applied when the action completes after its lag. The effect returns
False to mark the action ``errored`` (e.g. its droplet vanished meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import (
    Endpoint,
    get_endpoint,
    list_endpoint,
    parent_id,
    require,
)
from arcadia_cloud_sim.api.envelopes import json_response, read_json
from arcadia_cloud_sim.api.kinds import ACTION, ACTION_IDS, next_id
from arcadia_cloud_sim.catalog import region_json
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.lifecycle import on_event, schedule
from arcadia_cloud_sim.store import ResourceRow, iso

Effect = Callable[[SimContext, dict[str, Any], dict[str, Any], float], bool]
_EFFECTS: dict[str, Effect] = {}


def on_effect(name: str) -> Callable[[Effect], Effect]:
    """Register what happens when an action with effect ``name`` completes."""

    def register(fn: Effect) -> Effect:
        _EFFECTS[name] = fn
        return fn

    return register


def action_scope(resource_type: str, resource_id: object) -> str:
    """The ``parent`` key under which a resource's actions are stored."""
    return f"{resource_type}:{resource_id}"


def action_body(
    *, action_id: int, type: str, resource_type: str, resource_id: object, region: str | None,
    started_at: float, completed_at: float | None = None,
) -> dict[str, Any]:
    """The stored body of an action: ``in-progress``, or ``completed`` at ``completed_at``."""
    return {
        "id": action_id,
        "status": "in-progress" if completed_at is None else "completed",
        "type": type,
        "started_at": iso(started_at),
        "completed_at": None if completed_at is None else iso(completed_at),
        "resource_id": resource_id if isinstance(resource_id, int) else None,
        "resource_type": resource_type,
        "region_slug": region,
    }


def start_action(
    ctx: SimContext,
    *,
    type: str,
    resource_type: str,
    resource_id: object,
    region: str | None,
    delay: float,
    effect: str | None = None,
    effect_args: dict[str, Any] | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    """Record an ``in-progress`` action and schedule its completion; returns its body.

    ``scope`` groups the actions of one resource (default ``<resource_type>:<resource_id>``).
    """
    action_id = next_id(ctx, ACTION_IDS)
    now = ctx.clock.now()
    body = action_body(action_id=action_id, type=type, resource_type=resource_type,
                       resource_id=resource_id, region=region, started_at=now)
    ctx.store.insert(ACTION, str(action_id), body, created_at=now,
                     parent=scope or action_scope(resource_type, resource_id))
    schedule(ctx, delay=delay, event_type="action_complete",
             payload={"action_id": action_id, "effect": effect, "args": effect_args or {}})
    return body


def in_progress_actions(ctx: SimContext, scope: str) -> int:
    """How many actions in ``scope`` (one resource) are still running."""
    _, total = ctx.store.list_rows(
        ACTION, parent=scope, json_eq={"status": "in-progress"}, limit=0
    )
    return total


@on_event("action_complete")
def _complete(ctx: SimContext, payload: dict[str, Any], due_at: float) -> None:
    row = ctx.store.get_row(ACTION, str(payload["action_id"]))
    if row is None or row.body["status"] != "in-progress":
        return
    ok = True
    effect = payload.get("effect")
    if effect:
        ok = _EFFECTS[effect](ctx, row.body, payload.get("args") or {}, due_at)
    body = dict(row.body, status="completed" if ok else "errored", completed_at=iso(due_at))
    ctx.store.update(ACTION, row.id, body)


def render_action(body: dict[str, Any]) -> dict[str, Any]:
    """DO's action object."""
    out = dict(body)
    slug = body.get("region_slug")
    out["region"] = region_json(slug) if slug else None
    if out["region"] is None:
        out.pop("region")
    return out


def render_actions(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    """Action objects for a page of rows."""
    return [render_action(r.body) for r in rows]


def action_link(request: Request, action_id: int, rel: str) -> dict[str, Any]:
    """``{id, rel, href}`` pointing at ``/v2/actions/{id}`` on this server."""
    base = str(request.base_url).rstrip("/")
    return {"id": action_id, "rel": rel, "href": f"{base}/v2/actions/{action_id}"}


#: Validates and starts one action on a resource (its row, the request body); returns the action.
Start = Callable[[SimContext, ResourceRow, dict[str, Any]], dict[str, Any]]


def post_action_endpoint(kind: str, param: str, start: Start, *, status: int) -> Endpoint:
    """``POST {resource}/actions`` → ``{action}`` with ``status`` (DO: 201, volumes 202)."""

    async def endpoint(request: Request) -> Response:
        ctx = sim_context(request)
        payload = await read_json(request)
        with ctx.store.transaction():
            row = require(ctx.store.get_row(kind, str(request.path_params[param])))
            action = start(ctx, row, payload)
        return json_response({"action": render_action(action)}, status)

    endpoint.__name__ = f"post_{kind}_action"
    return endpoint


def resource_action_routes(
    path: str, *, kind: str, param: str, scope: Callable[[str], str]
) -> list[BaseRoute]:
    """``GET {path}/actions`` and ``GET {path}/actions/{action_id}`` for one resource kind.

    ``path`` names the resource by path parameter ``param``; ``scope(id)`` is where its actions
    are stored (see :func:`start_action`). A missing resource, or another's action, is a 404.
    """

    def scope_of(request: Request) -> str:
        return scope(parent_id(request, kind, param))

    listing = list_endpoint(
        ACTION, "actions", render=render_actions,
        filters=lambda request, ctx: {"parent": scope_of(request)},
    )
    one = get_endpoint(ACTION, "action", "action_id", render=render_actions,
                       accept=lambda request, row: row.parent == scope_of(request))
    return [
        Route(f"{path}/actions", listing, methods=["GET"]),
        Route(f"{path}/actions/{{action_id:int}}", one, methods=["GET"]),
    ]


def routes() -> list[BaseRoute]:
    """Routes for ``/v2/actions``."""
    return [
        Route("/v2/actions", list_endpoint(ACTION, "actions", render=render_actions),
              methods=["GET"]),
        Route("/v2/actions/{action_id:int}",
              get_endpoint(ACTION, "action", "action_id", render=render_actions),
              methods=["GET"]),
    ]

"""Projects and project resources (``/v2/projects``, ``/v2/projects/default``, ``…/resources``).

Membership and the URN kinds a project can hold: :mod:`arcadia_cloud_sim.api.urns`. Assigning
a URN of another kind is a 400 (the spec's request pattern); one of a missing resource is listed
with ``status: not_found``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import ApiError, bad_request
from arcadia_cloud_sim.api.kinds import (
    PROJECT,
    PROJECT_RESOURCE,
    new_uuid,
)
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import URN_KINDS, URN_PATTERN, default_project_id
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import ResourceRow, iso

PURPOSES = frozenset({
    "Just trying out DigitalOcean", "Class project / Educational purposes", "Website or blog",
    "Web Application", "Service or API", "Mobile Application",
    "Machine learning / AI / Data processing", "IoT", "Operational / Developer tooling",
})
ENVIRONMENTS = frozenset({"Development", "Staging", "Production"})
OWNER_UUID = "3c0d9e8f4b5a46d2a1b7e6f5d4c3b2a1908f7e6d"
OWNER_ID = 2_840_113

def purpose_value(purpose: str) -> str:
    """DO stores unknown purposes as ``Other: <value>``."""
    return purpose if purpose in PURPOSES or purpose.startswith("Other: ") else f"Other: {purpose}"


def new_project_body(
    *, project_id: str, name: str, purpose: str, description: str = "",
    environment: str | None = None, is_default: bool = False, created_at: float,
) -> dict[str, Any]:
    """The stored (and rendered) body of a project."""
    return {
        "id": project_id,
        "owner_uuid": OWNER_UUID,
        "owner_id": OWNER_ID,
        "name": name,
        "description": description,
        "purpose": purpose_value(purpose),
        "environment": environment or "Production",
        "is_default": is_default,
        "created_at": iso(created_at),
        "updated_at": iso(created_at),
    }


def _project(ctx: SimContext, request: Request) -> ResourceRow:
    project_id = request.path_params.get("project_id")
    if project_id is None:
        project_id = default_project_id(ctx)
    return require(ctx.store.get_row(PROJECT, project_id) if project_id else None)


def _validate(payload: dict[str, Any], *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    limits = {"name": 175, "description": 255, "purpose": 255}
    for key, limit in limits.items():
        if key in payload:
            value = payload[key]
            if not isinstance(value, str) or len(value) > limit:
                raise bad_request(f"{key} must be a string of at most {limit} characters")
            out[key] = purpose_value(value) if key == "purpose" else value
    if "environment" in payload:
        if payload["environment"] not in ENVIRONMENTS:
            raise bad_request("environment must be Development, Staging or Production")
        out["environment"] = payload["environment"]
    if "is_default" in payload:
        if not isinstance(payload["is_default"], bool):
            raise bad_request("is_default must be a boolean")
        out["is_default"] = payload["is_default"]
    if full:
        missing = [k for k in ("name", "description", "purpose", "environment", "is_default")
                   if k not in payload]
        if missing:
            raise bad_request(f"missing required attributes: {', '.join(missing)}")
    elif not out:
        raise bad_request("at least one attribute is required")
    if "name" in out and not out["name"].strip():
        raise bad_request("name must not be empty")
    return out


def _check_unique_name(ctx: SimContext, name: str, except_id: str | None = None) -> None:
    rows, _ = ctx.store.list_rows(PROJECT, name=name)
    if any(r.id != except_id for r in rows):
        raise ApiError(409, "conflict", f"a project named {name!r} already exists")


def _make_default(ctx: SimContext, project_id: str) -> None:
    for row in ctx.store.list_rows(PROJECT, json_eq={"is_default": True})[0]:
        if row.id != project_id:
            ctx.store.update(PROJECT, row.id, dict(row.body, is_default=False))


async def create_project(request: Request) -> Response:
    """POST /v2/projects → 201."""
    ctx = sim_context(request)
    payload = await read_json(request)
    fields = _validate(payload, full=False)
    if "name" not in fields or "purpose" not in fields:
        raise bad_request("name and purpose are required")
    with ctx.store.transaction():
        _check_unique_name(ctx, fields["name"])
        now = ctx.clock.now()
        body = new_project_body(
            project_id=new_uuid(), name=fields["name"], purpose=fields["purpose"],
            description=fields.get("description", ""), environment=fields.get("environment"),
            created_at=now,
        )
        ctx.store.insert(PROJECT, body["id"], body, created_at=now, name=body["name"])
    return json_response({"project": body}, 201)


async def get_project(request: Request) -> Response:
    """GET /v2/projects/{project_id} and /v2/projects/default."""
    ctx = sim_context(request)
    return json_response({"project": _project(ctx, request).body})


async def update_project(request: Request) -> Response:
    """PUT (all attributes) or PATCH (some) /v2/projects/{project_id|default}."""
    ctx = sim_context(request)
    payload = await read_json(request)
    fields = _validate(payload, full=request.method == "PUT")
    with ctx.store.transaction():
        row = _project(ctx, request)
        if fields.get("is_default") is False and row.body["is_default"]:
            raise bad_request("cannot unset the default project; make another one default")
        if "name" in fields:
            _check_unique_name(ctx, fields["name"], except_id=row.id)
        body = dict(row.body, **fields, updated_at=iso(ctx.clock.now()))
        if fields.get("is_default"):
            _make_default(ctx, row.id)
        ctx.store.update(PROJECT, row.id, body, name=body["name"])
    return json_response({"project": body})


async def delete_project(request: Request) -> Response:
    """DELETE /v2/projects/{project_id} → 204, or 412 if it still has resources."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = _project(ctx, request)
        _, count = ctx.store.list_rows(PROJECT_RESOURCE, parent=row.id, limit=0)
        if count:
            raise ApiError(412, "precondition_failed",
                           "cannot delete a project with resources. "
                           "move or remove the resources first")
        if row.body["is_default"]:
            raise ApiError(412, "precondition_failed", "cannot delete the default project")
        ctx.store.delete(PROJECT, row.id, at=ctx.clock.now())
    return no_content()


def _resource_json(request: Request, row: ResourceRow, status: str) -> dict[str, Any]:
    _, kind, ident = row.id.split(":", 2)
    target = URN_KINDS.get(kind)
    out: dict[str, Any] = {"urn": row.id, "assigned_at": iso(row.created_at)}
    if target is not None:
        base = str(request.base_url).rstrip("/")
        out["links"] = {"self": base + target.path.format(id=ident)}
    out["status"] = status
    return out


def _render_resources(request: Request, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    return [_resource_json(request, r, "ok") for r in rows]


async def list_resources(request: Request) -> Response:
    """GET /v2/projects/{project_id|default}/resources."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        project = _project(ctx, request)
        return paginate(
            request,
            lambda limit, offset: ctx.store.list_rows(
                PROJECT_RESOURCE, parent=project.id, limit=limit, offset=offset
            ),
            "resources",
            render=lambda rows: _render_resources(request, rows),
        )


def _exists(ctx: SimContext, resource_urn: str) -> bool:
    _, kind, ident = resource_urn.split(":", 2)
    store_kind = URN_KINDS[kind].store_kind
    if store_kind is None:
        return True  # a product the simulator does not model
    return bool(ident) and ctx.store.get_row(store_kind, ident) is not None


async def assign_resources(request: Request) -> Response:
    """POST /v2/projects/{project_id|default}/resources → 200 with the project's resources."""
    ctx = sim_context(request)
    payload = await read_json(request)
    urns = payload.get("resources")
    if not isinstance(urns, list) or not all(isinstance(u, str) for u in urns):
        raise bad_request("resources must be a list of URNs")
    invalid = [u for u in urns if not URN_PATTERN.match(u)]
    if invalid:
        raise bad_request(f"resources must match {URN_PATTERN.pattern}: {invalid}")
    statuses: dict[str, str] = {}
    with ctx.store.transaction():
        project = _project(ctx, request)
        now = ctx.clock.now()
        for resource_urn in urns:
            if not _exists(ctx, resource_urn):
                statuses[resource_urn] = "not_found"
                continue
            current = ctx.store.get_row(PROJECT_RESOURCE, resource_urn)
            if current is not None and current.parent == project.id:
                statuses[resource_urn] = "already_assigned"
                continue
            ctx.store.insert(PROJECT_RESOURCE, resource_urn, {}, created_at=now,
                             parent=project.id)
            statuses[resource_urn] = "assigned"
        rows, _ = ctx.store.list_rows(PROJECT_RESOURCE, parent=project.id)
    out = [_resource_json(request, r, statuses.pop(r.id, "ok")) for r in rows]
    out += [
        {"urn": u, "assigned_at": iso(now), "status": s} for u, s in statuses.items()
    ]
    return json_response({"resources": out})


def routes() -> list[BaseRoute]:
    """Project routes."""
    return [
        Route("/v2/projects", list_endpoint(PROJECT, "projects"), methods=["GET"]),
        Route("/v2/projects", create_project, methods=["POST"]),
        Route("/v2/projects/default", get_project, methods=["GET"]),
        Route("/v2/projects/default", update_project, methods=["PUT", "PATCH"]),
        Route("/v2/projects/default/resources", list_resources, methods=["GET"]),
        Route("/v2/projects/default/resources", assign_resources, methods=["POST"]),
        Route("/v2/projects/{project_id}", get_project, methods=["GET"]),
        Route("/v2/projects/{project_id}", update_project, methods=["PUT", "PATCH"]),
        Route("/v2/projects/{project_id}", delete_project, methods=["DELETE"]),
        Route("/v2/projects/{project_id}/resources", list_resources, methods=["GET"]),
        Route("/v2/projects/{project_id}/resources", assign_resources, methods=["POST"]),
    ]

"""Reserved IPs and their old name, floating IPs: one set of objects behind two route families.

``/v2/reserved_ips`` answers with ``reserved_ip(s)`` keys and ``reserved_ip`` action resource
types, ``/v2/floating_ips`` with ``floating_ip(s)`` and ``floating_ip``. Created with a
``droplet_id``, an IP is ``locked`` with ``droplet: null`` until its ``assign_ip`` action
completes (``action_lag``); reserved to a region it is usable at once. Project URNs are
``do:floatingip:<ip>`` either way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import ApiError, bad_request, not_found, unprocessable
from arcadia_cloud_sim.api.kinds import DROPLET, PROJECT, RESERVED_IP, RESERVED_IPS, next_id
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import assign_urn, project_of, unassign_urn, urn
from arcadia_cloud_sim.catalog import region_json, resolve_region
from arcadia_cloud_sim.compute.actions import (
    action_link,
    get_scoped_action,
    in_progress_actions,
    list_scoped_actions,
    on_effect,
    render_action,
    start_action,
)
from arcadia_cloud_sim.compute.droplets import render_droplets
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.networking.addresses import reserved_ipv4
from arcadia_cloud_sim.store import ResourceRow

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Family:
    """Naming of one route family."""

    prefix: str
    singular: str
    plural: str


RESERVED = Family("/v2/reserved_ips", "reserved_ip", "reserved_ips")
FLOATING = Family("/v2/floating_ips", "floating_ip", "floating_ips")


def new_ip_body(*, ip: str, region: str, droplet_id: int | None = None,
                locked: bool = False) -> dict[str, Any]:
    """The stored body of a reserved IP."""
    return {"ip": ip, "region": region, "droplet_id": droplet_id, "locked": locked}


def ip_scope(ip: str) -> str:
    """Action scope of an IP (shared by both families)."""
    return f"ip:{ip}"


def render_ips(ctx: SimContext, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """DO's reserved/floating IP objects (with the full droplet object when assigned)."""
    droplet_ids = [str(b["droplet_id"]) for b in bodies if b["droplet_id"] is not None]
    droplets = {}
    for did in droplet_ids:
        row = ctx.store.get_row(DROPLET, did)
        if row is not None:
            droplets[did] = row.body
    rendered = dict(zip(droplets, render_droplets(ctx, list(droplets.values())), strict=True))
    out = []
    for b in bodies:
        item: dict[str, Any] = {
            "ip": b["ip"],
            "region": region_json(b["region"]),
            "droplet": rendered.get(str(b["droplet_id"])) if b["droplet_id"] else None,
            "locked": b["locked"],
        }
        project_id = project_of(ctx, urn("floatingip", b["ip"]))
        if project_id:
            item["project_id"] = project_id
        out.append(item)
    return out


def _ip_int(ip: str) -> int:
    return int(ipaddress.IPv4Address(ip))


def _list(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction(write=False):
            return paginate(
                request,
                lambda limit, offset: ctx.store.list_rows(RESERVED_IP, limit=limit,
                                                          offset=offset),
                family.plural,
                render=lambda rows: render_ips(ctx, [r.body for r in rows]),
            )

    return handler


def _get(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        row = require(ctx.store.get_row(RESERVED_IP, request.path_params["ip"]))
        return json_response({family.singular: render_ips(ctx, [row.body])[0]})

    return handler


def _create(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        payload = await read_json(request)
        droplet_id = payload.get("droplet_id")
        links: dict[str, Any] = {}
        with ctx.store.transaction():
            if droplet_id is not None:
                if not isinstance(droplet_id, int) or isinstance(droplet_id, bool):
                    raise bad_request("droplet_id must be an integer")
                droplet = ctx.store.get_row(DROPLET, str(droplet_id))
                if droplet is None:
                    raise unprocessable("Droplet not found")
                region = droplet.body["region"]
                project_id = None
            else:
                region_value = payload.get("region")
                region = resolve_region(region_value) if isinstance(region_value, str) else None
                if region is None:
                    raise unprocessable("region or droplet_id is required")
                project_id = payload.get("project_id")
                if project_id is not None and ctx.store.get_row(PROJECT, project_id) is None:
                    raise unprocessable("project not found")
            ip = reserved_ipv4(region, next_id(ctx, RESERVED_IPS))
            body = new_ip_body(ip=ip, region=region, locked=droplet_id is not None)
            ctx.store.insert(RESERVED_IP, ip, body, created_at=ctx.clock.now())
            assign_urn(ctx, urn("floatingip", ip), project_id)
            if droplet_id is not None:
                action = start_action(
                    ctx, type="assign_ip", resource_type=family.singular,
                    resource_id=_ip_int(ip), region=region, delay=ctx.settings.action_lag,
                    effect="ip.assign", effect_args={"ip": ip, "droplet_id": droplet_id},
                    scope=ip_scope(ip),
                )
                base = str(request.base_url).rstrip("/")
                links = {
                    "droplets": [{"id": droplet_id, "rel": "droplet",
                                  "href": f"{base}/v2/droplets/{droplet_id}"}],
                    "actions": [action_link(request, action["id"], "assign_ip")],
                }
            rendered = render_ips(ctx, [body])[0]
        return json_response({family.singular: rendered, "links": links}, 202)

    return handler


def _delete(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction():
            row = require(ctx.store.get_row(RESERVED_IP, request.path_params["ip"]))
            ctx.store.delete(RESERVED_IP, row.id, at=ctx.clock.now())
            unassign_urn(ctx, urn("floatingip", row.id))
        return no_content()

    return handler


@on_effect("ip.assign")
def _assign(ctx: SimContext, action: dict[str, Any], args: dict[str, Any], due: float) -> bool:
    row = ctx.store.get_row(RESERVED_IP, args["ip"])
    if row is None:
        return False
    droplet = ctx.store.get_row(DROPLET, str(args["droplet_id"]))
    body = dict(row.body, locked=False,
                droplet_id=args["droplet_id"] if droplet is not None else None)
    ctx.store.update(RESERVED_IP, row.id, body)
    return droplet is not None


@on_effect("ip.unassign")
def _unassign(ctx: SimContext, action: dict[str, Any], args: dict[str, Any], due: float) -> bool:
    row = ctx.store.get_row(RESERVED_IP, args["ip"])
    if row is None:
        return False
    return ctx.store.update(RESERVED_IP, row.id, dict(row.body, locked=False, droplet_id=None))


def _post_action(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        payload = await read_json(request)
        with ctx.store.transaction():
            row: ResourceRow = require(ctx.store.get_row(RESERVED_IP, request.path_params["ip"]))
            if row.body["locked"] or in_progress_actions(ctx, ip_scope(row.id)):
                raise unprocessable("The IP is locked by a pending event.")
            kind = payload.get("type")
            args: dict[str, Any] = {"ip": row.id}
            if kind == "assign":
                droplet_id = payload.get("droplet_id")
                if not isinstance(droplet_id, int) or isinstance(droplet_id, bool):
                    raise bad_request("droplet_id is required")
                droplet = ctx.store.get_row(DROPLET, str(droplet_id))
                if droplet is None:
                    raise not_found()
                if droplet.body["region"] != row.body["region"]:
                    raise unprocessable("The Droplet is in another region.")
                args["droplet_id"] = droplet_id
            elif kind == "unassign":
                if row.body["droplet_id"] is None:
                    raise unprocessable("The IP is not assigned.")
            else:
                raise bad_request("type must be assign or unassign")
            ctx.store.update(RESERVED_IP, row.id, dict(row.body, locked=True))
            action = start_action(
                ctx, type=f"{kind}_ip", resource_type=family.singular,
                resource_id=_ip_int(row.id), region=row.body["region"],
                delay=ctx.settings.action_lag, effect=f"ip.{kind}", effect_args=args,
                scope=ip_scope(row.id),
            )
        return json_response({"action": render_action(action)}, 201)

    return handler


def _list_actions(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        require(ctx.store.get_row(RESERVED_IP, request.path_params["ip"]))
        return list_scoped_actions(request, ip_scope(request.path_params["ip"]))

    return handler


def _get_action(family: Family) -> Handler:
    async def handler(request: Request) -> Response:
        ctx = sim_context(request)
        ip = request.path_params["ip"]
        if ctx.store.get_row(RESERVED_IP, ip) is None:
            raise ApiError(404, "not_found")
        return get_scoped_action(request, ip_scope(ip), request.path_params["action_id"])

    return handler


def routes() -> list[BaseRoute]:
    """Both route families."""
    out: list[BaseRoute] = []
    for f in (RESERVED, FLOATING):
        out += [
            Route(f.prefix, _list(f), methods=["GET"]),
            Route(f.prefix, _create(f), methods=["POST"]),
            Route(f.prefix + "/{ip}", _get(f), methods=["GET"]),
            Route(f.prefix + "/{ip}", _delete(f), methods=["DELETE"]),
            Route(f.prefix + "/{ip}/actions", _list_actions(f), methods=["GET"]),
            Route(f.prefix + "/{ip}/actions", _post_action(f), methods=["POST"]),
            Route(f.prefix + "/{ip}/actions/{action_id:int}", _get_action(f), methods=["GET"]),
        ]
    return out

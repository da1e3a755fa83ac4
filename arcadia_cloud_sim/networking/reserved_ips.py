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
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, get_endpoint, list_endpoint
from arcadia_cloud_sim.api.envelopes import json_response, read_json
from arcadia_cloud_sim.api.errors import bad_request, unprocessable
from arcadia_cloud_sim.api.kinds import DROPLET, PROJECT, RESERVED_IP, RESERVED_IPS, next_id
from arcadia_cloud_sim.api.urns import assign_urn, project_of, urn
from arcadia_cloud_sim.catalog import region_json, resolve_region
from arcadia_cloud_sim.compute.actions import (
    action_link,
    in_progress_actions,
    on_effect,
    post_action_endpoint,
    resource_action_routes,
    start_action,
)
from arcadia_cloud_sim.compute.droplets import droplet_named_in, render_droplets
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


def _render_rows(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    return render_ips(ctx, [r.body for r in rows])


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


def _start(ctx: SimContext, row: ResourceRow, payload: dict[str, Any], *,
           family: Family) -> dict[str, Any]:
    """Validate and start ``assign``/``unassign`` on one IP; returns the action."""
    if row.body["locked"] or in_progress_actions(ctx, ip_scope(row.id)):
        raise unprocessable("The IP is locked by a pending event.")
    kind = payload.get("type")
    args: dict[str, Any] = {"ip": row.id}
    if kind == "assign":
        droplet = droplet_named_in(ctx, payload)
        if droplet.body["region"] != row.body["region"]:
            raise unprocessable("The Droplet is in another region.")
        args["droplet_id"] = droplet.body["id"]
    elif kind == "unassign":
        if row.body["droplet_id"] is None:
            raise unprocessable("The IP is not assigned.")
    else:
        raise bad_request("type must be assign or unassign")
    ctx.store.update(RESERVED_IP, row.id, dict(row.body, locked=True))
    return start_action(
        ctx, type=f"{kind}_ip", resource_type=family.singular,
        resource_id=_ip_int(row.id), region=row.body["region"],
        delay=ctx.settings.action_lag, effect=f"ip.{kind}", effect_args=args,
        scope=ip_scope(row.id),
    )


def routes() -> list[BaseRoute]:
    """Both route families."""
    out: list[BaseRoute] = []
    for f in (RESERVED, FLOATING):
        out += [
            Route(f.prefix, list_endpoint(RESERVED_IP, f.plural, render=_render_rows),
                  methods=["GET"]),
            Route(f.prefix, _create(f), methods=["POST"]),
            Route(f.prefix + "/{ip}",
                  get_endpoint(RESERVED_IP, f.singular, "ip", render=_render_rows),
                  methods=["GET"]),
            Route(f.prefix + "/{ip}", delete_endpoint(RESERVED_IP, "ip"), methods=["DELETE"]),
            Route(f.prefix + "/{ip}/actions", post_action_endpoint(
                RESERVED_IP, "ip", partial(_start, family=f), status=201), methods=["POST"]),
            *resource_action_routes(f.prefix + "/{ip}", kind=RESERVED_IP, param="ip",
                                    scope=ip_scope),
        ]
    return out

"""Load balancers: list/get/create/update/delete, droplet and forwarding-rule membership.

Create → 202 with ``status: new`` and an empty ``ip``; after ``droplet_active_lag`` the load
balancer is ``active`` with an address. PUT is a full replacement. ``droplet_ids`` and ``tag``
are mutually exclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, get_endpoint, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import ApiError, bad_request, unprocessable
from arcadia_cloud_sim.api.kinds import LOAD_BALANCER, PUBLIC_IPS, new_uuid, next_id
from arcadia_cloud_sim.api.members import add_or_remove
from arcadia_cloud_sim.api.urns import assign_urn, project_of, urn
from arcadia_cloud_sim.catalog import region_json, resolve_region
from arcadia_cloud_sim.compute.droplets import missing_droplets
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.lifecycle import on_event, schedule
from arcadia_cloud_sim.networking.addresses import public_ipv4, vpc_uuid
from arcadia_cloud_sim.store import ResourceRow, iso

ENTRY_PROTOCOLS = frozenset({"http", "https", "http2", "http3", "tcp", "udp"})
TARGET_PROTOCOLS = frozenset({"http", "https", "http2", "tcp", "udp"})
DEFAULT_HEALTH_CHECK = {
    "protocol": "http", "port": 80, "path": "/", "check_interval_seconds": 10,
    "response_timeout_seconds": 5, "healthy_threshold": 3, "unhealthy_threshold": 5,
}


def _rules(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise unprocessable("forwarding_rules must be a non-empty list")
    out = []
    for i, rule in enumerate(value):
        if not isinstance(rule, dict):
            raise unprocessable(f"forwarding_rules[{i}] must be an object")
        if rule.get("entry_protocol") not in ENTRY_PROTOCOLS:
            raise unprocessable(f"forwarding_rules[{i}].entry_protocol is invalid")
        if rule.get("target_protocol") not in TARGET_PROTOCOLS:
            raise unprocessable(f"forwarding_rules[{i}].target_protocol is invalid")
        for port in ("entry_port", "target_port"):
            p = rule.get(port)
            if not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 65535:
                raise unprocessable(f"forwarding_rules[{i}].{port} must be a port number")
        out.append({
            "entry_protocol": rule["entry_protocol"], "entry_port": rule["entry_port"],
            "target_protocol": rule["target_protocol"], "target_port": rule["target_port"],
            "certificate_id": rule.get("certificate_id", "") or "",
            "tls_passthrough": bool(rule.get("tls_passthrough", False)),
        })
    return out


def new_lb_body(
    *, lb_id: str, name: str, region: str, forwarding_rules: list[dict[str, Any]],
    created_at: float, droplet_ids: Sequence[int] = (), tag: str = "",
    algorithm: str = "round_robin", status: str = "new", ip: str = "",
    size_unit: int = 1, extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored body of a load balancer (region as a slug)."""
    body = {
        "id": lb_id, "name": name, "ip": ip, "ipv6": "", "size_unit": size_unit,
        "algorithm": algorithm, "status": status, "created_at": iso(created_at),
        "forwarding_rules": forwarding_rules, "health_check": dict(DEFAULT_HEALTH_CHECK),
        "sticky_sessions": {"type": "none"}, "region": region, "tag": tag,
        "droplet_ids": list(droplet_ids), "redirect_http_to_https": False,
        "enable_proxy_protocol": False, "enable_backend_keepalive": False,
        "http_idle_timeout_seconds": 60, "vpc_uuid": vpc_uuid(region),
        "disable_lets_encrypt_dns_records": False, "firewall": {"allow": [], "deny": []},
        "network": "EXTERNAL", "network_stack": "IPV4", "type": "REGIONAL",
        "tls_cipher_policy": "DEFAULT",
    }
    body.update(extra or {})
    return body


def render_lb(ctx: SimContext, body: dict[str, Any]) -> dict[str, Any]:
    """DO's load balancer object."""
    out = dict(body, region=region_json(body["region"]))
    project_id = project_of(ctx, urn("loadbalancer", body["id"]))
    if project_id:
        out["project_id"] = project_id
    return out


def _validated(ctx: SimContext, payload: dict[str, Any], *, name_default: str) -> dict[str, Any]:
    region_value = payload.get("region")
    region = resolve_region(region_value) if isinstance(region_value, str) else None
    if region is None:
        raise unprocessable("region is required and must be a valid region slug")
    rules = _rules(payload.get("forwarding_rules"))
    droplet_ids = payload.get("droplet_ids")
    tag = payload.get("tag")
    if droplet_ids is not None and tag:
        raise unprocessable("droplet_ids and tag are mutually exclusive")
    droplet_ids = droplet_ids or []
    if not isinstance(droplet_ids, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) for d in droplet_ids
    ):
        raise unprocessable("droplet_ids must be a list of integers")
    missing = missing_droplets(ctx, droplet_ids)
    if missing:
        raise unprocessable(f"droplets not found: {missing}")
    name = payload.get("name") or name_default
    if not isinstance(name, str):
        raise unprocessable("name must be a string")
    size_unit = payload.get("size_unit", 1)
    if not isinstance(size_unit, int) or not 1 <= size_unit <= 100:
        raise unprocessable("size_unit must be between 1 and 100")
    extra = {k: payload[k] for k in (
        "health_check", "sticky_sessions", "redirect_http_to_https", "enable_proxy_protocol",
        "enable_backend_keepalive", "http_idle_timeout_seconds", "firewall",
        "disable_lets_encrypt_dns_records", "algorithm",
    ) if k in payload}
    return {"name": name, "region": region, "forwarding_rules": rules,
            "droplet_ids": droplet_ids, "tag": tag or "", "size_unit": size_unit,
            "extra": extra}


@on_event("lb_activate")
def _activate(ctx: SimContext, payload: dict[str, Any], due_at: float) -> None:
    row = ctx.store.get_row(LOAD_BALANCER, payload["lb_id"])
    if row is not None and row.body["status"] == "new":
        ip = public_ipv4(row.body["region"], next_id(ctx, PUBLIC_IPS))
        ctx.store.update(LOAD_BALANCER, row.id, dict(row.body, status="active", ip=ip))


def _render_rows(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    return [render_lb(ctx, r.body) for r in rows]


async def create_lb(request: Request) -> Response:
    """POST /v2/load_balancers → 202 (``new``)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    with ctx.store.transaction():
        spec = _validated(ctx, payload, name_default=f"lb-{int(ctx.clock.now())}")
        project_id = payload.get("project_id")
        now = ctx.clock.now()
        body = new_lb_body(lb_id=new_uuid(), created_at=now, **spec)
        ctx.store.insert(LOAD_BALANCER, body["id"], body, created_at=now, name=body["name"])
        assign_urn(ctx, urn("loadbalancer", body["id"]), project_id)
        schedule(ctx, delay=ctx.settings.droplet_active_lag, event_type="lb_activate",
                 payload={"lb_id": body["id"]})
        rendered = render_lb(ctx, body)
    return json_response({"load_balancer": rendered}, 202)


async def update_lb(request: Request) -> Response:
    """PUT /v2/load_balancers/{lb_id} → 200 (full replacement)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(LOAD_BALANCER, request.path_params["lb_id"]))
        spec = _validated(ctx, payload, name_default=row.body["name"])
        if spec["region"] != row.body["region"]:
            raise unprocessable("a load balancer cannot move to another region")
        body = new_lb_body(
            lb_id=row.id, created_at=0, status=row.body["status"], ip=row.body["ip"], **spec
        )
        body["created_at"] = row.body["created_at"]
        ctx.store.update(LOAD_BALANCER, row.id, body, name=body["name"])
        rendered = render_lb(ctx, body)
    return json_response({"load_balancer": rendered})


async def change_membership(request: Request) -> Response:
    """POST/DELETE /v2/load_balancers/{lb_id}/droplets|forwarding_rules → 204."""
    ctx = sim_context(request)
    payload = await read_json(request)
    adding = request.method == "POST"
    what = request.url.path.rsplit("/", 1)[-1]
    with ctx.store.transaction():
        row = require(ctx.store.get_row(LOAD_BALANCER, request.path_params["lb_id"]))
        body = dict(row.body)
        if what == "droplets":
            ids = payload.get("droplet_ids")
            if not isinstance(ids, list) or not ids or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                raise bad_request("droplet_ids must be a non-empty list of integers")
            if body["tag"]:
                raise ApiError(422, "unprocessable_entity",
                               "this load balancer selects droplets by tag")
            missing = missing_droplets(ctx, ids) if adding else []
            if missing:
                raise unprocessable(f"droplets not found: {missing}")
            body["droplet_ids"] = add_or_remove(body["droplet_ids"], ids, adding=adding)
        else:
            rules = _rules(payload.get("forwarding_rules"))
            body["forwarding_rules"] = add_or_remove(body["forwarding_rules"], rules,
                                                     adding=adding)
        ctx.store.update(LOAD_BALANCER, row.id, body)
    return no_content()


def routes() -> list[BaseRoute]:
    """Load balancer routes."""
    member = ["POST", "DELETE"]
    return [
        Route("/v2/load_balancers",
              list_endpoint(LOAD_BALANCER, "load_balancers", render=_render_rows),
              methods=["GET"]),
        Route("/v2/load_balancers", create_lb, methods=["POST"]),
        Route("/v2/load_balancers/{lb_id}",
              get_endpoint(LOAD_BALANCER, "load_balancer", "lb_id", render=_render_rows),
              methods=["GET"]),
        Route("/v2/load_balancers/{lb_id}", update_lb, methods=["PUT"]),
        Route("/v2/load_balancers/{lb_id}", delete_endpoint(LOAD_BALANCER, "lb_id"),
              methods=["DELETE"]),
        Route("/v2/load_balancers/{lb_id}/droplets", change_membership, methods=member),
        Route("/v2/load_balancers/{lb_id}/forwarding_rules", change_membership,
              methods=member),
    ]

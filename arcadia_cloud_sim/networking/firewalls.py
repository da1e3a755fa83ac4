"""Cloud firewalls: list/get/create/update/delete plus droplet, tag and rule membership.

Create and update leave the firewall ``waiting`` with ``pending_changes`` for its droplets;
it turns ``succeeded`` after ``action_lag``. PUT is a full replacement (omitted attributes go
back to their defaults). Invalid bodies are 400 ``bad_request`` as the spec declares.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, get_endpoint, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import bad_request
from arcadia_cloud_sim.api.kinds import FIREWALL, new_uuid
from arcadia_cloud_sim.api.members import add_or_remove
from arcadia_cloud_sim.compute.droplets import missing_droplets
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.lifecycle import on_event, schedule
from arcadia_cloud_sim.store import iso

NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\.-]+$")
PORTS_RE = re.compile(r"^(0|all|\d{1,5}(-\d{1,5})?)$")
TARGET_KEYS = ("addresses", "droplet_ids", "load_balancer_uids", "kubernetes_ids", "tags")


def _targets(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise bad_request(f"{where} must be an object")
    unknown = set(value) - set(TARGET_KEYS)
    if unknown:
        raise bad_request(f"{where}: unknown keys {sorted(unknown)}")
    for key, items in value.items():
        if not isinstance(items, list):
            raise bad_request(f"{where}.{key} must be a list")
        expected = int if key == "droplet_ids" else str
        if not all(isinstance(i, expected) and not isinstance(i, bool) for i in items):
            raise bad_request(f"{where}.{key} has an invalid entry")
    return value


def _rules(value: Any, *, direction: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"{direction}_rules must be a list")
    key = "sources" if direction == "inbound" else "destinations"
    out = []
    for i, rule in enumerate(value):
        where = f"{direction}_rules[{i}]"
        if not isinstance(rule, dict):
            raise bad_request(f"{where} must be an object")
        protocol = rule.get("protocol")
        if protocol not in ("tcp", "udp", "icmp"):
            raise bad_request(f"{where}.protocol must be tcp, udp or icmp")
        ports = rule.get("ports", "0" if protocol == "icmp" else None)
        if protocol == "icmp":
            ports = "0"
        if not isinstance(ports, str) or not PORTS_RE.match(ports):
            raise bad_request(f"{where}.ports must be like \"80\", \"8000-9000\" or \"0\"")
        out.append({"protocol": protocol, "ports": ports,
                    key: _targets(rule.get(key), f"{where}.{key}")})
    return out


def _int_list(payload: dict[str, Any], key: str) -> list[int]:
    value = payload.get(key) or []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise bad_request(f"{key} must be a list of integers")
    return value


def _str_list(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{key} must be a list of strings")
    return value


def _check_droplets(ctx: SimContext, droplet_ids: list[int]) -> None:
    missing = missing_droplets(ctx, droplet_ids)
    if missing:
        raise bad_request(f"droplets not found: {missing}")


def _validated(ctx: SimContext, payload: dict[str, Any]) -> dict[str, Any]:
    name = payload.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name) or len(name) > 255:
        raise bad_request("name must start with a letter or digit and contain only letters, "
                          "digits, '.' and '-'")
    inbound = _rules(payload.get("inbound_rules"), direction="inbound")
    outbound = _rules(payload.get("outbound_rules"), direction="outbound")
    if not inbound and not outbound:
        raise bad_request("at least one inbound or outbound rule is required")
    droplet_ids = _int_list(payload, "droplet_ids")
    _check_droplets(ctx, droplet_ids)
    return {"name": name, "inbound_rules": inbound, "outbound_rules": outbound,
            "droplet_ids": droplet_ids, "tags": _str_list(payload, "tags")}


def new_firewall_body(
    *, firewall_id: str, name: str, inbound_rules: list[dict[str, Any]],
    outbound_rules: list[dict[str, Any]], droplet_ids: list[int], tags: list[str],
    created_at: float, status: str = "succeeded",
) -> dict[str, Any]:
    """The stored (and rendered) body of a firewall."""
    pending = [] if status == "succeeded" else [
        {"droplet_id": d, "removing": False, "status": "waiting"} for d in droplet_ids
    ]
    return {
        "id": firewall_id, "name": name, "status": status, "created_at": iso(created_at),
        "pending_changes": pending, "inbound_rules": inbound_rules,
        "outbound_rules": outbound_rules, "droplet_ids": droplet_ids, "tags": tags,
    }


def _mark_waiting(ctx: SimContext, body: dict[str, Any]) -> dict[str, Any]:
    body = dict(body, status="waiting", pending_changes=[
        {"droplet_id": d, "removing": False, "status": "waiting"} for d in body["droplet_ids"]
    ])
    schedule(ctx, delay=ctx.settings.action_lag, event_type="firewall_settle",
             payload={"firewall_id": body["id"]})
    return body


@on_event("firewall_settle")
def _settle(ctx: SimContext, payload: dict[str, Any], due_at: float) -> None:
    row = ctx.store.get_row(FIREWALL, payload["firewall_id"])
    if row is not None:
        ctx.store.update(FIREWALL, row.id, dict(row.body, status="succeeded",
                                                pending_changes=[]))


async def create_firewall(request: Request) -> Response:
    """POST /v2/firewalls → 202 (``waiting``)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    with ctx.store.transaction():
        spec = _validated(ctx, payload)
        now = ctx.clock.now()
        body = new_firewall_body(firewall_id=new_uuid(), created_at=now, **spec)
        body = _mark_waiting(ctx, body)
        ctx.store.insert(FIREWALL, body["id"], body, created_at=now, name=body["name"])
    return json_response({"firewall": body}, 202)


async def update_firewall(request: Request) -> Response:
    """PUT /v2/firewalls/{firewall_id} → 200 (full replacement)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(FIREWALL, request.path_params["firewall_id"]))
        spec = _validated(ctx, payload)
        body = _mark_waiting(ctx, dict(row.body, **spec))
        ctx.store.update(FIREWALL, row.id, body, name=body["name"])
    return json_response({"firewall": body})


async def change_membership(request: Request) -> Response:
    """POST/DELETE /v2/firewalls/{id}/droplets|tags|rules → 204."""
    ctx = sim_context(request)
    payload = await read_json(request)
    what = request.url.path.rsplit("/", 1)[-1]
    adding = request.method == "POST"
    with ctx.store.transaction():
        row = require(ctx.store.get_row(FIREWALL, request.path_params["firewall_id"]))
        body = dict(row.body)
        if what == "droplets":
            ids = _int_list(payload, "droplet_ids")
            if not ids:
                raise bad_request("droplet_ids is required")
            if adding:
                _check_droplets(ctx, ids)
            body["droplet_ids"] = add_or_remove(body["droplet_ids"], ids, adding=adding)
        elif what == "tags":
            tags = _str_list(payload, "tags")
            if not tags:
                raise bad_request("tags is required")
            body["tags"] = add_or_remove(body["tags"], tags, adding=adding)
        else:
            for direction in ("inbound", "outbound"):
                rules = _rules(payload.get(f"{direction}_rules"), direction=direction)
                key = f"{direction}_rules"
                body[key] = add_or_remove(body[key], rules, adding=adding)
        ctx.store.update(FIREWALL, row.id, _mark_waiting(ctx, body))
    return no_content()


def routes() -> list[BaseRoute]:
    """Firewall routes."""
    member = ["POST", "DELETE"]
    return [
        Route("/v2/firewalls", list_endpoint(FIREWALL, "firewalls"), methods=["GET"]),
        Route("/v2/firewalls", create_firewall, methods=["POST"]),
        Route("/v2/firewalls/{firewall_id}", get_endpoint(FIREWALL, "firewall", "firewall_id"),
              methods=["GET"]),
        Route("/v2/firewalls/{firewall_id}", update_firewall, methods=["PUT"]),
        Route("/v2/firewalls/{firewall_id}", delete_endpoint(FIREWALL, "firewall_id"),
              methods=["DELETE"]),
        Route("/v2/firewalls/{firewall_id}/droplets", change_membership, methods=member),
        Route("/v2/firewalls/{firewall_id}/tags", change_membership, methods=member),
        Route("/v2/firewalls/{firewall_id}/rules", change_membership, methods=member),
    ]

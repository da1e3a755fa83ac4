"""Domains and domain records.

Creating a domain creates what DO creates: an SOA record and three NS records
(``ns1`` to ``ns3.digitalocean.com``), plus an ``@`` A record when ``ip_address`` is given. The
create response has ``zone_file: null``; ``GET`` renders the zone file from the records.
Records: CNAME, MX, NS (and SRV) ``data`` that is a hostname gets a trailing dot appended
when missing, as DO stores it. The ``name`` filter on the record list takes the
fully-qualified name (``www.example.com``; the apex is ``example.com``). SOA records cannot be
deleted and only their ``ttl`` can change. Invalid records are 422 ``unprocessable_entity``.
"""

from __future__ import annotations

import ipaddress
import re
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
from arcadia_cloud_sim.api.errors import bad_request, unprocessable
from arcadia_cloud_sim.api.kinds import DOMAIN, DOMAIN_RECORD, RECORD_IDS, next_id
from arcadia_cloud_sim.api.urns import assign_urn, urn
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT")
DOTTED_TYPES = frozenset({"CNAME", "MX", "NS", "SRV"})
NAMESERVERS = ("ns1.digitalocean.com", "ns2.digitalocean.com", "ns3.digitalocean.com")
DEFAULT_TTL = 1800
_FIELDS = ("type", "name", "data", "priority", "port", "ttl", "weight", "flags", "tag")


def fqdn(record_name: str, domain: str) -> str:
    """The fully-qualified name of a record (``@`` is the apex)."""
    return domain if record_name in ("@", "") else f"{record_name}.{domain}"


def record_body(
    *, record_id: int, type: str, name: str, data: str, ttl: int = DEFAULT_TTL,
    priority: int | None = None, port: int | None = None, weight: int | None = None,
    flags: int | None = None, tag: str | None = None,
) -> dict[str, Any]:
    """A domain record (null for the fields its type does not use), with DO's data rewrite."""
    if type in DOTTED_TYPES and data and data != "@" and not data.endswith("."):
        data = data + "."
    return {"id": record_id, "type": type, "name": name, "data": data, "priority": priority,
            "port": port, "ttl": ttl, "weight": weight, "flags": flags, "tag": tag}


def default_records(ctx: SimContext, domain: str, ip_address: str | None) -> list[dict[str, Any]]:
    """The records DO creates with a domain: SOA, three NS and optionally ``@`` A."""
    records = [record_body(record_id=next_id(ctx, RECORD_IDS), type="SOA", name="@",
                           data="1800")]
    records += [record_body(record_id=next_id(ctx, RECORD_IDS), type="NS", name="@", data=ns)
                for ns in NAMESERVERS]
    if ip_address:
        records.append(record_body(record_id=next_id(ctx, RECORD_IDS), type="A", name="@",
                                   data=ip_address))
    return records


def insert_records(ctx: SimContext, domain: str, records: Sequence[dict[str, Any]]) -> None:
    """Store records of ``domain``."""
    now = ctx.clock.now()
    ctx.store.insert_many(
        NewResource(DOMAIN_RECORD, str(r["id"]), r, now, parent=domain,
                    name=fqdn(r["name"], domain))
        for r in records
    )


def zone_file(domain: str, ttl: int, records: Sequence[dict[str, Any]]) -> str:
    """The BIND zone file DO renders for a domain."""
    lines = [f"$ORIGIN {domain}.", f"$TTL {ttl}",
             f"{domain}. IN SOA ns1.digitalocean.com. hostmaster.{domain}. "
             f"1415982611 10800 3600 604800 1800"]
    for r in records:
        if r["type"] == "SOA":
            continue
        name = f"{domain}." if r["name"] == "@" else r["name"]
        data = r["data"]
        if r["type"] == "TXT":
            data = f'"{data}"'
        elif r["type"] == "MX":
            data = f"{r['priority']} {data}"
        elif r["type"] == "SRV":
            data = f"{r['priority']} {r['weight']} {r['port']} {data}"
        elif r["type"] == "CAA":
            data = f'{r["flags"]} {r["tag"]} "{data}"'
        lines.append(f"{name} {r['ttl']} IN {r['type']} {data}")
    return "\n".join(lines) + "\n"


# -- domains ----------------------------------------------------------------------------------
def _render_domains(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    """Domains with their zone files rendered from the records."""
    out = []
    for row in rows:
        records, _ = ctx.store.list(DOMAIN_RECORD, parent=row.id)
        out.append({"name": row.id, "ttl": row.body["ttl"],
                    "zone_file": zone_file(row.id, row.body["ttl"], records)})
    return out


async def create_domain(request: Request) -> Response:
    """POST /v2/domains → 201 (``zone_file: null`` straight after creation)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    name = payload.get("name")
    if not isinstance(name, str) or not DOMAIN_RE.match(name.lower()):
        raise unprocessable("name must be a valid domain name")
    name = name.lower()
    ip_address = payload.get("ip_address")
    if ip_address is not None:
        try:
            ipaddress.IPv4Address(ip_address)
        except (ValueError, TypeError) as exc:
            raise unprocessable("ip_address must be an IPv4 address") from exc
    with ctx.store.transaction():
        if ctx.store.get_row(DOMAIN, name) is not None:
            raise unprocessable("Name already exists")
        now = ctx.clock.now()
        ctx.store.insert(DOMAIN, name, {"name": name, "ttl": DEFAULT_TTL}, created_at=now,
                         name=name)
        insert_records(ctx, name, default_records(ctx, name, ip_address))
        assign_urn(ctx, urn("domain", name))
    return json_response({"domain": {"name": name, "ttl": DEFAULT_TTL, "zone_file": None}}, 201)


async def delete_domain(request: Request) -> Response:
    """DELETE /v2/domains/{domain_name} → 204 (its records go with it)."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(DOMAIN, request.path_params["domain_name"]))
        forget(ctx, DOMAIN, row)
        now = ctx.clock.now()
        for rec in ctx.store.list_rows(DOMAIN_RECORD, parent=row.id)[0]:
            ctx.store.delete(DOMAIN_RECORD, rec.id, at=now)
    return no_content()


# -- records ----------------------------------------------------------------------------------
def _opt_int(payload: dict[str, Any], key: str, lo: int, hi: int) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise unprocessable(f"{key} must be an integer between {lo} and {hi}")
    return value


def _validated_record(merged: dict[str, Any]) -> dict[str, Any]:
    rtype = merged.get("type")
    if rtype not in RECORD_TYPES:
        raise unprocessable(f"type must be one of {', '.join(RECORD_TYPES)}")
    name = merged.get("name")
    if rtype == "MX" and name is None:
        name = "@"
    data = merged.get("data")
    if not isinstance(name, str) or not name:
        raise unprocessable("name is required")
    if not isinstance(data, str) or not data:
        raise unprocessable("data is required")
    ttl = _opt_int(merged, "ttl", 30, 2_147_483_647) or DEFAULT_TTL
    priority = _opt_int(merged, "priority", 0, 65535)
    port = _opt_int(merged, "port", 0, 65535)
    weight = _opt_int(merged, "weight", 0, 65535)
    flags = _opt_int(merged, "flags", 0, 255)
    tag = merged.get("tag")
    if rtype == "A":
        try:
            ipaddress.IPv4Address(data)
        except ValueError as exc:
            raise unprocessable("data must be an IPv4 address for an A record") from exc
    elif rtype == "AAAA":
        try:
            ipaddress.IPv6Address(data)
        except ValueError as exc:
            raise unprocessable("data must be an IPv6 address for an AAAA record") from exc
    elif rtype in ("MX", "SRV") and priority is None:
        raise unprocessable("priority is required")
    if rtype == "SRV" and (port is None or weight is None):
        raise unprocessable("port and weight are required for SRV records")
    if rtype == "CAA" and (flags is None or tag not in ("issue", "issuewild", "iodef")):
        raise unprocessable("flags and tag (issue, issuewild or iodef) are required for CAA")
    return {
        "type": rtype, "name": name, "data": data, "ttl": ttl,
        "priority": priority if rtype in ("MX", "SRV") else None,
        "port": port if rtype == "SRV" else None,
        "weight": weight if rtype == "SRV" else None,
        "flags": flags if rtype == "CAA" else None,
        "tag": tag if rtype == "CAA" else None,
    }


def _record_filters(request: Request, ctx: SimContext) -> dict[str, Any]:
    """``type`` and ``name`` (the FQDN) of ``GET /v2/domains/{domain_name}/records``."""
    rtype = request.query_params.get("type")
    if rtype is not None and rtype not in RECORD_TYPES:
        raise bad_request(f"type must be one of {', '.join(RECORD_TYPES)}")
    return {"parent": parent_id(request, DOMAIN, "domain_name"),
            "name": request.query_params.get("name"),
            "json_eq": {"type": rtype} if rtype else None}


def _record_row(ctx: SimContext, request: Request) -> ResourceRow:
    domain = request.path_params["domain_name"]
    require(ctx.store.get_row(DOMAIN, domain))
    row = require(ctx.store.get_row(DOMAIN_RECORD, str(request.path_params["record_id"])))
    if row.parent != domain:
        require(None)
    return row


async def get_record(request: Request) -> Response:
    """GET /v2/domains/{domain_name}/records/{domain_record_id}."""
    ctx = sim_context(request)
    return json_response({"domain_record": _record_row(ctx, request).body})


async def create_record(request: Request) -> Response:
    """POST /v2/domains/{domain_name}/records → 201."""
    ctx = sim_context(request)
    payload = await read_json(request)
    domain = request.path_params["domain_name"]
    with ctx.store.transaction():
        require(ctx.store.get_row(DOMAIN, domain))
        fields = _validated_record(payload)
        if fields["type"] == "SOA":
            raise unprocessable("SOA records cannot be created")
        body = record_body(record_id=next_id(ctx, RECORD_IDS), **fields)
        insert_records(ctx, domain, [body])
    return json_response({"domain_record": body}, 201)


async def update_record(request: Request) -> Response:
    """PUT/PATCH /v2/domains/{domain_name}/records/{id} → 200 (supplied fields change)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    unknown = set(payload) - set(_FIELDS)
    if unknown:
        raise unprocessable(f"unknown attributes: {sorted(unknown)}")
    with ctx.store.transaction():
        row = _record_row(ctx, request)
        current = row.body
        if current["type"] == "SOA":
            if set(payload) - {"ttl", "type"} or payload.get("type", "SOA") != "SOA":
                raise unprocessable("only the ttl of an SOA record can change")
            ttl = _opt_int(payload, "ttl", 30, 2_147_483_647)
            body = dict(current, ttl=ttl or current["ttl"])
        else:
            if "type" in payload and payload["type"] != current["type"]:
                raise unprocessable("the type of a record cannot change")
            merged = {**current, **payload}
            body = record_body(record_id=current["id"], **_validated_record(merged))
        ctx.store.update(DOMAIN_RECORD, row.id, body, name=fqdn(body["name"], str(row.parent)))
    return json_response({"domain_record": body})


async def delete_record(request: Request) -> Response:
    """DELETE /v2/domains/{domain_name}/records/{id} → 204."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = _record_row(ctx, request)
        if row.body["type"] == "SOA":
            raise unprocessable("SOA records cannot be deleted")
        ctx.store.delete(DOMAIN_RECORD, row.id, at=ctx.clock.now())
    return no_content()


def routes() -> list[BaseRoute]:
    """Domain and record routes."""
    rec = "/v2/domains/{domain_name}/records/{record_id:int}"
    return [
        Route("/v2/domains", list_endpoint(DOMAIN, "domains", render=_render_domains),
              methods=["GET"]),
        Route("/v2/domains", create_domain, methods=["POST"]),
        Route("/v2/domains/{domain_name}",
              get_endpoint(DOMAIN, "domain", "domain_name", render=_render_domains),
              methods=["GET"]),
        Route("/v2/domains/{domain_name}", delete_domain, methods=["DELETE"]),
        Route("/v2/domains/{domain_name}/records",
              list_endpoint(DOMAIN_RECORD, "domain_records", filters=_record_filters),
              methods=["GET"]),
        Route("/v2/domains/{domain_name}/records", create_record, methods=["POST"]),
        Route(rec, get_record, methods=["GET"]),
        Route(rec, update_record, methods=["PUT", "PATCH"]),
        Route(rec, delete_record, methods=["DELETE"]),
    ]

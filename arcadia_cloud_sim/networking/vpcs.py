"""VPCs with their members, VPC peerings and VPC NAT gateways (read, and delete a VPC).

A VPC's members are not stored: ``/v2/vpcs/{id}/members`` finds the droplets, load balancers
(``vpc_uuid``), Kubernetes clusters (``vpc_uuid``) and database clusters
(``private_network_uuid``) that name it, as DO does. Every region has a default VPC whose id
is :func:`~arcadia_cloud_sim.networking.addresses.vpc_uuid` (the one droplets are created in).
Deleting a VPC that still has members is a 403 like DO's. Peerings filter by ``region`` (a
peering is in the regions of its VPCs), NAT gateways by ``region``, ``name``, ``state`` and
``type`` (the spec's ``vpcPeerings_list`` and ``vpcnatgateways_list``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, get_endpoint, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import no_content, stored_bodies
from arcadia_cloud_sim.api.errors import ApiError
from arcadia_cloud_sim.api.kinds import (
    DATABASE,
    DROPLET,
    K8S_CLUSTER,
    LOAD_BALANCER,
    NAT_GATEWAY,
    VPC,
    VPC_PEERING,
)
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import member_row, urn
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.networking.addresses import vpc_uuid
from arcadia_cloud_sim.store import NewResource, iso

#: Store kind → (URN kind, body field naming the VPC, member resource_type filter value).
MEMBER_KINDS: tuple[tuple[str, str, str, str], ...] = (
    (DROPLET, "droplet", "vpc_uuid", "droplet"),
    (LOAD_BALANCER, "loadbalancer", "vpc_uuid", "load_balancer"),
    (K8S_CLUSTER, "kubernetes", "vpc_uuid", "kubernetes"),
    (DATABASE, "dbaas", "private_network_uuid", "database"),
)


def new_vpc_body(*, vpc_id: str, name: str, region: str, ip_range: str, created_at: float,
                 default: bool = False, description: str = "") -> dict[str, Any]:
    """The stored (and rendered) body of a VPC."""
    return {"id": vpc_id, "urn": urn("vpc", vpc_id), "name": name, "description": description,
            "region": region, "ip_range": ip_range, "default": default,
            "created_at": iso(created_at)}


def members(ctx: SimContext, vpc_id: str, resource_type: str | None = None) -> list[dict[str, Any]]:
    """The resources in VPC ``vpc_id`` as DO's member objects ``{urn, name, created_at}``."""
    out: list[tuple[float, dict[str, Any]]] = []
    for kind, urn_kind, field, type_name in MEMBER_KINDS:
        if resource_type not in (None, type_name):
            continue
        rows, _ = ctx.store.list_rows(kind, json_eq={field: vpc_id})
        out += [(row.created_at, {"urn": urn(urn_kind, row.id), "name": row.body.get("name"),
                                  "created_at": iso(row.created_at)}) for row in rows]
    return [member for _, member in sorted(out, key=lambda pair: pair[0])]


async def list_members(request: Request) -> Response:
    """GET /v2/vpcs/{vpc_id}/members (``resource_type`` filters)."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        vpc = require(ctx.store.get_row(VPC, request.path_params["vpc_id"]))
        found = members(ctx, vpc.id, request.query_params.get("resource_type"))
    return paginate(request, found, "members")


async def delete_vpc(request: Request) -> Response:
    """DELETE /v2/vpcs/{vpc_id} → 204; 403 for a default VPC or one with members."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(VPC, request.path_params["vpc_id"]))
        if row.body.get("default") or members(ctx, row.id):
            raise ApiError(403, "forbidden",
                           "Can not delete VPC with members or a default VPC.")
        forget(ctx, VPC, row)
    return no_content()


def _nat_filters(request: Request, ctx: SimContext) -> Mapping[str, Any]:
    """``vpcnatgateways_list``'s filters: ``region``, ``name``, and ``state``/``type``, which the
    spec gives in lower case (``active``, ``public``) for fields it renders upper case."""
    query = request.query_params
    json_eq = {"region": query.get("region"), "state": (query.get("state") or "").upper(),
               "type": (query.get("type") or "").upper()}
    where: dict[str, Any] = {"json_eq": {k: v for k, v in json_eq.items() if v} or None}
    if query.get("name"):
        where["name"] = query["name"]
    return where


async def list_peerings(request: Request) -> Response:
    """GET /v2/vpc_peerings (``region``: the peerings of a VPC in that region)."""
    ctx = sim_context(request)
    region = request.query_params.get("region")
    with ctx.store.transaction(write=False):
        rows, _ = ctx.store.list_rows(VPC_PEERING)
        if region:
            in_region = {row.id for row in ctx.store.list_rows(
                VPC, json_eq={"region": region})[0]}
            rows = [row for row in rows if in_region & set(row.body.get("vpc_ids") or [])]
        return paginate(request, stored_bodies(rows), "vpc_peerings")


def routes() -> list[BaseRoute]:
    """VPC, VPC peering and NAT gateway routes."""
    return [
        Route("/v2/vpcs", list_endpoint(VPC, "vpcs"), methods=["GET"]),
        Route("/v2/vpcs/{vpc_id}", get_endpoint(VPC, "vpc", "vpc_id"), methods=["GET"]),
        Route("/v2/vpcs/{vpc_id}", delete_vpc, methods=["DELETE"]),
        Route("/v2/vpcs/{vpc_id}/members", list_members, methods=["GET"]),
        Route("/v2/vpc_peerings", list_peerings, methods=["GET"]),
        Route("/v2/vpc_peerings/{vpc_peering_id}",
              get_endpoint(VPC_PEERING, "vpc_peering", "vpc_peering_id"), methods=["GET"]),
        Route("/v2/vpc_nat_gateways",
              list_endpoint(NAT_GATEWAY, "vpc_nat_gateways", filters=_nat_filters),
              methods=["GET"]),
        Route("/v2/vpc_nat_gateways/{id}", get_endpoint(NAT_GATEWAY, "vpc_nat_gateway", "id"),
              methods=["GET"]),
    ]


# -- the default scenario -------------------------------------------------------------------
#: Custom VPCs: name, region, ip_range, project.
_VPCS = (("acme-private", "nyc3", "10.116.0.0/20", "acme"),
         ("globex-data", "ams3", "10.110.16.0/20", "globex"),
         ("globex-ml", "ams3", "10.110.32.0/20", "globex"))
_DEFAULT_RANGES = {"nyc3": "10.108.0.0/20", "ams3": "10.110.0.0/20"}


def seed_default(*, new_uuid: Callable[[], str], projects: Mapping[str, str],
                 at: float) -> tuple[list[NewResource], dict[str, str]]:
    """The default scenario's VPCs (the regions' defaults and two custom ones), a peering and a
    NAT gateway; returns the rows and the VPC ids by name."""
    rows: list[NewResource] = []
    ids: dict[str, str] = {}
    for region, ip_range in _DEFAULT_RANGES.items():
        name = f"default-{region}"
        ids[name] = vpc_uuid(region)
        rows.append(NewResource(VPC, ids[name], new_vpc_body(
            vpc_id=ids[name], name=name, region=region, ip_range=ip_range, created_at=at,
            default=True), at, name=name))
        rows.append(member_row(projects["platform"], urn("vpc", ids[name]), at))
    for name, region, ip_range, tenant in _VPCS:
        ids[name] = new_uuid()
        rows.append(NewResource(VPC, ids[name], new_vpc_body(
            vpc_id=ids[name], name=name, region=region, ip_range=ip_range, created_at=at,
            description=f"{tenant} private network"), at, name=name))
        rows.append(member_row(projects[tenant], urn("vpc", ids[name]), at))
    peering = {"id": new_uuid(), "name": "globex-data-to-ml", "status": "ACTIVE",
               "vpc_ids": [ids["globex-data"], ids["globex-ml"]], "created_at": iso(at)}
    rows.append(NewResource(VPC_PEERING, peering["id"], peering, at, name=peering["name"]))
    nat = {
        "id": new_uuid(), "name": "globex-egress", "type": "PUBLIC", "state": "ACTIVE",
        "region": "ams3", "size": 1,
        "vpcs": [{"vpc_uuid": ids["globex-data"], "gateway_ip": "10.110.16.2"}],
        "egresses": {"public_gateways": [{"ipv4": "174.138.100.7"}]},
        "udp_timeout_seconds": 30, "icmp_timeout_seconds": 30, "tcp_timeout_seconds": 300,
        "created_at": iso(at), "updated_at": iso(at),
    }
    rows.append(NewResource(NAT_GATEWAY, nat["id"], nat, at, name=nat["name"]))
    return rows, ids


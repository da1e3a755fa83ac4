"""Helpers shared by the resource handlers: ids, addresses, URNs, project membership."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from starlette.requests import Request

from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.http import not_found
from arcadia_cloud_sim.store import ResourceRow, iso

# resource kinds in the store
DROPLET = "droplet"
ACTION = "action"
SNAPSHOT = "snapshot"
BACKUP = "backup"
VOLUME = "volume"
RESERVED_IP = "reserved_ip"
FIREWALL = "firewall"
LOAD_BALANCER = "load_balancer"
DOMAIN = "domain"
DOMAIN_RECORD = "domain_record"
PROJECT = "project"
PROJECT_RESOURCE = "project_resource"

# id sequences (first values look like DO's)
DROPLET_IDS = ("droplet", 410_000_001)
ACTION_IDS = ("action", 2_300_000_001)
IMAGE_IDS = ("image", 160_500_001)
RECORD_IDS = ("record", 1_740_000_001)
PUBLIC_IPS = ("public_ip", 1)
PRIVATE_IPS = ("private_ip", 1)
RESERVED_IPS = ("reserved_ip", 1)

_PUBLIC_BASES = {"nyc1": "104.236", "nyc3": "159.203", "sfo3": "143.198", "ams3": "188.166",
                 "fra1": "164.90", "lon1": "178.62", "sgp1": "128.199", "tor1": "159.89",
                 "blr1": "139.59", "syd1": "170.64"}
_RESERVED_BASES = {"nyc3": "45.55", "ams3": "146.190"}


def ctx_of(request: Request) -> SimContext:
    """The app's :class:`SimContext`."""
    return sim_context(request)


def now_iso(ctx: SimContext) -> str:
    """The current time in DO's format."""
    return iso(ctx.clock.now())


def new_uuid() -> str:
    """A fresh UUID string."""
    return str(uuid.uuid4())


def next_id(ctx: SimContext, seq: tuple[str, int]) -> int:
    """The next id from one of the sequences above."""
    name, start = seq
    return ctx.store.next_id(name, start=start)


def _host(n: int) -> str:
    n = 1 + (n - 1) % 64_000
    return f"{n // 250 % 256}.{n % 250 + 2}"


def public_ipv4(region: str, n: int) -> str:
    """The n-th public droplet address in ``region``."""
    return f"{_PUBLIC_BASES.get(region, '167.99')}.{_host(n)}"


def private_ipv4(region: str, n: int) -> str:
    """The n-th private (VPC) address in ``region``."""
    idx = sorted(_PUBLIC_BASES).index(region) if region in _PUBLIC_BASES else 99
    return f"10.{100 + idx}.{_host(n)}"


def reserved_ipv4(region: str, n: int) -> str:
    """The n-th reserved IP in ``region``."""
    return f"{_RESERVED_BASES.get(region, '209.38')}.{_host(n)}"


def networks_for(region: str, n_public: int, n_private: int) -> dict[str, Any]:
    """A droplet's ``networks`` once it is active: one private and one public v4."""
    public = public_ipv4(region, n_public)
    gateway = public.rsplit(".", 1)[0] + ".1"
    return {
        "v4": [
            {"ip_address": private_ipv4(region, n_private), "netmask": "255.255.0.0",
             "gateway": "nil", "type": "private"},
            {"ip_address": public, "netmask": "255.255.255.0", "gateway": gateway,
             "type": "public"},
        ],
        "v6": [],
    }


@cache
def vpc_uuid(region: str) -> str:
    """The region's default VPC (stable)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arcadia-sim/vpc/{region}"))


def require(row: ResourceRow | None) -> ResourceRow:
    """``row`` or a 404 ``not_found``."""
    if row is None:
        raise not_found()
    return row


# -- projects ---------------------------------------------------------------------------------
def urn(kind: str, id: object) -> str:
    """``do:<kind>:<id>``."""
    return f"do:{kind}:{id}"


def default_project_id(ctx: SimContext) -> str | None:
    """The id of the project flagged ``is_default``."""
    rows, _ = ctx.store.list_rows(PROJECT, json_eq={"is_default": True}, limit=1)
    return rows[0].id if rows else None


def assign_urn(ctx: SimContext, resource_urn: str, project_id: str | None = None) -> str | None:
    """Put ``resource_urn`` in ``project_id`` (default project when None); returns the project."""
    project_id = project_id or default_project_id(ctx)
    if project_id is None:
        return None
    now = ctx.clock.now()
    ctx.store.insert(PROJECT_RESOURCE, resource_urn, {}, created_at=now, parent=project_id)
    return project_id


def unassign_urn(ctx: SimContext, resource_urn: str) -> None:
    """Drop ``resource_urn`` from whatever project holds it (the resource is gone)."""
    ctx.store.purge(PROJECT_RESOURCE, resource_urn)


def project_of(ctx: SimContext, resource_urn: str) -> str | None:
    """The project id holding ``resource_urn``."""
    row = ctx.store.get_row(PROJECT_RESOURCE, resource_urn)
    return None if row is None else row.parent


#: URN kind per store kind (for project membership of deleted/restored resources).
URN_KINDS: dict[str, str] = {
    DROPLET: "droplet",
    VOLUME: "volume",
    DOMAIN: "domain",
    RESERVED_IP: "floatingip",
    LOAD_BALANCER: "loadbalancer",
}


def urn_for(kind: str, row: ResourceRow) -> str | None:
    """The project URN of a stored resource, if it can belong to a project."""
    if kind == SNAPSHOT:
        prefix = "image" if row.body.get("resource_type") == "droplet" else "volumesnapshot"
        return urn(prefix, row.id)
    urn_kind = URN_KINDS.get(kind)
    return None if urn_kind is None else urn(urn_kind, row.id)

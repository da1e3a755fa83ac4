"""Reserved IPv6 addresses (``/v2/reserved_ipv6``), each reserved to a region and optionally
assigned to a droplet (rendered as the full droplet object, or ``null``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from arcadia_cloud_sim.api.kinds import DROPLET
from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.compute.droplets import render_droplets
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.store import NewResource, ResourceRow, iso

RESERVED_IPV6 = "reserved_ipv6"
PREFIXES = {"nyc3": "2604:a880:800:14:0:1:", "ams3": "2a03:b0c0:2:f0:0:1:"}
_SEEDED = (("nyc3", "acme-web-1"), ("ams3", "globex-etl-1"), ("ams3", None))


def ipv6(region: str, n: int) -> str:
    """The ``n``-th reserved IPv6 address of ``region``."""
    return f"{PREFIXES.get(region, '2400:6180:0:d0:0:1:')}{n // 65536:x}:{n % 65536:x}"


def new_ipv6_body(*, ip: str, region: str, reserved_at: float,
                  droplet_id: int | None = None) -> dict[str, Any]:
    """The stored body of a reserved IPv6 (the droplet is rendered when read)."""
    return {"ip": ip, "region_slug": region, "reserved_at": iso(reserved_at),
            "droplet_id": droplet_id}


def render(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    """DO's reserved IPv6 objects."""
    out = []
    for row in rows:
        body = dict(row.body)
        droplet_id = body.pop("droplet_id", None)
        droplet = ctx.store.get_row(DROPLET, str(droplet_id)) if droplet_id else None
        body["droplet"] = render_droplets(ctx, [droplet.body])[0] if droplet else None
        out.append(body)
    return out


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's reserved IPv6 addresses."""
    rows = []
    for n, (region, droplet) in enumerate(_SEEDED, start=1):
        body = new_ipv6_body(ip=ipv6(region, n), region=region, reserved_at=world.at,
                             droplet_id=world.droplets[droplet] if droplet else None)
        rows.append(NewResource(RESERVED_IPV6, body["ip"], body, world.at))
    return rows


def routes() -> list[BaseRoute]:
    """Reserved IPv6 routes."""
    return kind_routes("/v2/reserved_ipv6", RESERVED_IPV6, plural="reserved_ipv6s",
                       singular="reserved_ipv6", param="reserved_ipv6", render=render)

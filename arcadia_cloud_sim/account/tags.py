"""Tags (``/v2/tags``) with DO's per-type resource counts, computed from what carries the tag.

A tag is an object of its own (created with ``POST /v2/tags`` or seeded); its ``resources``
counts droplets, images (custom images and droplet snapshots: DO's own ``imgages`` key),
volumes and volume snapshots whose ``tags`` hold it, at the moment it is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, get_endpoint, list_endpoint
from arcadia_cloud_sim.api.envelopes import json_response, read_json
from arcadia_cloud_sim.api.errors import bad_request
from arcadia_cloud_sim.api.kinds import DROPLET, SNAPSHOT, VOLUME
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.compute.images import IMAGE
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow

TAG = "tag"
NAME_RE = re.compile(r"^[a-zA-Z0-9_\-:]{1,255}$")
#: Tags the seeded droplets, volumes, snapshots and images carry.
_SEEDED = ("acme", "web", "db", "globex", "etl", "platform", "ci", "golden")
API = "https://api.digitalocean.com"


def _tagged(ctx: SimContext, kind: str, tag: str, **where: Any) -> tuple[int, str | None]:
    rows, total = ctx.store.list_rows(kind, tag=tag, json_eq=where or None)
    return total, (rows[-1].id if rows else None)


def _count(total: int, last: str | None, path: str) -> dict[str, Any]:
    return {"count": total, "last_tagged_uri": f"{API}{path}/{last}" if last else ""}


def render_tags(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[dict[str, Any]]:
    """DO's tag objects with their resource counts."""
    out = []
    for row in rows:
        name = row.id
        droplets = _tagged(ctx, DROPLET, name)
        custom = _tagged(ctx, IMAGE, name)
        droplet_snaps = _tagged(ctx, SNAPSHOT, name, resource_type="droplet")
        volumes = _tagged(ctx, VOLUME, name)
        volume_snaps = _tagged(ctx, SNAPSHOT, name, resource_type="volume")
        images = (custom[0] + droplet_snaps[0], custom[1] or droplet_snaps[1])
        counts = {
            "droplets": _count(*droplets, "/v2/droplets"),
            "imgages": _count(*images, "/v2/images"),
            "volumes": _count(*volumes, "/v2/volumes"),
            "volume_snapshots": _count(*volume_snaps, "/v2/snapshots"),
            "databases": _count(0, None, "/v2/databases"),
        }
        last = next((c["last_tagged_uri"] for c in counts.values() if c["last_tagged_uri"]), "")
        total = sum(c["count"] for c in counts.values())
        out.append({"name": name, "resources": {"count": total, "last_tagged_uri": last,
                                                **counts}})
    return out


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's tags (the ones its resources carry)."""
    return [NewResource(TAG, name, {"name": name}, world.at, name=name) for name in _SEEDED]


async def create_tag(request: Request) -> Response:
    """POST /v2/tags {"name"} → 201 (an existing name is returned as it is)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    name = payload.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise bad_request("name must be 1-255 letters, digits, '_', '-' or ':'")
    with ctx.store.transaction():
        if ctx.store.get_row(TAG, name) is None:
            ctx.store.insert(TAG, name, {"name": name}, created_at=ctx.clock.now(), name=name)
        row = ctx.store.get_row(TAG, name)
        assert row is not None
        return json_response({"tag": render_tags(ctx, [row])[0]}, 201)


def routes() -> list[BaseRoute]:
    """Tag routes."""
    one = "/v2/tags/{tag_id}"
    return [
        Route("/v2/tags", list_endpoint(TAG, "tags", render=render_tags), methods=["GET"]),
        Route("/v2/tags", create_tag, methods=["POST"]),
        Route(one, get_endpoint(TAG, "tag", "tag_id", render=render_tags), methods=["GET"]),
        Route(one, delete_endpoint(TAG, "tag_id"), methods=["DELETE"]),
    ]

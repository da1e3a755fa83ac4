"""Images (``/v2/images``): the public catalogue plus the account's own images.

The account's images are its custom images (stored here), its droplet snapshots and its
backups (stored by ``storage.snapshots``, shown here in DO's image shape). ``private=true``
lists the account's images only; ``type=distribution|application`` the public catalogue only;
``tag_name`` the images carrying a tag. ``GET``/``DELETE /v2/images/{id}`` read and delete a
custom image (``GET`` also serves catalogue images by id or slug).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response
from arcadia_cloud_sim.api.kinds import BACKUP, IMAGE_IDS, SNAPSHOT
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.catalog import IMAGES, resolve_image
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow, iso

IMAGE = "custom_image"
#: name, distribution, regions, GiB, tags, description
_SEEDED = (
    ("acme-web-base-2026-03", "Ubuntu", ["nyc3"], 4.2, ["acme", "web"], "acme web tier base"),
    ("globex-etl-runtime", "Debian", ["ams3"], 6.8, ["globex"], "ETL runtime, Spark 3.5"),
    ("platform-ci-runner", "Ubuntu", ["ams3", "nyc3"], 9.1, ["platform", "ci", "golden"],
     "self-hosted CI runner"),
)


def new_image_body(*, image_id: int, name: str, distribution: str, regions: list[str],
                   size_gigabytes: float, created_at: float, tags: list[str],
                   description: str = "", status: str = "available") -> dict[str, Any]:
    """The stored (and rendered) body of a custom image."""
    return {
        "id": image_id, "name": name, "type": "custom", "distribution": distribution,
        "slug": None, "public": False, "regions": regions, "created_at": iso(created_at),
        "min_disk_size": max(10, int(size_gigabytes) + 5), "size_gigabytes": size_gigabytes,
        "description": description, "tags": tags, "status": status, "error_message": "",
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's custom images."""
    first = world.ctx.store.reserve_ids(IMAGE_IDS[0], len(_SEEDED), start=IMAGE_IDS[1])
    rows = []
    for i, (name, distro, regions, gib, tags, description) in enumerate(_SEEDED):
        body = new_image_body(image_id=first + i, name=name, distribution=distro,
                              regions=regions, size_gigabytes=gib, created_at=world.at,
                              tags=tags, description=description)
        rows.append(NewResource(IMAGE, str(body["id"]), body, world.at, name=name))
    return rows


def _as_image(row: ResourceRow, type: str) -> dict[str, Any]:
    """A stored droplet snapshot or backup in DO's image shape."""
    b = row.body
    return {
        "id": int(row.id), "name": b["name"], "type": type, "distribution": "Ubuntu",
        "slug": None, "public": False, "regions": b["regions"], "created_at": b["created_at"],
        "min_disk_size": b["min_disk_size"], "size_gigabytes": b["size_gigabytes"],
        "description": "", "tags": b.get("tags") or [], "status": "available",
        "error_message": "",
    }


#: One source of images: ``fetch(limit, offset) -> (rendered, total)``.
Segment = Callable[[int, int], tuple[list[Any], int]]


def _stored(ctx: SimContext, kind: str, render: Callable[[ResourceRow], Any],
            **where: Any) -> Segment:
    def fetch(limit: int, offset: int) -> tuple[list[Any], int]:
        rows, total = ctx.store.list_rows(kind, limit=limit, offset=offset, **where)
        return [render(r) for r in rows], total
    return fetch


def _listed(items: Sequence[Any]) -> Segment:
    return lambda limit, offset: (list(items[offset:offset + limit]), len(items))


def _segments(request: Request, ctx: SimContext) -> list[Segment]:
    query = request.query_params
    tag = query.get("tag_name") or None
    public = [] if tag else [i.to_json() for i in IMAGES.values()]
    if query.get("type") in ("distribution", "application"):
        return [_listed(public if query["type"] == "distribution" else [])]
    own = [
        _stored(ctx, IMAGE, lambda r: r.body, tag=tag),
        _stored(ctx, SNAPSHOT, lambda r: _as_image(r, "snapshot"), tag=tag,
                json_eq={"resource_type": "droplet"}),
        _stored(ctx, BACKUP, lambda r: _as_image(r, "backup"), tag=tag),
    ]
    return own if query.get("private") == "true" else [_listed(public), *own]


async def list_images(request: Request) -> Response:
    """GET /v2/images (``private``, ``type`` and ``tag_name`` filters)."""
    ctx = sim_context(request)

    def fetch(limit: int, offset: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        total = 0
        for segment in segments:
            _, count = segment(1, 0)
            start = max(0, offset - total)
            if len(items) < limit and start < count:
                page, _ = segment(limit - len(items), start)
                items += page
            total += count
        return items, total

    with ctx.store.transaction(write=False):
        segments = _segments(request, ctx)
        return paginate(request, fetch, "images")


async def get_image(request: Request) -> Response:
    """GET /v2/images/{image_id}: a custom image by id, or a catalogue image by id or slug."""
    ctx = sim_context(request)
    ident = str(request.path_params["image_id"])
    public = resolve_image(int(ident) if ident.isdigit() else ident)
    if public is not None:
        return json_response({"image": public.to_json()})
    with ctx.store.transaction(write=False):
        return json_response({"image": require(ctx.store.get_row(IMAGE, ident)).body})


def routes() -> list[BaseRoute]:
    """Image routes."""
    return [
        Route("/v2/images", list_images, methods=["GET"]),
        Route("/v2/images/{image_id}", get_image, methods=["GET"]),
        Route("/v2/images/{image_id}", delete_endpoint(IMAGE, "image_id"), methods=["DELETE"]),
    ]

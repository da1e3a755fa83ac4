"""Droplets: list/get/create/delete, delete by tag, and droplet actions.

Stored compactly (size/region/image slugs); :func:`render_droplets` expands a page into DO's
full shape with one batched query each for snapshot, backup and volume ids. List pages
(:func:`render_droplet_rows`) splice each droplet's fields that follow from its body alone,
encoded once per body text, with the related ids and backup window of the moment.

Create → 202 with ``status: new`` and empty ``networks``; after ``droplet_active_lag`` the
droplet is ``active`` with a private and a public v4 address and its ``create`` action is
``completed``. Droplet actions → 201 ``in-progress`` and complete after ``action_lag``. A droplet
with an action still in progress refuses another with 422 ("Droplet already has a pending
event."), and ``resize`` requires the droplet to be powered off first (422 otherwise), as DO
does; a disk resize cannot shrink the disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import bad_request, unprocessable
from arcadia_cloud_sim.api.kinds import (
    BACKUP,
    DROPLET,
    DROPLET_IDS,
    FIREWALL,
    LOAD_BALANCER,
    PRIVATE_IPS,
    PUBLIC_IPS,
    RESERVED_IP,
    SNAPSHOT,
    VOLUME,
    next_id,
)
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import assign_urn, urn
from arcadia_cloud_sim.catalog import (
    IMAGES,
    SIZES,
    image_fragment,
    region_fragment,
    resolve_image,
    resolve_region,
    size_fragment,
)
from arcadia_cloud_sim.compute.actions import (
    action_link,
    action_scope,
    in_progress_actions,
    on_effect,
    post_action_endpoint,
    render_action,
    resource_action_routes,
    start_action,
)
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.networking.addresses import networks_for, vpc_uuid
from arcadia_cloud_sim.storage import snapshots
from arcadia_cloud_sim.store import ResourceRow, iso

NAME_RE = re.compile(r"^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$")
ACTION_TYPES = frozenset(
    {"enable_backups", "disable_backups", "change_backup_policy", "reboot", "power_cycle",
     "shutdown", "power_off", "power_on", "restore", "password_reset", "resize", "rebuild",
     "rename", "change_kernel", "enable_ipv6", "snapshot"}
)
TAG_ACTION_TYPES = frozenset(
    {"power_cycle", "power_on", "power_off", "shutdown", "enable_ipv6", "enable_backups",
     "disable_backups", "snapshot"}
)


# -- model ------------------------------------------------------------------------------------
def new_droplet_body(
    *,
    droplet_id: int,
    name: str,
    region: str,
    size: str,
    image: str,
    created_at: float,
    tags: Sequence[str] = (),
    backups: bool = False,
    ipv6: bool = False,
    monitoring: bool = False,
    status: str = "new",
    networks: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stored body of a droplet."""
    features = ["private_networking"]
    if backups:
        features.insert(0, "backups")
    if ipv6:
        features.append("ipv6")
    if monitoring:
        features.append("monitoring")
    return {
        "id": droplet_id,
        "name": name,
        "size_slug": size,
        "disk": SIZES[size].disk,
        "region": region,
        "image": image,
        "status": status,
        "locked": False,
        "created_at": iso(created_at),
        "features": features,
        "tags": list(tags),
        "networks": networks or {"v4": [], "v6": []},
        "vpc_uuid": vpc_uuid(region),
        "backups": backups,
    }


def _backup_window(body: dict[str, Any], now: float) -> dict[str, str] | None:
    if not body.get("backups") or body["status"] == "new":
        return None
    day = int(now // 86400 + 1) * 86400
    return {"start": iso(day), "end": iso(day + 23 * 3600)}


def _static_fields(b: dict[str, Any]) -> dict[str, Any]:
    """The droplet object's fields that follow from its stored body and the catalog alone.

    The catalog parts (image, size, region) are pre-encoded ``orjson.Fragment`` values: send
    them through :func:`~arcadia_cloud_sim.api.envelopes.json_response` (orjson), not
    ``json.dumps``.
    """
    size = SIZES[b["size_slug"]]
    image = IMAGES.get(b["image"])
    return {
        "id": b["id"],
        "name": b["name"],
        "memory": size.memory,
        "vcpus": size.vcpus,
        "disk": b["disk"],
        "disk_info": [{"type": "local", "size": {"amount": b["disk"], "unit": "gib"}}],
        "locked": b["locked"],
        "status": b["status"],
        "kernel": None,
        "created_at": b["created_at"],
        "features": b["features"],
        "image": image_fragment(image.slug) if image else {"slug": b["image"]},
        "size": size_fragment(size.slug),
        "size_slug": b["size_slug"],
        "networks": b["networks"],
        "region": region_fragment(b["region"]),
        "tags": b["tags"],
        "vpc_uuid": b["vpc_uuid"],
    }


def _related_ids(
    ctx: SimContext, ids: Sequence[str], now: float
) -> dict[str, dict[str, list[Any]]]:
    """Snapshot, backup and volume ids of each droplet in ``ids`` (one query per kind)."""
    snaps, _ = ctx.store.list_rows(SNAPSHOT, parents=ids, json_eq={"resource_type": "droplet"},
                                   visible_at=now)
    backups, _ = ctx.store.list_rows(BACKUP, parents=ids)
    volumes, _ = ctx.store.list_rows(VOLUME, parents=ids)
    by_parent: dict[str, dict[str, list[Any]]] = {i: {"s": [], "b": [], "v": []} for i in ids}
    for r in snaps:
        by_parent[str(r.parent)]["s"].append(int(r.id))
    for r in backups:
        by_parent[str(r.parent)]["b"].append(int(r.id))
    for r in volumes:
        by_parent[str(r.parent)]["v"].append(r.id)
    return by_parent


def _dynamic_fields(related: dict[str, list[Any]], window: dict[str, str] | None) -> dict[str, Any]:
    """The fields that depend on other resources (and on the clock)."""
    return {
        "backup_ids": related["b"],
        "next_backup_window": window,
        "snapshot_ids": related["s"],
        "volume_ids": related["v"],
    }


def render_droplets(ctx: SimContext, bodies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """DO's droplet objects for ``bodies`` (batched lookups of related ids).

    Catalog parts are ``orjson.Fragment`` values (see :func:`_static_fields`).
    """
    ids = [str(b["id"]) for b in bodies]
    if not ids:
        return []
    now = ctx.clock.now()
    related = _related_ids(ctx, ids, now)
    return [
        {**_static_fields(b), **_dynamic_fields(related[i], _backup_window(b, now))}
        for i, b in zip(ids, bodies, strict=True)
    ]


#: Stored body text → (its static fields encoded, backups on, status): a list page splices these
#: in instead of parsing and re-encoding each body. Keyed by the exact text, so a changed body
#: is a new entry; cleared when it grows past the bound.
_STATIC_CACHE: dict[str, tuple[bytes, bool, str]] = {}
_STATIC_CACHE_MAX = 100_000


def _static_encoded(row: ResourceRow) -> tuple[bytes, bool, str]:
    hit = _STATIC_CACHE.get(row.body_json)
    if hit is None:
        b = row.body
        hit = (orjson.dumps(_static_fields(b)), bool(b.get("backups")), b["status"])
        if len(_STATIC_CACHE) >= _STATIC_CACHE_MAX:
            _STATIC_CACHE.clear()
        _STATIC_CACHE[row.body_json] = hit
    return hit


def warm_render_cache(ctx: SimContext) -> int:
    """Encode every live droplet's static fields (at startup); returns how many.

    The first list page is then served like the next ones.
    """
    rows, _ = ctx.store.list_rows(DROPLET)
    for row in rows:
        _static_encoded(row)
    return len(rows)


def render_droplet_rows(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[orjson.Fragment]:
    """A list page: the same objects as :func:`render_droplets`, spliced from encoded parts."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    now = ctx.clock.now()
    related = _related_ids(ctx, ids, now)
    out = []
    for row in rows:
        static, backups, status = _static_encoded(row)
        window = _backup_window({"backups": backups, "status": status}, now)
        dynamic = orjson.dumps(_dynamic_fields(related[row.id], window))
        out.append(orjson.Fragment(static[:-1] + b"," + dynamic[1:]))
    return out


def render_droplet(ctx: SimContext, body: dict[str, Any]) -> dict[str, Any]:
    """One DO droplet object."""
    return render_droplets(ctx, [body])[0]


def activate(ctx: SimContext, droplet_id: str) -> dict[str, Any] | None:
    """Give a ``new`` droplet its addresses and make it ``active`` (idempotent)."""
    row = ctx.store.get_row(DROPLET, droplet_id)
    if row is None:
        return None
    body = dict(row.body)
    if body["status"] == "new":
        body["status"] = "active"
        body["networks"] = networks_for(
            body["region"], next_id(ctx, PUBLIC_IPS), next_id(ctx, PRIVATE_IPS)
        )
        ctx.store.update(DROPLET, droplet_id, body)
    return body


@on_effect("droplet.activate")
def _effect_activate(ctx: SimContext, action: dict[str, Any], args: dict[str, Any],
                     due: float) -> bool:
    return activate(ctx, str(args["droplet_id"])) is not None


def delete_droplet(ctx: SimContext, row: ResourceRow) -> None:
    """Delete a droplet and detach it from volumes, IPs, firewalls and load balancers."""
    forget(ctx, DROPLET, row)
    now = ctx.clock.now()
    store = ctx.store
    droplet_id = int(row.id)
    for backup in store.list_rows(BACKUP, parent=row.id)[0]:
        store.delete(BACKUP, backup.id, at=now)
    for vol in store.list_rows(VOLUME, parent=row.id)[0]:
        store.update(VOLUME, vol.id, dict(vol.body, droplet_ids=[]), parent=None,
                     keep_parent=False)
    for ip in store.list_rows(RESERVED_IP, json_eq={"droplet_id": droplet_id})[0]:
        store.update(RESERVED_IP, ip.id, dict(ip.body, droplet_id=None))
    for kind in (FIREWALL, LOAD_BALANCER):
        for obj in store.list_rows(kind)[0]:
            ids = obj.body.get("droplet_ids") or []
            if droplet_id in ids:
                store.update(kind, obj.id,
                             dict(obj.body, droplet_ids=[i for i in ids if i != droplet_id]))


# -- validation -------------------------------------------------------------------------------
def _string_list(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise unprocessable(f"{key} must be a list of strings")
    return value


def _flag(payload: dict[str, Any], key: str) -> bool:
    value = payload.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise unprocessable(f"{key} must be a boolean")
    return value


def _validated_create(payload: dict[str, Any]) -> dict[str, Any]:
    if "name" in payload and "names" in payload:
        raise unprocessable("specify either name or names, not both")
    if "names" in payload:
        names = payload["names"]
        if not isinstance(names, list) or not names or len(names) > 10:
            raise unprocessable("names must be a list of 1 to 10 names")
    else:
        names = [payload.get("name")]
    for name in names:
        if not isinstance(name, str) or not name:
            raise unprocessable("name is required")
        if len(name) > 255 or not NAME_RE.match(name):
            raise unprocessable(
                f"Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -): {name}"
            )
    size = payload.get("size")
    if not isinstance(size, str) or size not in SIZES:
        raise unprocessable("You specified an invalid size for Droplet creation.")
    image = resolve_image(payload.get("image"))
    if image is None:
        raise unprocessable("You specified an invalid image for Droplet creation.")
    region_value = payload.get("region", "nyc3")
    region = resolve_region(region_value) if isinstance(region_value, str) else None
    if region is None:
        raise unprocessable("You specified an invalid region for Droplet creation.")
    if image.min_disk_size > SIZES[size].disk:
        raise unprocessable("You specified a size too small for the image.")
    user_data = payload.get("user_data")
    if user_data is not None and (not isinstance(user_data, str) or len(user_data) > 65536):
        raise unprocessable("user_data must be a string of at most 64 KiB")
    return {
        "names": names, "multi": "names" in payload, "size": size, "image": image.slug,
        "region": region,
        "tags": _string_list(payload, "tags"), "volumes": _string_list(payload, "volumes"),
        "backups": _flag(payload, "backups"), "ipv6": _flag(payload, "ipv6"),
        "monitoring": _flag(payload, "monitoring"),
    }


# -- handlers ---------------------------------------------------------------------------------
async def list_droplets(request: Request) -> Response:
    """GET /v2/droplets (filters ``tag_name``, ``name``, ``type``)."""
    ctx = sim_context(request)
    q = request.query_params
    tag, name, dtype = q.get("tag_name"), q.get("name"), q.get("type")
    if tag is not None and (name is not None or dtype is not None):
        raise bad_request("tag_name cannot be combined with name or type")
    if dtype not in (None, "droplets", "gpus"):
        raise bad_request("type must be droplets or gpus")

    def fetch(limit: int, offset: int) -> tuple[list[ResourceRow], int]:
        if dtype == "gpus":  # the catalog has no GPU sizes
            return [], 0
        return ctx.store.list_rows(DROPLET, tag=tag, name=name, limit=limit, offset=offset)

    with ctx.store.transaction(write=False):
        return paginate(request, fetch, "droplets",
                        render=lambda rows: render_droplet_rows(ctx, rows))


async def get_droplet(request: Request) -> Response:
    """GET /v2/droplets/{droplet_id}."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        row = require(ctx.store.get_row(DROPLET, str(request.path_params["droplet_id"])))
        return json_response({"droplet": render_droplet(ctx, row.body)})


async def create_droplets(request: Request) -> Response:
    """POST /v2/droplets → 202 (single or multi-create)."""
    ctx = sim_context(request)
    spec = _validated_create(await read_json(request))
    created: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    with ctx.store.transaction():
        volumes = []
        for vol_id in spec["volumes"]:
            vol = ctx.store.get_row(VOLUME, vol_id)
            if vol is None:
                raise unprocessable(f"volume {vol_id} not found")
            if vol.parent is not None:
                raise unprocessable(f"volume {vol_id} is already attached to a droplet")
            if vol.body["region"] != spec["region"]:
                raise unprocessable(f"volume {vol_id} is in another region")
            volumes.append(vol)
        if volumes and len(spec["names"]) > 1:
            raise unprocessable("volumes can only be attached on single-droplet creation")
        for name in spec["names"]:
            droplet_id = next_id(ctx, DROPLET_IDS)
            now = ctx.clock.now()
            body = new_droplet_body(
                droplet_id=droplet_id, name=name, region=spec["region"], size=spec["size"],
                image=spec["image"], created_at=now, tags=spec["tags"],
                backups=spec["backups"], ipv6=spec["ipv6"], monitoring=spec["monitoring"],
            )
            ctx.store.insert(DROPLET, str(droplet_id), body, created_at=now, name=name)
            for vol in volumes:
                ctx.store.update(VOLUME, vol.id, dict(vol.body, droplet_ids=[droplet_id]),
                                 parent=str(droplet_id))
            assign_urn(ctx, urn("droplet", droplet_id))
            action = start_action(
                ctx, type="create", resource_type="droplet", resource_id=droplet_id,
                region=spec["region"], delay=ctx.settings.droplet_active_lag,
                effect="droplet.activate", effect_args={"droplet_id": droplet_id},
            )
            created.append(render_droplet(ctx, body))
            links.append(action_link(request, action["id"], "create"))
    if not spec["multi"]:
        return json_response({"droplet": created[0], "links": {"actions": links}}, 202)
    return json_response({"droplets": created, "links": {"actions": links}}, 202)


async def delete_droplet_route(request: Request) -> Response:
    """DELETE /v2/droplets/{droplet_id} → 204."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(DROPLET, str(request.path_params["droplet_id"])))
        delete_droplet(ctx, row)
    return no_content()


async def delete_by_tag(request: Request) -> Response:
    """DELETE /v2/droplets?tag_name=X → 204 (every droplet carrying the tag)."""
    ctx = sim_context(request)
    tag = request.query_params.get("tag_name")
    if not tag:
        raise bad_request("tag_name is required")
    with ctx.store.transaction():
        rows, _ = ctx.store.list_rows(DROPLET, tag=tag)
        for row in rows:
            delete_droplet(ctx, row)
    return no_content()


# -- droplet actions --------------------------------------------------------------------------
def _start_droplet_action(
    ctx: SimContext, row: ResourceRow, payload: dict[str, Any]
) -> dict[str, Any]:
    """Validate and start one action on one droplet; returns the action body."""
    body = row.body
    action_type = payload.get("type")
    if action_type not in ACTION_TYPES:
        raise unprocessable(f"invalid action type: {action_type!r}")
    if in_progress_actions(ctx, action_scope("droplet", body["id"])):
        raise unprocessable("Droplet already has a pending event.")
    args: dict[str, Any] = {"droplet_id": body["id"]}
    effect = "droplet.noop"
    if action_type == "snapshot":
        name = payload.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise unprocessable("name must be a non-empty string")
        args["name"] = name or snapshots.default_snapshot_name(
            body["name"], int(ctx.clock.now() * 1000)
        )
        effect = "droplet.snapshot"
    elif action_type == "resize":
        size = payload.get("size")
        if not isinstance(size, str) or size not in SIZES:
            raise unprocessable("You specified an invalid size for Droplet resize.")
        disk = payload.get("disk", False)
        if not isinstance(disk, bool):
            raise unprocessable("disk must be a boolean")
        if body["status"] != "off":
            raise unprocessable(
                "Droplet is currently on. Please power it off to run this event."
            )
        if SIZES[size].disk < body["disk"]:
            raise unprocessable("Size can not decrease size of Droplet's disk image")
        args.update(size=size, disk=disk)
        effect = "droplet.resize"
    elif action_type in {"power_off", "shutdown"}:
        effect, args["status"] = "droplet.status", "off"
    elif action_type in {"power_on", "reboot", "power_cycle"}:
        effect, args["status"] = "droplet.status", "active"
    elif action_type == "rename":
        name = payload.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise unprocessable("name must be a valid hostname")
        effect, args["name"] = "droplet.rename", name
    elif action_type in {"enable_backups", "disable_backups"}:
        effect, args["backups"] = "droplet.backups", action_type == "enable_backups"
    elif action_type == "rebuild":
        image = resolve_image(payload.get("image"))
        if image is None:
            raise unprocessable("You specified an invalid image for Droplet rebuild.")
        effect, args["image"] = "droplet.rebuild", image.slug
    return start_action(
        ctx, type=action_type, resource_type="droplet", resource_id=body["id"],
        region=body["region"], delay=ctx.settings.action_lag, effect=effect, effect_args=args,
    )


#: Changes a droplet's stored body copy when its action completes; returns the body to store,
#: or None when the effect stored what it changed itself.
Mutation = Callable[[SimContext, dict[str, Any], dict[str, Any], float], dict[str, Any] | None]


def droplet_named_in(ctx: SimContext, payload: dict[str, Any]) -> ResourceRow:
    """The droplet ``payload["droplet_id"]`` names (400 without an integer, 404 if none)."""
    droplet_id = payload.get("droplet_id")
    if not isinstance(droplet_id, int) or isinstance(droplet_id, bool):
        raise bad_request("droplet_id is required")
    return require(ctx.store.get_row(DROPLET, str(droplet_id)))


def missing_droplets(ctx: SimContext, droplet_ids: Sequence[int]) -> list[int]:
    """The ids in ``droplet_ids`` that name no live droplet."""
    return [d for d in droplet_ids if ctx.store.get_row(DROPLET, str(d)) is None]


def _droplet_effect(name: str) -> Callable[[Mutation], Mutation]:
    """Register ``mutate`` as effect ``name``: the action errors when the droplet is gone."""

    def register(mutate: Mutation) -> Mutation:
        @on_effect(name)
        def effect(ctx: SimContext, action: dict[str, Any], args: dict[str, Any],
                   due: float) -> bool:
            row = ctx.store.get_row(DROPLET, str(args["droplet_id"]))
            if row is None:
                return False
            body = mutate(ctx, dict(row.body), args, due)
            if body is not None:
                ctx.store.update(DROPLET, row.id, body, name=body["name"])
            return True

        return mutate

    return register


@_droplet_effect("droplet.noop")
def _noop(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
          due: float) -> dict[str, Any] | None:
    return None


@_droplet_effect("droplet.status")
def _status(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
            due: float) -> dict[str, Any] | None:
    return dict(body, status=args["status"])


@_droplet_effect("droplet.rename")
def _rename(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
            due: float) -> dict[str, Any] | None:
    return dict(body, name=args["name"])


@_droplet_effect("droplet.backups")
def _backups(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
             due: float) -> dict[str, Any] | None:
    features = [f for f in body["features"] if f != "backups"]
    return dict(body, backups=args["backups"],
                features=(["backups"] if args["backups"] else []) + features)


@_droplet_effect("droplet.rebuild")
def _rebuild(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
             due: float) -> dict[str, Any] | None:
    return dict(body, image=args["image"])


def apply_resize(ctx: SimContext, body: dict[str, Any], size: str, *, disk: bool) -> None:
    """Change a droplet's size (and its disk when ``disk`` is true or the disk must grow)."""
    body = dict(body, size_slug=size)
    if disk:
        body["disk"] = max(body["disk"], SIZES[size].disk)
    ctx.store.update(DROPLET, str(body["id"]), body)


@_droplet_effect("droplet.resize")
def _resize(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
            due: float) -> dict[str, Any] | None:
    apply_resize(ctx, body, args["size"], disk=args["disk"])
    return None


@_droplet_effect("droplet.snapshot")
def _snapshot(ctx: SimContext, body: dict[str, Any], args: dict[str, Any],
              due: float) -> dict[str, Any] | None:
    snapshots.create_snapshot(
        ctx, resource_type="droplet", resource_id=str(body["id"]), name=args["name"],
        regions=[body["region"]], min_disk_size=body["disk"],
        size_gigabytes=round(body["disk"] * 0.09 + 0.41, 2), tags=list(body["tags"]),
        created_at=due,
    )
    return None


async def post_action_by_tag(request: Request) -> Response:
    """POST /v2/droplets/actions?tag_name=X → 201 ``{actions: [...]}``."""
    ctx = sim_context(request)
    tag = request.query_params.get("tag_name")
    if not tag:
        raise bad_request("tag_name is required")
    payload = await read_json(request)
    if payload.get("type") not in TAG_ACTION_TYPES:
        raise unprocessable(f"action type {payload.get('type')!r} is not allowed by tag")
    with ctx.store.transaction():
        rows, _ = ctx.store.list_rows(DROPLET, tag=tag)
        actions = [_start_droplet_action(ctx, row, payload) for row in rows]
    return json_response({"actions": [render_action(a) for a in actions]}, 201)


def routes() -> list[BaseRoute]:
    """Droplet routes."""
    return [
        Route("/v2/droplets", list_droplets, methods=["GET"]),
        Route("/v2/droplets", create_droplets, methods=["POST"]),
        Route("/v2/droplets", delete_by_tag, methods=["DELETE"]),
        Route("/v2/droplets/actions", post_action_by_tag, methods=["POST"]),
        Route("/v2/droplets/{droplet_id:int}", get_droplet, methods=["GET"]),
        Route("/v2/droplets/{droplet_id:int}", delete_droplet_route, methods=["DELETE"]),
        Route("/v2/droplets/{droplet_id:int}/actions",
              post_action_endpoint(DROPLET, "droplet_id", _start_droplet_action, status=201),
              methods=["POST"]),
        *resource_action_routes("/v2/droplets/{droplet_id:int}", kind=DROPLET,
                                param="droplet_id", scope=lambda i: action_scope(DROPLET, i)),
    ]

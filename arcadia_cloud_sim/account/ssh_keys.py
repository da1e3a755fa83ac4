"""SSH keys of the account (``/v2/account/keys``), by id or fingerprint.

DO allows 10 ``GET /v2/account/keys`` per 60 s per token, on top of the global budget: the
middleware enforces it (``ratelimit.ENDPOINT_LIMITS``). Keys are seeded; read and deleted
through the API.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow

SSH_KEY = "ssh_key"
SSH_KEY_IDS = ("ssh_key", 41_200_001)
_SEEDED = ("ops-laptop", "ci-deployer", "acme-oncall", "globex-etl")


def new_key_body(*, key_id: int, name: str, key_bytes: bytes) -> dict[str, Any]:
    """The stored (and rendered) body of an ed25519 key: its MD5 fingerprint, as DO shows."""
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + key_bytes[:32].ljust(32, b"\0")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return {
        "id": key_id,
        "fingerprint": ":".join(digest[i:i + 2] for i in range(0, 32, 2)),
        "public_key": f"ssh-ed25519 {base64.b64encode(blob).decode()} {name}",
        "name": name,
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's SSH keys."""
    first = world.ctx.store.reserve_ids(SSH_KEY_IDS[0], len(_SEEDED), start=SSH_KEY_IDS[1])
    rows = []
    for i, name in enumerate(_SEEDED):
        body = new_key_body(key_id=first + i, name=name,
                            key_bytes=world.rng.getrandbits(256).to_bytes(32, "big"))
        rows.append(NewResource(SSH_KEY, str(body["id"]), body, world.at, name=body["fingerprint"]))
    return rows


def _find(ctx: SimContext, identifier: str) -> ResourceRow:
    """A key by id or by fingerprint (the row's name)."""
    row = ctx.store.get_row(SSH_KEY, identifier)
    if row is None:
        rows, _ = ctx.store.list_rows(SSH_KEY, name=identifier, limit=1)
        row = rows[0] if rows else None
    return require(row)


async def get_key(request: Request) -> Response:
    """GET /v2/account/keys/{ssh_key_identifier} (an id or a fingerprint)."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        row = _find(ctx, str(request.path_params["ssh_key_identifier"]))
        return json_response({"ssh_key": row.body})


async def delete_key(request: Request) -> Response:
    """DELETE /v2/account/keys/{ssh_key_identifier} → 204."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        forget(ctx, SSH_KEY, _find(ctx, str(request.path_params["ssh_key_identifier"])))
    return no_content()


def routes() -> list[BaseRoute]:
    """SSH key routes."""
    one = "/v2/account/keys/{ssh_key_identifier}"
    return [
        Route("/v2/account/keys", list_endpoint(SSH_KEY, "ssh_keys"), methods=["GET"]),
        Route(one, get_key, methods=["GET"]),
        Route(one, delete_key, methods=["DELETE"]),
    ]

"""TLS certificates (``/v2/certificates``): custom uploads and Let's Encrypt ones.

Listed, read and deleted through the API (``?name=`` filters the list); the ``default``
scenario seeds one certificate per CDN-fronted or web-facing zone. DO lists no certificate
under a project: inventory attributes one through what uses it (a CDN endpoint or load
balancer) or the zones it names.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.routing import BaseRoute

from arcadia_cloud_sim.api.endpoints import by_name
from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.store import NewResource, iso

CERTIFICATE = "certificate"
DAY = 86400.0
#: name, type, DNS names (the first is the zone)
_SEEDED = (
    ("acme-store-cdn", "custom", ["assets.acme-store.com"]),
    ("acme-store-le", "lets_encrypt", ["acme-store.com", "www.acme-store.com"]),
    ("globex-io-le", "lets_encrypt", ["globex.io", "www.globex.io"]),
)


def new_certificate_body(*, certificate_id: str, name: str, type: str, dns_names: list[str],
                         created_at: float, state: str = "verified") -> dict[str, Any]:
    """The stored (and rendered) body of a certificate (valid 90 days from creation)."""
    digest = hashlib.sha1(f"{certificate_id}:{name}".encode(), usedforsecurity=False)
    return {
        "id": certificate_id, "name": name, "not_after": iso(created_at + 90 * DAY),
        "sha1_fingerprint": digest.hexdigest(), "created_at": iso(created_at),
        "dns_names": dns_names, "state": state, "type": type,
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's certificates."""
    rows = []
    for name, kind, dns_names in _SEEDED:
        body = new_certificate_body(certificate_id=world.uuid(), name=name, type=kind,
                                    dns_names=dns_names, created_at=world.at)
        rows.append(NewResource(CERTIFICATE, body["id"], body, world.at, name=name))
    return rows


def certificate_id(ctx: SimContext, name: str) -> str | None:
    """The id of the certificate called ``name``."""
    rows, _ = ctx.store.list_rows(CERTIFICATE, name=name, limit=1)
    return rows[0].id if rows else None


def routes() -> list[BaseRoute]:
    """Certificate routes."""
    return kind_routes("/v2/certificates", CERTIFICATE, plural="certificates",
                       singular="certificate", param="certificate_id", filters=by_name)

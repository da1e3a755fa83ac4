"""CDN endpoints (``/v2/cdn/endpoints``) in front of Spaces buckets.

DO limits every ``/v2/cdn/endpoints*`` request to 5 per 10 s per token, on top of the global
budget: the middleware enforces it (``ratelimit.ENDPOINT_LIMITS``). The ``default`` scenario
seeds one endpoint per public bucket; the acme one serves a custom domain with its certificate.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.networking.certificates import CERTIFICATE
from arcadia_cloud_sim.store import NewResource, iso

CDN_ENDPOINT = "cdn_endpoint"
#: bucket, region, TTL, custom domain, certificate name
_SEEDED = (
    ("acme-assets", "nyc3", 3600, "assets.acme-store.com", "acme-store-cdn"),
    ("platform-artifacts", "ams3", 86400, None, None),
)


def new_endpoint_body(*, endpoint_id: str, bucket: str, region: str, ttl: int,
                      created_at: float, custom_domain: str | None = None,
                      certificate_id: str | None = None) -> dict[str, Any]:
    """The stored (and rendered) body of a CDN endpoint for a Spaces bucket."""
    body: dict[str, Any] = {
        "id": endpoint_id, "origin": f"{bucket}.{region}.digitaloceanspaces.com",
        "endpoint": f"{bucket}.{region}.cdn.digitaloceanspaces.com", "ttl": ttl,
        "created_at": iso(created_at),
    }
    if custom_domain:
        body.update(custom_domain=custom_domain, certificate_id=certificate_id)
    return body


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's CDN endpoints (after its certificates)."""
    rows = []
    certs = {r.name: r.id for r in world.pending if r.kind == CERTIFICATE}
    for bucket, region, ttl, domain, cert in _SEEDED:
        body = new_endpoint_body(endpoint_id=world.uuid(), bucket=bucket, region=region, ttl=ttl,
                                 created_at=world.at, custom_domain=domain,
                                 certificate_id=certs.get(cert) if cert else None)
        rows.append(NewResource(CDN_ENDPOINT, body["id"], body, world.at, name=body["origin"]))
    return rows


def routes() -> list[BaseRoute]:
    """CDN endpoint routes."""
    return kind_routes("/v2/cdn/endpoints", CDN_ENDPOINT, plural="endpoints",
                       singular="endpoint", param="cdn_id")

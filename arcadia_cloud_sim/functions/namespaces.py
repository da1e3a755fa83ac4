"""Functions namespaces (``/v2/functions/namespaces``), by their ``fn-…`` namespace id.

DO lists every namespace in one response, ``{"namespaces": [...]}``: the spec's
``functions_list_namespaces`` takes no ``page``/``per_page`` and answers no ``links``/``meta``
(pydo's ``functions.list_namespaces`` has no paging arguments either).

A namespace carries its access ``key`` (a secret, as at DO): the client keeps it out of its
models and inventory never stores it.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import delete_endpoint, get_endpoint, whole_list_endpoint
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.store import NewResource, iso

NAMESPACE = "functions_namespace"
_SEEDED = (("acme-webhooks", "nyc1"), ("platform-cron", "ams3"))
_HOSTS = {"nyc1": "faas-nyc1-2ef2e6cc.doserverless.co",
          "ams3": "faas-ams3-6d4fa9d2.doserverless.co"}


def new_namespace_body(*, uuid: str, label: str, region: str, created_at: float,
                       key: str) -> dict[str, Any]:
    """The stored (and rendered) body of a namespace."""
    return {
        "api_host": f"https://{_HOSTS.get(region, f'faas-{region}.doserverless.co')}",
        "namespace": f"fn-{uuid}", "created_at": iso(created_at),
        "updated_at": iso(created_at), "label": label, "region": region, "uuid": uuid,
        "key": key,
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's namespaces (their keys are random, never seeded)."""
    rows = []
    for label, region in _SEEDED:
        body = new_namespace_body(uuid=world.uuid(), label=label, region=region,
                                  created_at=world.at, key=secrets.token_hex(32))
        rows.append(NewResource(NAMESPACE, body["namespace"], body, world.at, name=label))
    return rows


def routes() -> list[BaseRoute]:
    """Namespace routes."""
    one = "/v2/functions/namespaces/{namespace_id}"
    return [
        Route("/v2/functions/namespaces", whole_list_endpoint(NAMESPACE, "namespaces"),
              methods=["GET"]),
        Route(one, get_endpoint(NAMESPACE, "namespace", "namespace_id"), methods=["GET"]),
        Route(one, delete_endpoint(NAMESPACE, "namespace_id"), methods=["DELETE"]),
    ]

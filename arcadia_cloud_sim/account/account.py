"""``/v2/account`` plus the catalog endpoints ``/v2/regions`` and ``/v2/sizes`` (images:
``compute.images``)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.envelopes import json_response
from arcadia_cloud_sim.api.errors import not_found
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.catalog import REGION_NAMES, SIZES, region_json
from arcadia_cloud_sim.context import SimContext, sim_context

ACCOUNT_KEY = "account"


def set_account(ctx: SimContext, account: dict[str, Any]) -> None:
    """Store the account object (seeded by the scenario)."""
    ctx.store.meta_set(ACCOUNT_KEY, json.dumps(account))


async def get_account(request: Request) -> Response:
    """GET /v2/account."""
    raw = sim_context(request).store.meta_get(ACCOUNT_KEY)
    if raw is None:
        raise not_found()
    return json_response({"account": json.loads(raw)})


async def list_regions(request: Request) -> Response:
    """GET /v2/regions."""
    return paginate(request, [region_json(s) for s in sorted(REGION_NAMES)], "regions")


async def list_sizes(request: Request) -> Response:
    """GET /v2/sizes."""
    return paginate(request, [s.to_json() for s in SIZES.values()], "sizes")


def routes() -> list[BaseRoute]:
    """Account and catalog routes."""
    return [
        Route("/v2/account", get_account, methods=["GET"]),
        Route("/v2/regions", list_regions, methods=["GET"]),
        Route("/v2/sizes", list_sizes, methods=["GET"]),
    ]

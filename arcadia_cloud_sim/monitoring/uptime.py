"""Uptime checks (``/v2/uptime/checks``) and their state (``…/{check_id}/state``).

A check's state (per probe region: ``UP``/``DOWN``/``CHECKING``, since when, 30-day uptime;
the previous outage) is stored beside it as an ``uptime_check_state`` row, so a test can turn
a check ``DOWN`` through ``/_sim/resources/uptime_check_state/<id>``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content
from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.store import NewResource, iso

UPTIME_CHECK = "uptime_check"
UPTIME_STATE = "uptime_check_state"
#: name, type, target (``{ip:<droplet>}`` is the droplet's address), status
_SEEDED = (
    ("acme storefront", "https", "https://acme-store.com", "UP"),
    ("globex api", "https", "https://globex.io/health", "UP"),
    ("platform ci ping", "ping", "{ip:platform-ci-1}", "DOWN"),
)


def new_check_body(*, check_id: str, name: str, type: str, target: str,
                   regions: list[str], enabled: bool = True) -> dict[str, Any]:
    """The stored (and rendered) body of an uptime check."""
    return {"id": check_id, "name": name, "type": type, "target": target, "regions": regions,
            "enabled": enabled}


def new_state_body(*, status: str, since: float, regions: list[str]) -> dict[str, Any]:
    """The stored (and rendered) state of a check, the same in every probe region."""
    uptime = 100.0 if status == "UP" else 97.25
    return {
        "regions": {r: {"status": status, "status_changed_at": iso(since),
                        "thirty_day_uptime_percentage": uptime} for r in regions},
        "previous_outage": {"region": regions[0], "started_at": iso(since - 3600),
                            "ended_at": iso(since - 3000), "duration_seconds": 600},
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's uptime checks and their states."""
    rows = []
    regions = ["us_east", "eu_west"]
    for name, type, target, status in _SEEDED:
        if target.startswith("{ip:"):
            target = world.public_ips[target[4:-1]]
        body = new_check_body(check_id=world.uuid(), name=name, type=type, target=target,
                              regions=regions)
        rows.append(NewResource(UPTIME_CHECK, body["id"], body, world.at, name=name))
        state = new_state_body(status=status, since=world.at, regions=regions)
        rows.append(NewResource(UPTIME_STATE, body["id"], state, world.at, parent=body["id"]))
    return rows


async def get_state(request: Request) -> Response:
    """GET /v2/uptime/checks/{check_id}/state."""
    ctx = sim_context(request)
    check_id = str(request.path_params["check_id"])
    with ctx.store.transaction(write=False):
        require(ctx.store.get_row(UPTIME_CHECK, check_id))
        state = ctx.store.get_row(UPTIME_STATE, check_id)
        body = state.body if state else {"regions": {}, "previous_outage": {}}
        return json_response({"state": body})


async def delete_check(request: Request) -> Response:
    """DELETE /v2/uptime/checks/{check_id} → 204 (its state goes with it)."""
    ctx = sim_context(request)
    check_id = str(request.path_params["check_id"])
    with ctx.store.transaction():
        forget(ctx, UPTIME_CHECK, require(ctx.store.get_row(UPTIME_CHECK, check_id)))
        ctx.store.purge(UPTIME_STATE, check_id)
    return no_content()


def routes() -> list[BaseRoute]:
    """Uptime check routes."""
    return [
        *kind_routes("/v2/uptime/checks", UPTIME_CHECK, plural="checks", singular="check",
                     param="check_id", delete=False),
        Route("/v2/uptime/checks/{check_id}", delete_check, methods=["DELETE"]),
        Route("/v2/uptime/checks/{check_id}/state", get_state, methods=["GET"]),
    ]

"""App Platform apps and their alerts (read, and delete an app).

Apps are no project resources in DO's spec (its URN pattern has no ``app``): an app's project is
its ``project_id``, which DO includes only with ``?with_projects=true``. Alerts are stored as
child rows (``parent`` = app id) and listed whole, unpaginated, as DO does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import (
    get_endpoint,
    list_endpoint,
    parent_id,
    require,
    whole_list_endpoint,
)
from arcadia_cloud_sim.api.envelopes import json_response
from arcadia_cloud_sim.api.kinds import APP, APP_ALERT
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, ResourceRow, iso

#: App Platform regions: slug → (label, flag, continent, data centres).
APP_REGIONS: dict[str, tuple[str, str, str, list[str]]] = {
    "nyc": ("New York", "usa", "North America", ["nyc1", "nyc3"]),
    "ams": ("Amsterdam", "netherlands", "Europe", ["ams3"]),
    "fra": ("Frankfurt", "germany", "Europe", ["fra1"]),
}


def _with_projects(request: Request) -> bool:
    return request.query_params.get("with_projects", "").lower() == "true"


def _render(request: Request) -> Callable[[SimContext, Sequence[ResourceRow]], list[Any]]:
    keep = _with_projects(request)

    def render(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[Any]:
        if keep:
            return [row.body for row in rows]
        return [{k: v for k, v in row.body.items() if k != "project_id"} for row in rows]

    return render


async def list_apps(request: Request) -> Response:
    """GET /v2/apps (``with_projects=true`` adds each app's ``project_id``)."""
    return await list_endpoint(APP, "apps", render=_render(request))(request)


async def get_app(request: Request) -> Response:
    """GET /v2/apps/{id}."""
    return await get_endpoint(APP, "app", "id", render=_render(request))(request)


async def delete_app(request: Request) -> Response:
    """DELETE /v2/apps/{id} → 200 ``{"id": ...}``; its alerts go with it."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(APP, request.path_params["id"]))
        now = ctx.clock.now()
        for alert in ctx.store.list_rows(APP_ALERT, parent=row.id)[0]:
            ctx.store.delete(APP_ALERT, alert.id, at=now)
        ctx.store.delete(APP, row.id, at=now)
    return json_response({"id": row.id})


def routes() -> list[BaseRoute]:
    """App and app alert routes."""
    alerts = whole_list_endpoint(
        APP_ALERT, "alerts",
        filters=lambda request, ctx: {"parent": parent_id(request, APP, "app_id")})
    return [
        Route("/v2/apps", list_apps, methods=["GET"]),
        Route("/v2/apps/{id}", get_app, methods=["GET"]),
        Route("/v2/apps/{id}", delete_app, methods=["DELETE"]),
        Route("/v2/apps/{app_id}/alerts", alerts, methods=["GET"]),
    ]


def new_app_body(*, app_id: str, deployment_id: str, name: str, region: str, tier: str,
                 spec: Mapping[str, Any], project_id: str, owner_uuid: str,
                 created_at: float) -> dict[str, Any]:
    """The stored body of a live app (one active deployment; ``spec`` without name/region)."""
    label, flag, continent, data_centers = APP_REGIONS[region]
    full_spec = {"name": name, "region": region, **spec}
    ingress = f"https://{name}-{app_id[:5]}.ondigitalocean.app"
    at = iso(created_at)
    return {
        "id": app_id, "owner_uuid": owner_uuid, "spec": full_spec, "default_ingress": ingress,
        "created_at": at, "updated_at": at, "last_deployment_created_at": at,
        "active_deployment": {
            "id": deployment_id, "spec": full_spec, "cause": "initial deployment",
            "phase": "ACTIVE", "tier_slug": tier, "created_at": at, "updated_at": at,
            "phase_last_updated_at": at,
            "progress": {"success_steps": 6, "total_steps": 6, "steps": []},
        },
        "live_url": ingress, "live_url_base": ingress, "live_domain": ingress[8:],
        "region": {"slug": region, "label": label, "flag": flag, "continent": continent,
                   "data_centers": data_centers},
        "tier_slug": tier, "project_id": project_id, "domains": [],
    }


def alert_body(*, alert_id: str, rule: str, emails: list[str], at: float,
               **condition: Any) -> dict[str, Any]:
    """The stored body of an app alert (``condition``: operator, value, window)."""
    step = {"name": "alert-configure-insight-alert", "status": "SUCCESS",
            "started_at": iso(at), "ended_at": iso(at)}
    return {"id": alert_id, "spec": {"rule": rule, **condition}, "emails": emails,
            "phase": "ACTIVE", "progress": {"steps": [step]}}


# -- the default scenario -------------------------------------------------------------------
def _service(name: str, size: str, count: int, repo: str) -> dict[str, Any]:
    return {"name": name, "git": {"repo_clone_url": repo, "branch": "main"},
            "environment_slug": "node-js", "instance_size_slug": size,
            "instance_count": count, "http_port": 8080, "routes": [{"path": "/"}]}


#: name, region, tier, project, spec (without name and region).
_APPS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("acme-storefront", "nyc", "professional", "acme", {"services": [
        _service("web", "apps-d-1vcpu-1gb", 2, "https://github.com/acme/storefront.git")]}),
    ("platform-status", "ams", "basic", "platform", {"static_sites": [
        {"name": "status", "git": {"repo_clone_url": "https://github.com/arcadia/status.git",
                                   "branch": "main"}, "routes": [{"path": "/"}]}]}),
)


def seed_default(*, new_uuid: Callable[[], str], projects: Mapping[str, str], at: float,
                 owner_uuid: str) -> list[NewResource]:
    """The default scenario's apps, each with a deployment-failed and a CPU alert."""
    rows: list[NewResource] = []
    for name, region, tier, tenant, spec in _APPS:
        app_id = new_uuid()
        body = new_app_body(app_id=app_id, deployment_id=new_uuid(), name=name, region=region,
                            tier=tier, spec=spec, project_id=projects[tenant],
                            owner_uuid=owner_uuid, created_at=at)
        rows.append(NewResource(APP, app_id, body, at, name=name))
        emails = [f"ops+{tenant}@arcadia-cloud.dev"]
        for alert in (alert_body(alert_id=new_uuid(), rule="DEPLOYMENT_FAILED", emails=emails,
                                 at=at),
                      alert_body(alert_id=new_uuid(), rule="CPU_UTILIZATION", emails=emails,
                                 at=at, operator="GREATER_THAN", value=85.0,
                                 window="FIVE_MINUTES")):
            rows.append(NewResource(APP_ALERT, alert["id"], alert, at, parent=app_id,
                                    name=alert["spec"]["rule"]))
    return rows

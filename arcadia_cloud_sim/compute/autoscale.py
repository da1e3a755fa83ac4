"""Droplet autoscale pools (``/v2/droplets/autoscale``): a droplet template (region, size,
image, tags, project) scaled between ``min_instances`` and ``max_instances``. The list takes
DO's ``?name=`` filter (the spec's ``autoscalepools_list``).

``DELETE`` answers 202 with no body (the pool deletes asynchronously at DO; here at once).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import by_name, forget, require
from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.store import NewResource, iso

AUTOSCALE_POOL = "autoscale_pool"
#: name, tenant, region, size, min, max, target CPU, active
_SEEDED = (("acme-web-pool", "acme", "nyc3", "s-1vcpu-2gb", 2, 6, 0.6, 2),
           ("globex-etl-workers", "globex", "ams3", "s-2vcpu-4gb", 1, 10, 0.75, 3))


def new_pool_body(*, pool_id: str, name: str, region: str, size: str, project_id: str,
                  min_instances: int, max_instances: int, target_cpu: float, active: int,
                  tags: list[str], created_at: float) -> dict[str, Any]:
    """The stored (and rendered) body of an autoscale pool."""
    return {
        "id": pool_id, "name": name,
        "config": {"min_instances": min_instances, "max_instances": max_instances,
                   "target_cpu_utilization": target_cpu, "cooldown_minutes": 5},
        "droplet_template": {"name": name, "region": region, "size": size,
                             "image": "ubuntu-24-04-x64", "ssh_keys": [], "tags": tags,
                             "project_id": project_id, "with_droplet_agent": True,
                             "ipv6": False, "public_networking": True},
        "created_at": iso(created_at), "updated_at": iso(created_at), "status": "active",
        "active_resources_count": active,
        "current_utilization": {"cpu": round(target_cpu * 0.8, 2), "memory": 0.41},
    }


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's autoscale pools."""
    rows = []
    for name, tenant, region, size, low, high, cpu, active in _SEEDED:
        body = new_pool_body(pool_id=world.uuid(), name=name, region=region, size=size,
                             project_id=world.projects[tenant], min_instances=low,
                             max_instances=high, target_cpu=cpu, active=active,
                             tags=[tenant, "autoscale"], created_at=world.at)
        rows.append(NewResource(AUTOSCALE_POOL, body["id"], body, world.at, name=name))
    return rows


async def delete_pool(request: Request) -> Response:
    """DELETE /v2/droplets/autoscale/{autoscale_pool_id} → 202."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(AUTOSCALE_POOL,
                                        str(request.path_params["autoscale_pool_id"])))
        forget(ctx, AUTOSCALE_POOL, row)
    return Response(status_code=202)


def routes() -> list[BaseRoute]:
    """Autoscale pool routes."""
    return [
        *kind_routes("/v2/droplets/autoscale", AUTOSCALE_POOL, plural="autoscale_pools",
                     singular="autoscale_pool", param="autoscale_pool_id", filters=by_name,
                     delete=False),
        Route("/v2/droplets/autoscale/{autoscale_pool_id}", delete_pool, methods=["DELETE"]),
    ]

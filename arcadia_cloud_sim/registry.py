"""Every kind module the simulator serves, by API family, in route order.

The first route that matches a request wins, so order is part of the registration: a literal
path (``/v2/projects/default``) comes before the parameter that would also match it
(``/v2/projects/{project_id}``). ``tests/sim/test_routes.py`` checks that no route is shadowed.
A new kind is a module with ``routes()`` named on its family's line; a new family (apps,
databases, kubernetes…) is a package holding its kind modules and one more line here.
"""

from __future__ import annotations

from types import ModuleType

from starlette.routing import BaseRoute, Mount

from arcadia_cloud_sim import admin
from arcadia_cloud_sim.account import account, projects
from arcadia_cloud_sim.api.family import routes_of
from arcadia_cloud_sim.apps import apps
from arcadia_cloud_sim.billing import endpoints as billing
from arcadia_cloud_sim.billing import finance, insights
from arcadia_cloud_sim.compute import actions, droplets
from arcadia_cloud_sim.databases import clusters as database_clusters
from arcadia_cloud_sim.kubernetes import clusters as kubernetes_clusters
from arcadia_cloud_sim.networking import domains, firewalls, load_balancers, reserved_ips, vpcs
from arcadia_cloud_sim.seeds import ACCOUNT_KINDS  # certificates … autoscale pools (#13)
from arcadia_cloud_sim.storage import snapshots, spaces, volumes

#: The DO resource families and their kinds (the conformance tour covers every one of them).
RESOURCE_FAMILIES: dict[str, tuple[ModuleType, ...]] = {
    "account": (account, projects),
    "compute": (actions, droplets),
    "storage": (snapshots, volumes),
    "networking": (reserved_ips, firewalls, load_balancers, domains, vpcs),
    "apps": (apps,),
    "databases": (database_clusters,),
    "kubernetes": (kubernetes_clusters,),
    "account_kinds": ACCOUNT_KINDS,  # their own families: see `seeds`
}


def resource_kinds() -> list[ModuleType]:
    """Every kind module of :data:`RESOURCE_FAMILIES`, in route order."""
    return [kind for kinds in RESOURCE_FAMILIES.values() for kind in kinds]


def all_routes() -> list[BaseRoute]:
    """Admin (``/_sim``), the resource families, billing and its insights (``/v2``), Spaces'
    S3 API (``/s3/<region>``: not DO's ``/v2`` spec, so outside the families), finance
    (``/api/v1``)."""
    return [
        *routes_of([admin, *resource_kinds(), billing, insights, spaces]),
        Mount("/api/v1", routes=finance.finance_routes()),
    ]

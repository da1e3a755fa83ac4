"""Project membership by URN (``do:<kind>:<id>``): one table of the URN kinds the simulator knows.

Those are the kinds DO's spec allows in project resources (``shared/attributes/urn.yml``:
dbaas, domain, droplet, floatingip (reserved IPs too), loadbalancer, space, volume, kubernetes,
vpc). Snapshots are no project resources: they belong where their droplet or volume does.
Membership is stored as ``project_resource`` rows (id = URN, parent = project id, created_at =
assignment time, empty body). A kind module assigns its resource on create and unassigns it on
delete; :func:`urn_for` finds the URN of any stored row (admin routes, restores).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arcadia_cloud_sim.api.kinds import (
    DATABASE,
    DOMAIN,
    DROPLET,
    K8S_CLUSTER,
    LOAD_BALANCER,
    PROJECT,
    PROJECT_RESOURCE,
    RESERVED_IP,
    SPACES_BUCKET,
    VOLUME,
    VPC,
)
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.store import NewResource, ResourceRow


@dataclass(frozen=True)
class UrnKind:
    """One URN kind: the store kind behind it (None: a product not modelled) and its API path."""

    name: str
    store_kind: str | None
    path: str


#: Every URN kind a project can list, by name.
URN_KINDS: dict[str, UrnKind] = {
    u.name: u
    for u in (
        UrnKind("droplet", DROPLET, "/v2/droplets/{id}"),
        UrnKind("volume", VOLUME, "/v2/volumes/{id}"),
        UrnKind("domain", DOMAIN, "/v2/domains/{id}"),
        UrnKind("floatingip", RESERVED_IP, "/v2/floating_ips/{id}"),  # reserved IPs too
        UrnKind("loadbalancer", LOAD_BALANCER, "/v2/load_balancers/{id}"),
        UrnKind("dbaas", DATABASE, "/v2/databases/{id}"),
        UrnKind("kubernetes", K8S_CLUSTER, "/v2/kubernetes/clusters/{id}"),
        UrnKind("space", SPACES_BUCKET, "/v2/spaces/{id}"),
        UrnKind("vpc", VPC, "/v2/vpcs/{id}"),
    )
}
#: What the spec's ``urn`` pattern accepts (the same kinds).
URN_PATTERN = re.compile(r"^do:(" + "|".join(URN_KINDS) + r"):.*")
#: The URN kind of each store kind that has exactly one.
_BY_STORE_KIND = {u.store_kind: u.name for u in URN_KINDS.values()
                  if u.store_kind is not None}


def urn(kind: str, id: object) -> str:
    """``do:<kind>:<id>``."""
    return f"do:{kind}:{id}"


def urn_for(kind: str, row: ResourceRow) -> str | None:
    """The project URN of a stored resource, if it can belong to a project."""
    urn_kind = _BY_STORE_KIND.get(kind)
    return None if urn_kind is None else urn(urn_kind, row.id)


def default_project_id(ctx: SimContext) -> str | None:
    """The id of the project flagged ``is_default``."""
    rows, _ = ctx.store.list_rows(PROJECT, json_eq={"is_default": True}, limit=1)
    return rows[0].id if rows else None


def assign_urn(ctx: SimContext, resource_urn: str, project_id: str | None = None) -> str | None:
    """Put ``resource_urn`` in ``project_id`` (default project when None); returns the project."""
    project_id = project_id or default_project_id(ctx)
    if project_id is None:
        return None
    now = ctx.clock.now()
    ctx.store.insert(PROJECT_RESOURCE, resource_urn, {}, created_at=now, parent=project_id)
    return project_id


def unassign_urn(ctx: SimContext, resource_urn: str) -> None:
    """Drop ``resource_urn`` from whatever project holds it (the resource is gone)."""
    ctx.store.purge(PROJECT_RESOURCE, resource_urn)


def project_of(ctx: SimContext, resource_urn: str) -> str | None:
    """The project id holding ``resource_urn``."""
    row = ctx.store.get_row(PROJECT_RESOURCE, resource_urn)
    return None if row is None else row.parent


def member_row(project_id: str, resource_urn: str, at: float) -> NewResource:
    """A seeded project membership (see :func:`assign_urn`), for ``Store.insert_many``."""
    return NewResource(PROJECT_RESOURCE, resource_urn, {}, at, project_id)

"""Attribution of the platform kinds DO never lists under a project (see `attribution`).

- An app names its project (``project_id``; DO has no app URN); its alerts follow the app.
- A managed database is a project resource (``do:dbaas:``), else its ``project_id`` counts;
  its replicas and pools follow the cluster.
- A DOKS cluster is a project resource (``do:kubernetes:``); its node pools follow it, and so
  do its node droplets (DOKS nodes are droplets in no project): each droplet a pool names, or
  tagged ``k8s:<cluster id>``, gets the cluster's project and tenant.
- A NAT gateway follows the VPC it serves; a peering the one project both its VPCs share.

Resources a project lists itself (their URN) keep that project: nothing here overrides one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_resources as resources_t

Target = tuple[int, str | None]
#: The kinds whose attrs decide their attribution here.
KINDS = (
    "app",
    "app_alert",
    "managed_db",
    "db_replica",
    "db_pool",
    "k8s_node_pool",
    "droplet",
    "nat_gateway",
    "vpc_peering",
)
_NODE_TAG = "k8s:"


def platform_targets(
    connection: sa.Connection,
    live: Mapping[tuple[str, str], Any],
    targets: Mapping[int, Target],
    projects: Mapping[str, Target],
) -> dict[int, Target]:
    """Row id → (project id, tenant) for the platform kinds (see the module docstring)."""
    r = resources_t
    rows: dict[str, list[tuple[int, str, dict[str, Any]]]] = {kind: [] for kind in KINDS}
    query = sa.select(r.c.id, r.c.kind, r.c.provider_id, r.c.attrs).where(
        r.c.provider == PROVIDER, r.c.deleted_at.is_(None), r.c.kind.in_(KINDS)
    )
    for row_id, kind, provider_id, attrs in connection.execute(query):
        rows[kind].append((row_id, provider_id, attrs or {}))

    found: dict[int, Target] = {}

    def target_of(kind: str, provider_id: Any) -> Target | None:
        row = live.get((kind, str(provider_id)))
        if row is None:
            return None
        return targets.get(row.id) or found.get(row.id)

    def settle(row_id: int, target: Target | None) -> None:
        if target is not None and row_id not in targets:
            found[row_id] = target

    for row_id, _pid, attrs in rows["app"] + rows["managed_db"]:
        settle(row_id, projects.get(str(attrs.get("project_id"))))
    for row_id, _pid, attrs in rows["app_alert"]:
        settle(row_id, target_of("app", attrs.get("app_id")))
    for kind in ("db_replica", "db_pool"):
        for row_id, _pid, attrs in rows[kind]:
            settle(row_id, target_of("managed_db", attrs.get("cluster_id")))
    node_cluster: dict[str, str] = {}
    for row_id, _pid, attrs in rows["k8s_node_pool"]:
        cluster = str(attrs.get("cluster_id"))
        settle(row_id, target_of("k8s_cluster", cluster))
        node_cluster.update(dict.fromkeys(map(str, attrs.get("droplet_ids") or []), cluster))
    for row_id, pid, attrs in rows["droplet"]:
        cluster = node_cluster.get(pid) or next(
            (
                t[len(_NODE_TAG) :]
                for t in attrs.get("tags") or []
                if t.startswith(_NODE_TAG) and t != "k8s:worker"
            ),
            None,
        )
        if cluster is not None:
            settle(row_id, target_of("k8s_cluster", cluster))
    for row_id, _pid, attrs in rows["nat_gateway"] + rows["vpc_peering"]:
        shared = {target_of("vpc", v) for v in attrs.get("vpc_ids") or []}
        if len(shared) == 1:
            settle(row_id, shared.pop())
    return found

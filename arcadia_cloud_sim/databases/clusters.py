"""Managed database clusters with their replicas, connection pools and trusted sources.

DO lists clusters, replicas, pools and firewall rules whole (no pagination). A cluster's
trusted sources are its ``rules`` (also ``GET /v2/databases/{uuid}/firewall``); replicas and
pools are child rows (``parent`` = cluster id). Connection details carry passwords, as DO's do:
the inventory must never keep them. Deleting a cluster deletes its replicas and pools.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import (
    forget,
    get_endpoint,
    parent_id,
    require,
    whole_list_endpoint,
)
from arcadia_cloud_sim.api.envelopes import json_response, no_content
from arcadia_cloud_sim.api.kinds import DATABASE, DATABASE_POOL, DATABASE_REPLICA
from arcadia_cloud_sim.api.urns import member_row, urn
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import NewResource, iso

PORTS = {"pg": 25060, "mysql": 25060, "valkey": 25061, "redis": 25061, "mongodb": 27017}
SCHEMES = {"pg": "postgresql", "mysql": "mysql", "valkey": "rediss", "redis": "rediss",
           "mongodb": "mongodb+srv"}


def connection(*, engine: str, host: str, password: str, database: str = "defaultdb"
               ) -> dict[str, Any]:
    """DO's connection object (with the password, as DO sends it)."""
    port, user = PORTS[engine], "doadmin" if engine != "valkey" else "default"
    uri = f"{SCHEMES[engine]}://{user}:{password}@{host}:{port}/{database}?sslmode=require"
    return {"uri": uri, "database": database, "host": host, "port": port, "user": user,
            "password": password, "ssl": True}


def new_cluster_body(*, cluster_id: str, name: str, engine: str, version: str, size: str,
                     num_nodes: int, region: str, vpc_id: str, project_id: str,
                     created_at: float, password: str, tags: list[str],
                     rules: list[dict[str, Any]], storage_size_mib: int) -> dict[str, Any]:
    """The stored body of an online cluster (``rules``: type/value/description)."""
    host = f"{name}-do-user-1-0.f.db.ondigitalocean.com"
    return {
        "id": cluster_id, "name": name, "engine": engine, "version": version,
        "num_nodes": num_nodes, "size": size, "region": region, "status": "online",
        "created_at": iso(created_at), "private_network_uuid": vpc_id, "tags": tags,
        "db_names": ["defaultdb"] if engine in ("pg", "mysql") else None,
        "connection": connection(engine=engine, host=host, password=password),
        "private_connection": connection(engine=engine, host=f"private-{host}",
                                         password=password),
        "users": [{"name": "doadmin", "role": "primary", "password": password}],
        "maintenance_window": {"day": "tuesday", "hour": "03:00:00", "pending": False,
                               "description": []},
        "project_id": project_id,
        "rules": [dict(rule, cluster_uuid=cluster_id, created_at=iso(created_at))
                  for rule in rules],
        "storage_size_mib": storage_size_mib,
    }


async def list_databases(request: Request) -> Response:
    """GET /v2/databases (whole; ``tag_name`` filters)."""
    tag = request.query_params.get("tag_name")
    return await whole_list_endpoint(
        DATABASE, "databases", filters=lambda r, c: {"tag": tag} if tag else {})(request)


async def firewall(request: Request) -> Response:
    """GET /v2/databases/{uuid}/firewall: the cluster's trusted sources."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        row = require(ctx.store.get_row(DATABASE, request.path_params["database_cluster_uuid"]))
    return json_response({"rules": row.body.get("rules") or []})


async def delete_database(request: Request) -> Response:
    """DELETE /v2/databases/{uuid} → 204 (replicas and pools with it)."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(DATABASE, request.path_params["database_cluster_uuid"]))
        _drop_children(ctx, row.id)
        forget(ctx, DATABASE, row)
    return no_content()


def _drop_children(ctx: SimContext, cluster_id: str) -> None:
    now = ctx.clock.now()
    for kind in (DATABASE_REPLICA, DATABASE_POOL):
        for child in ctx.store.list_rows(kind, parent=cluster_id)[0]:
            ctx.store.delete(kind, child.id, at=now)


def routes() -> list[BaseRoute]:
    """Database cluster, replica, pool and firewall routes."""
    param = "database_cluster_uuid"

    def of_cluster(request: Request, ctx: SimContext) -> Mapping[str, Any]:
        return {"parent": parent_id(request, DATABASE, param)}

    base = "/v2/databases/{database_cluster_uuid}"
    return [
        Route("/v2/databases", list_databases, methods=["GET"]),
        Route(base, get_endpoint(DATABASE, "database", param), methods=["GET"]),
        Route(base, delete_database, methods=["DELETE"]),
        Route(f"{base}/firewall", firewall, methods=["GET"]),
        Route(f"{base}/replicas", whole_list_endpoint(DATABASE_REPLICA, "replicas",
                                                      filters=of_cluster), methods=["GET"]),
        Route(f"{base}/pools", whole_list_endpoint(DATABASE_POOL, "pools", filters=of_cluster),
              methods=["GET"]),
    ]


# -- the default scenario -------------------------------------------------------------------
#: name, engine, version, size, nodes, region, VPC name, project, storage MiB (the pg cluster is
#: the one the default invoices bill: ``billing.scenarios.DEFAULT_DATABASE``).
_CLUSTERS = (
    ("globex-pg", "pg", "16", "db-s-1vcpu-1gb", 1, "ams3", "globex-data", "globex", 10240),
    ("acme-sessions", "valkey", "8", "db-s-1vcpu-1gb", 1, "nyc3", "acme-private", "acme", 0),
)


def seed_default(*, new_uuid: Callable[[], str], projects: Mapping[str, str],
                 vpcs: Mapping[str, str], droplets: Mapping[str, int], at: float,
                 password: Callable[[], str]) -> tuple[list[NewResource], dict[str, str]]:
    """The default scenario's clusters (the pg one with a replica, a pool and trusted sources
    naming a droplet, an address range and a tag); returns the rows and the ids by name."""
    rows: list[NewResource] = []
    ids: dict[str, str] = {}
    for name, engine, version, size, nodes, region, vpc, tenant, mib in _CLUSTERS:
        ids[name] = new_uuid()
        rules = [{"uuid": new_uuid(), "type": "tag", "value": tenant,
                  "description": f"{tenant} droplets"}]
        if engine == "pg":
            rules += [{"uuid": new_uuid(), "type": "droplet",
                       "value": str(droplets["globex-etl-1"]), "description": "ETL"},
                      {"uuid": new_uuid(), "type": "ip_addr", "value": "203.0.113.0/24",
                       "description": "office"}]
        body = new_cluster_body(
            cluster_id=ids[name], name=name, engine=engine, version=version, size=size,
            num_nodes=nodes, region=region, vpc_id=vpcs[vpc], project_id=projects[tenant],
            created_at=at, password=password(), tags=[tenant], rules=rules,
            storage_size_mib=mib)
        rows.append(NewResource(DATABASE, ids[name], body, at, name=name))
        rows.append(member_row(projects[tenant], urn("dbaas", ids[name]), at))
    pg = ids["globex-pg"]
    replica_host = "globex-pg-replica-do-user-1-0.f.db.ondigitalocean.com"
    secret = password()
    replica = {
        "id": new_uuid(), "name": "globex-pg-replica", "region": "ams3",
        "size": "db-s-1vcpu-1gb", "status": "online", "tags": ["globex"],
        "created_at": iso(at), "private_network_uuid": vpcs["globex-data"],
        "connection": connection(engine="pg", host=replica_host, password=secret),
        "private_connection": connection(engine="pg", host=f"private-{replica_host}",
                                         password=secret),
        "storage_size_mib": 10240,
    }
    rows.append(NewResource(DATABASE_REPLICA, f"{pg}/{replica['name']}", replica, at, parent=pg,
                            name=replica["name"]))
    pool_host = "globex-pg-do-user-1-0.f.db.ondigitalocean.com"
    pool = {"name": "etl-pool", "mode": "transaction", "size": 10, "db": "defaultdb",
            "user": "doadmin",
            "connection": connection(engine="pg", host=pool_host, password=secret,
                                     database="etl-pool")}
    rows.append(NewResource(DATABASE_POOL, f"{pg}/etl-pool", pool, at, parent=pg,
                            name=pool["name"]))
    return rows, ids

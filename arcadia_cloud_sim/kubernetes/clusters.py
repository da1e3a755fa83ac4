"""Kubernetes (DOKS) clusters with their node pools (read, and delete a cluster).

A cluster's node pools live in its body, as DO lists them (``node_pools[].nodes[]`` name each
node's ``droplet_id``). The nodes are real droplets tagged ``k8s``, ``k8s:<cluster id>`` and
``k8s:worker``, and they are in no project: only the cluster is (``do:kubernetes:<id>``).
Deleting a cluster deletes its node droplets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import forget, get_endpoint, list_endpoint, require
from arcadia_cloud_sim.api.envelopes import json_response, no_content
from arcadia_cloud_sim.api.kinds import ACTION, ACTION_IDS, DROPLET, DROPLET_IDS, K8S_CLUSTER
from arcadia_cloud_sim.api.urns import member_row, urn
from arcadia_cloud_sim.compute.actions import action_body, action_scope
from arcadia_cloud_sim.compute.droplets import new_droplet_body
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.store import NewResource, iso

NODE_IMAGE = "ubuntu-24-04-x64"


def node_tags(cluster_id: str) -> list[str]:
    """The tags DO gives a cluster's node droplets."""
    return ["k8s", f"k8s:{cluster_id}", "k8s:worker"]


def node_droplet_ids(body: Mapping[str, Any]) -> list[str]:
    """The droplet ids of every node of a stored cluster."""
    return [node["droplet_id"] for pool in body.get("node_pools") or []
            for node in pool.get("nodes") or [] if node.get("droplet_id")]


async def list_node_pools(request: Request) -> Response:
    """GET /v2/kubernetes/clusters/{cluster_id}/node_pools (whole, as DO lists them)."""
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        row = require(ctx.store.get_row(K8S_CLUSTER, request.path_params["cluster_id"]))
    return json_response({"node_pools": row.body.get("node_pools") or []})


async def delete_cluster(request: Request) -> Response:
    """DELETE /v2/kubernetes/clusters/{cluster_id} → 204 (its node droplets with it)."""
    ctx = sim_context(request)
    with ctx.store.transaction():
        row = require(ctx.store.get_row(K8S_CLUSTER, request.path_params["cluster_id"]))
        for droplet_id in node_droplet_ids(row.body):
            droplet = ctx.store.get_row(DROPLET, droplet_id)
            if droplet is not None:
                forget(ctx, DROPLET, droplet)
        forget(ctx, K8S_CLUSTER, row)
    return no_content()


def routes() -> list[BaseRoute]:
    """Kubernetes cluster and node pool routes."""
    base = "/v2/kubernetes/clusters"
    return [
        Route(base, list_endpoint(K8S_CLUSTER, "kubernetes_clusters"), methods=["GET"]),
        Route(f"{base}/{{cluster_id}}",
              get_endpoint(K8S_CLUSTER, "kubernetes_cluster", "cluster_id"), methods=["GET"]),
        Route(f"{base}/{{cluster_id}}", delete_cluster, methods=["DELETE"]),
        Route(f"{base}/{{cluster_id}}/node_pools", list_node_pools, methods=["GET"]),
    ]


def new_cluster_body(*, cluster_id: str, name: str, region: str, version: str, vpc_id: str,
                     tags: Sequence[str], node_pools: list[dict[str, Any]],
                     created_at: float, ha: bool = False) -> dict[str, Any]:
    """The stored body of a running cluster (``node_pools`` already built)."""
    at = iso(created_at)
    return {
        "id": cluster_id, "name": name, "region": region, "version": version,
        "cluster_subnet": "10.244.0.0/16", "service_subnet": "10.245.0.0/16",
        "vpc_uuid": vpc_id, "ipv4": "", "endpoint":
            f"https://{cluster_id}.k8s.ondigitalocean.com",
        "tags": [*tags, "k8s", f"k8s:{cluster_id}"], "node_pools": node_pools,
        "maintenance_policy": {"start_time": "04:00", "duration": "4h0m0s", "day": "any"},
        "auto_upgrade": True, "status": {"state": "running", "message": "running"},
        "created_at": at, "updated_at": at, "surge_upgrade": True, "ha": ha,
        "registry_enabled": False,
    }


# -- the default scenario -------------------------------------------------------------------
#: pool name, size, count, auto_scale, min, max.
_POOLS = (("workers", "s-2vcpu-4gb", 2, True, 2, 4), ("batch", "s-4vcpu-8gb", 1, False, 0, 0))
_NODE_SUFFIXES = ("x7k2p", "m3q9d", "b8n4c", "t2v6w")
#: How many node droplets the default scenario's cluster has.
NODE_COUNT = sum(pool[2] for pool in _POOLS)


def seed_default(*, new_uuid: Callable[[], str], projects: Mapping[str, str],
                 vpcs: Mapping[str, str], at: float,
                 take_ids: Callable[[tuple[str, int], int], list[int]],
                 networks: Callable[[str, int], dict[str, Any]]) -> list[NewResource]:
    """The default scenario's DOKS cluster (Platform's, two pools; the one the default invoices
    bill: ``billing.scenarios.DEFAULT_K8S``) and its node droplets.

    ``take_ids`` reserves ids from a sequence; ``networks(region, i)`` gives node i's networks.
    """
    region, name, cluster_id = "ams3", "platform-doks", new_uuid()
    droplet_ids = iter(take_ids(DROPLET_IDS, NODE_COUNT))
    action_ids = iter(take_ids(ACTION_IDS, NODE_COUNT))
    rows: list[NewResource] = []
    pools: list[dict[str, Any]] = []
    n = 0
    for pool_name, size, nodes, auto_scale, low, high in _POOLS:
        pool_nodes = []
        for i in range(nodes):
            did = next(droplet_ids)
            node_name = f"{pool_name}-{_NODE_SUFFIXES[i]}"
            body = new_droplet_body(droplet_id=did, name=node_name, region=region, size=size,
                                    image=NODE_IMAGE, created_at=at, tags=node_tags(cluster_id),
                                    status="active", networks=networks(region, n))
            body["vpc_uuid"] = vpcs["default-ams3"]
            rows.append(NewResource(DROPLET, str(did), body, at, name=node_name))
            aid = next(action_ids)
            rows.append(NewResource(ACTION, str(aid), action_body(
                action_id=aid, type="create", resource_type=DROPLET, resource_id=did,
                region=region, started_at=at, completed_at=at + 42.0), at,
                parent=action_scope(DROPLET, did)))
            pool_nodes.append({"id": new_uuid(), "name": node_name,
                               "status": {"state": "running"}, "droplet_id": str(did),
                               "created_at": iso(at), "updated_at": iso(at)})
            n += 1
        pools.append({"id": new_uuid(), "name": pool_name, "size": size, "count": nodes,
                      "tags": [*node_tags(cluster_id)], "labels": None, "taints": [],
                      "auto_scale": auto_scale, "min_nodes": low, "max_nodes": high,
                      "nodes": pool_nodes})
    body = new_cluster_body(cluster_id=cluster_id, name=name, region=region,
                            version="1.31.1-do.5", vpc_id=vpcs["default-ams3"],
                            tags=["platform"], node_pools=pools, created_at=at)
    rows.append(NewResource(K8S_CLUSTER, cluster_id, body, at, name=name))
    rows.append(member_row(projects["platform"], urn("kubernetes", cluster_id), at))
    return rows

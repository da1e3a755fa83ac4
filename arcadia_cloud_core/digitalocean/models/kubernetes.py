"""Kubernetes (DOKS): clusters (``/v2/kubernetes/clusters``) with their node pools; each node
names the droplet behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_bool,
    opt_datetime,
    opt_id,
    opt_int,
    opt_list,
    opt_str,
    req_id,
    req_int,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


@dataclass(frozen=True)
class NodePool:
    """A node pool of ``cluster_id``; ``droplet_ids`` are its nodes' droplets."""

    id: str
    cluster_id: str
    cluster_name: str
    region: str
    name: str
    size: str
    count: int
    auto_scale: bool
    min_nodes: int | None
    max_nodes: int | None
    tags: tuple[str, ...]
    droplet_ids: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(
        cls, p: Any, *, cluster_id: str, cluster_name: str, region: str, where: str = "node_pool"
    ) -> NodePool:
        """Parse a ``node_pool`` object of a cluster; ``where`` names it in errors."""
        if not isinstance(p, Mapping):
            raise FieldError(where, "expected an object")
        try:
            droplets = tuple(
                str(opt_id(n, "droplet_id"))
                for n in opt_list(p, "nodes")
                if isinstance(n, Mapping) and opt_id(n, "droplet_id")
            )
            return cls(
                id=req_id(p),
                cluster_id=cluster_id,
                cluster_name=cluster_name,
                region=region,
                name=req_str(p, "name"),
                size=req_str(p, "size"),
                count=req_int(p, "count"),
                auto_scale=opt_bool(p, "auto_scale"),
                min_nodes=opt_int(p, "min_nodes"),
                max_nodes=opt_int(p, "max_nodes"),
                tags=str_tuple(p, "tags"),
                droplet_ids=droplets,
                raw=frozen(p),
            )
        except FieldError as exc:
            raise FieldError(f"{where}.{exc.field}", exc.reason) from None


@dataclass(frozen=True)
class KubernetesCluster:
    """A DOKS cluster and its node pools."""

    id: str
    name: str
    region: str
    version: str
    status: str | None
    vpc_uuid: str | None
    ha: bool
    auto_upgrade: bool
    tags: tuple[str, ...]
    node_pools: tuple[NodePool, ...]
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> KubernetesCluster:
        """Parse a ``kubernetes_cluster`` object."""
        cluster_id, name, region = req_id(p), req_str(p, "name"), req_str(p, "region")
        pools = tuple(
            NodePool.from_payload(
                pool,
                cluster_id=cluster_id,
                cluster_name=name,
                region=region,
                where=f"node_pools[{i}]",
            )
            for i, pool in enumerate(opt_list(p, "node_pools"))
        )
        return cls(
            id=cluster_id,
            name=name,
            region=region,
            version=req_str(p, "version"),
            status=opt_str(p, "status.state"),
            vpc_uuid=opt_str(p, "vpc_uuid"),
            ha=opt_bool(p, "ha"),
            auto_upgrade=opt_bool(p, "auto_upgrade"),
            tags=str_tuple(p, "tags"),
            node_pools=pools,
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )

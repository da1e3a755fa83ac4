"""Normalisers of the platform kinds (App Platform, managed databases, Kubernetes, VPCs and the
region/size catalogues), as `normalize` does for the compute and storage kinds.

Prices follow `pricing` (monthly integer cents, hourly exact Decimal text). Credentials never
reach attrs: the database models keep only host:port of each connection.
"""

from __future__ import annotations

from datetime import datetime

from arcadia_cloud_core.digitalocean.models.apps import App, AppAlert
from arcadia_cloud_core.digitalocean.models.catalog import Region, Size
from arcadia_cloud_core.digitalocean.models.databases import (
    ConnectionPool,
    DatabaseCluster,
    DatabaseReplica,
)
from arcadia_cloud_core.digitalocean.models.kubernetes import KubernetesCluster
from arcadia_cloud_core.digitalocean.models.vpcs import VPC, NATGateway, VPCPeering
from arcadia_cloud_core.inventory import pricing
from arcadia_cloud_core.inventory.model import NormalizedResource
from arcadia_cloud_core.inventory.platform_listings import PricedNodePool


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def child_id(parent_id: str, name: str) -> str:
    """The id of a child DO names within its parent only (replicas, pools): ``parent/name``."""
    return f"{parent_id}/{name}"


def app(a: App) -> NormalizedResource:
    """An App Platform app: tier, live URL, active deployment and components."""
    return NormalizedResource(
        kind="app",
        provider_id=a.id,
        name=a.name,
        region=a.region,
        status=_lower(a.active_deployment_phase)
        or ("active" if a.active_deployment_id else "pending"),
        attrs={
            "tier_slug": a.tier_slug,
            "live_url": a.live_url,
            "default_ingress": a.default_ingress,
            "active_deployment_id": a.active_deployment_id,
            "components": sorted(
                (
                    {
                        "type": c.type,
                        "name": c.name,
                        "instance_size_slug": c.instance_size_slug,
                        "instance_count": c.instance_count,
                    }
                    for c in a.components
                ),
                key=lambda c: (c["type"], c["name"]),
            ),
            "domains": sorted(a.domains),
            "vpc_id": a.vpc_id,
            "project_id": a.project_id,
            "created_at": _iso(a.created_at),
        },
    )


def app_alert(alert: AppAlert) -> NormalizedResource:
    """An app's alert policy (its app in attrs: attribution follows it)."""
    return NormalizedResource(
        kind="app_alert",
        provider_id=alert.id,
        name=alert.rule,
        status="disabled" if alert.disabled else _lower(alert.phase),
        attrs={
            "app_id": alert.app_id,
            "rule": alert.rule,
            "operator": alert.operator,
            "value": alert.value,
            "window": alert.window,
            "emails": sorted(alert.emails),
        },
    )


def managed_db(db: DatabaseCluster) -> NormalizedResource:
    """A managed database cluster: engine, version, size, nodes, trusted sources, list price."""
    return NormalizedResource(
        kind="managed_db",
        provider_id=db.id,
        name=db.name,
        region=db.region,
        status=db.status,
        attrs={
            "engine": db.engine,
            "version": db.version,
            "size": db.size,
            "num_nodes": db.num_nodes,
            "storage_size_mib": db.storage_size_mib,
            "private_network_uuid": db.private_network_uuid,
            "project_id": db.project_id,
            "tags": sorted(db.tags),
            "db_names": sorted(db.db_names),
            "host": db.host,
            "private_host": db.private_host,
            "trusted_sources": sorted(
                (
                    {"type": r.type, "value": r.value, "description": r.description}
                    for r in db.rules
                ),
                key=lambda r: (r["type"], r["value"]),
            ),
            "maintenance_window": {"day": db.maintenance_day, "hour": db.maintenance_hour},
            "created_at": _iso(db.created_at),
            **pricing.price_attrs(pricing.database(db.size, db.num_nodes)),
        },
    )


def db_replica(r: DatabaseReplica) -> NormalizedResource:
    """A read-only replica (id ``<cluster>/<name>``: DO names replicas per cluster)."""
    return NormalizedResource(
        kind="db_replica",
        provider_id=child_id(r.cluster_id, r.name),
        name=r.name,
        region=r.region,
        status=r.status,
        attrs={
            "cluster_id": r.cluster_id,
            "replica_id": r.id,
            "size": r.size,
            "private_network_uuid": r.private_network_uuid,
            "tags": sorted(r.tags),
            "host": r.host,
            "storage_size_mib": r.storage_size_mib,
            "created_at": _iso(r.created_at),
            **pricing.price_attrs(pricing.database(r.size)),
        },
    )


def db_pool(p: ConnectionPool) -> NormalizedResource:
    """A connection pool (id ``<cluster>/<name>``)."""
    return NormalizedResource(
        kind="db_pool",
        provider_id=child_id(p.cluster_id, p.name),
        name=p.name,
        status="active",
        attrs={
            "cluster_id": p.cluster_id,
            "mode": p.mode,
            "size": p.size,
            "db": p.db,
            "user": p.user,
        },
    )


def k8s_cluster(c: KubernetesCluster) -> NormalizedResource:
    """A DOKS cluster: version, VPC and its pools in brief (each pool is a kind of its own)."""
    return NormalizedResource(
        kind="k8s_cluster",
        provider_id=c.id,
        name=c.name,
        region=c.region,
        status=c.status,
        attrs={
            "version": c.version,
            "vpc_uuid": c.vpc_uuid,
            "ha": c.ha,
            "auto_upgrade": c.auto_upgrade,
            "tags": sorted(c.tags),
            "node_pools": sorted(
                (
                    {"id": p.id, "name": p.name, "size": p.size, "count": p.count}
                    for p in c.node_pools
                ),
                key=lambda p: p["name"],
            ),
            "node_count": sum(len(p.droplet_ids) for p in c.node_pools),
            "created_at": _iso(c.created_at),
        },
    )


def k8s_node_pool(priced: PricedNodePool) -> NormalizedResource:
    """A node pool: size, count, autoscale, its node droplets and their list price."""
    p = priced.pool
    price = None if priced.node_price is None else priced.node_price.times(p.count)
    return NormalizedResource(
        kind="k8s_node_pool",
        provider_id=p.id,
        name=f"{p.cluster_name}/{p.name}",
        region=p.region,
        status="active",
        attrs={
            "cluster_id": p.cluster_id,
            "cluster_name": p.cluster_name,
            "pool_name": p.name,
            "size": p.size,
            "count": p.count,
            "auto_scale": p.auto_scale,
            "min_nodes": p.min_nodes,
            "max_nodes": p.max_nodes,
            "tags": sorted(p.tags),
            "droplet_ids": sorted(p.droplet_ids),
            **pricing.price_attrs(price),
        },
    )


def vpc(v: VPC) -> NormalizedResource:
    """A VPC with its members' URNs."""
    return NormalizedResource(
        kind="vpc",
        provider_id=v.id,
        name=v.name,
        region=v.region,
        status="active",
        attrs={
            "ip_range": v.ip_range,
            "default": v.default,
            "description": v.description,
            "members": sorted(v.members or ()),
            "created_at": _iso(v.created_at),
        },
    )


def vpc_peering(p: VPCPeering) -> NormalizedResource:
    """A VPC peering between two VPCs."""
    return NormalizedResource(
        kind="vpc_peering",
        provider_id=p.id,
        name=p.name,
        status=_lower(p.status),
        attrs={"vpc_ids": sorted(p.vpc_ids), "created_at": _iso(p.created_at)},
    )


def nat_gateway(g: NATGateway) -> NormalizedResource:
    """A VPC NAT gateway."""
    return NormalizedResource(
        kind="nat_gateway",
        provider_id=g.id,
        name=g.name,
        region=g.region,
        status=_lower(g.state),
        attrs={
            "type": g.type,
            "size": g.size,
            "vpc_ids": sorted(g.vpc_ids),
            "egress_ipv4": sorted(g.egress_ipv4),
            "created_at": _iso(g.created_at),
        },
    )


def region(r: Region) -> NormalizedResource:
    """A catalogue region (its slug is its id)."""
    return NormalizedResource(
        kind="region",
        provider_id=r.slug,
        name=r.name,
        region=r.slug,
        status="available" if r.available else "unavailable",
        attrs={"features": sorted(r.features), "sizes": sorted(r.sizes)},
    )


def size(s: Size) -> NormalizedResource:
    """A catalogue droplet size with its list price."""
    return NormalizedResource(
        kind="size",
        provider_id=s.slug,
        name=s.slug,
        status="available" if s.available else "unavailable",
        attrs={
            "memory_mb": s.memory_mb,
            "vcpus": s.vcpus,
            "disk_gb": s.disk_gb,
            "transfer_tb": str(s.transfer_tb),
            "description": s.description,
            "regions": sorted(s.regions),
            "gpu_count": s.gpu_count,
            **pricing.of_size(s).attrs(),
        },
    )

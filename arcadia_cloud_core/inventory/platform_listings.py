"""Listings of the platform kinds that need more than one list call: children listed per
parent (app alerts, database replicas and pools, VPC members) and node pools priced from the
size catalogue. A parent that is gone by the time its children are listed (404) is passed
over: its children went with it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from arcadia_cloud_core.digitalocean import DOClient, DONotFoundError
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models.apps import AppAlert
from arcadia_cloud_core.digitalocean.models.databases import ConnectionPool, DatabaseReplica
from arcadia_cloud_core.digitalocean.models.kubernetes import NodePool
from arcadia_cloud_core.digitalocean.models.vpcs import VPC
from arcadia_cloud_core.inventory import pricing

log = logging.getLogger(__name__)
P = TypeVar("P")
C = TypeVar("C")

#: Engines with read-only replicas, and with PgBouncer connection pools (DO's docs).
REPLICA_ENGINES = frozenset({"pg", "mysql", "advanced_pg", "advanced_mysql"})
POOL_ENGINES = frozenset({"pg", "advanced_pg"})


def _children(
    parents: Listing[P], children: Callable[[P], Listing[C]], *, what: str
) -> tuple[list[tuple[P, Listing[C]]], Listing[Any]]:
    """Each parent's child listing (gone parents dropped) and the summed figures."""
    found: list[tuple[P, Listing[C]]] = []
    for parent in parents:
        try:
            found.append((parent, children(parent)))
        except DONotFoundError:
            log.info("%s of %s: the parent is gone", what, getattr(parent, "id", parent))
    return found, merged([parents, *(listing for _, listing in found)], ())


def merged(parts: Sequence[Listing[Any]], items: Iterable[Any]) -> Listing[Any]:
    """One listing of ``items`` with the skips and request counts of every part."""
    return Listing(
        items=tuple(items),
        skipped=tuple(s for part in parts for s in part.skipped),
        requests=sum(part.requests for part in parts),
        pages=sum(part.pages for part in parts),
        filtered=any(part.filtered for part in parts),
    )


def app_alerts(do: DOClient) -> Listing[AppAlert]:
    """Every app's alerts (one call per app)."""
    found, figures = _children(do.list_apps(), lambda a: do.list_app_alerts(a.id), what="alerts")
    return merged([figures], (alert for _, listing in found for alert in listing))


def database_replicas(do: DOClient) -> Listing[DatabaseReplica]:
    """The replicas of every cluster whose engine has them (one call per such cluster)."""
    clusters = do.list_databases()
    eligible = Listing(
        items=tuple(c for c in clusters if c.engine in REPLICA_ENGINES),
        skipped=clusters.skipped,
        requests=clusters.requests,
        pages=clusters.pages,
    )
    found, figures = _children(eligible, lambda c: do.list_database_replicas(c.id), what="replicas")
    return merged([figures], (r for _, listing in found for r in listing))


def database_pools(do: DOClient) -> Listing[ConnectionPool]:
    """The connection pools of every PostgreSQL cluster (one call per such cluster)."""
    clusters = do.list_databases()
    eligible = Listing(
        items=tuple(c for c in clusters if c.engine in POOL_ENGINES),
        skipped=clusters.skipped,
        requests=clusters.requests,
        pages=clusters.pages,
    )
    found, figures = _children(eligible, lambda c: do.list_database_pools(c.id), what="pools")
    return merged([figures], (p for _, listing in found for p in listing))


@dataclass(frozen=True)
class PricedNodePool:
    """A node pool with the list price of one of its nodes (None: size not in the catalogue)."""

    pool: NodePool
    node_price: pricing.ListPrice | None

    @property
    def id(self) -> str:
        """The pool's id (names it in skip warnings)."""
        return self.pool.id


def node_pools(do: DOClient) -> Listing[PricedNodePool]:
    """Every cluster's node pools (from the cluster listing), priced from ``/v2/sizes``."""
    clusters, sizes = do.list_kubernetes_clusters(), do.list_sizes()
    prices = {size.slug: pricing.of_size(size) for size in sizes}
    return merged(
        [clusters, sizes],
        (
            PricedNodePool(pool, prices.get(pool.size))
            for cluster in clusters
            for pool in cluster.node_pools
        ),
    )


def vpcs_with_members(do: DOClient) -> Listing[VPC]:
    """Every VPC with its members' URNs (one members call per VPC)."""
    found, figures = _children(do.list_vpcs(), lambda v: do.list_vpc_members(v.id), what="members")
    return merged([figures], (vpc.with_members(tuple(listing)) for vpc, listing in found))

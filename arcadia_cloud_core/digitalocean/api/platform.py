"""The platform families: App Platform, managed databases, Kubernetes, VPCs, and the region
and size catalogues."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models.apps import App, AppAlert
from arcadia_cloud_core.digitalocean.models.catalog import Region, Size
from arcadia_cloud_core.digitalocean.models.databases import (
    ConnectionPool,
    DatabaseCluster,
    DatabaseReplica,
)
from arcadia_cloud_core.digitalocean.models.kubernetes import KubernetesCluster
from arcadia_cloud_core.digitalocean.models.vpcs import VPC, NATGateway, VPCMember, VPCPeering
from arcadia_cloud_core.digitalocean.validation import uuid_id


class PlatformAPI(APIBase):
    """``/v2/apps``, ``/v2/databases``, ``/v2/kubernetes``, ``/v2/vpcs``, ``/v2/vpc_peerings``,
    ``/v2/vpc_nat_gateways``, ``/v2/regions`` and ``/v2/sizes`` (reads)."""

    def list_apps(self) -> Listing[App]:
        """Every app, with its ``project_id`` (``with_projects=true``)."""
        listing = self._list("/v2/apps", "apps", App.from_payload, params={"with_projects": "true"})
        return replace(listing, filtered=False)  # the parameter adds a field, filters nothing

    def list_app_alerts(self, app_id: str) -> Listing[AppAlert]:
        """The alerts of one app (DO lists them whole)."""
        aid = uuid_id(app_id, arg="app_id")
        return self._list(
            f"/v2/apps/{aid}/alerts", "alerts", partial(AppAlert.from_payload, app_id=aid)
        )

    def list_databases(self) -> Listing[DatabaseCluster]:
        """Every managed database cluster (DO lists them whole)."""
        return self._list("/v2/databases", "databases", DatabaseCluster.from_payload)

    def list_database_replicas(self, cluster_id: str) -> Listing[DatabaseReplica]:
        """The read-only replicas of one cluster."""
        cid = uuid_id(cluster_id, arg="database_cluster_uuid")
        return self._list(
            f"/v2/databases/{cid}/replicas",
            "replicas",
            partial(DatabaseReplica.from_payload, cluster_id=cid),
            id_field="name",
        )

    def list_database_pools(self, cluster_id: str) -> Listing[ConnectionPool]:
        """The connection pools of one (PostgreSQL) cluster."""
        cid = uuid_id(cluster_id, arg="database_cluster_uuid")
        return self._list(
            f"/v2/databases/{cid}/pools",
            "pools",
            partial(ConnectionPool.from_payload, cluster_id=cid),
            id_field="name",
        )

    def list_kubernetes_clusters(self) -> Listing[KubernetesCluster]:
        """Every DOKS cluster with its node pools and nodes."""
        return self._list(
            "/v2/kubernetes/clusters", "kubernetes_clusters", KubernetesCluster.from_payload
        )

    def list_vpcs(self) -> Listing[VPC]:
        """Every VPC (members not included: see :meth:`list_vpc_members`)."""
        return self._list("/v2/vpcs", "vpcs", VPC.from_payload)

    def list_vpc_members(self, vpc_id: str) -> Listing[VPCMember]:
        """The resources in one VPC."""
        vid = uuid_id(vpc_id, arg="vpc_id")
        return self._list(
            f"/v2/vpcs/{vid}/members", "members", VPCMember.from_payload, id_field="urn"
        )

    def list_vpc_peerings(self) -> Listing[VPCPeering]:
        """Every VPC peering."""
        return self._list("/v2/vpc_peerings", "vpc_peerings", VPCPeering.from_payload)

    def list_nat_gateways(self) -> Listing[NATGateway]:
        """Every VPC NAT gateway."""
        return self._list("/v2/vpc_nat_gateways", "vpc_nat_gateways", NATGateway.from_payload)

    def list_regions(self) -> Listing[Region]:
        """The region catalogue."""
        return self._list("/v2/regions", "regions", Region.from_payload, id_field="slug")

    def list_sizes(self) -> Listing[Size]:
        """The droplet size catalogue with list prices."""
        return self._list("/v2/sizes", "sizes", Size.from_payload, id_field="slug")

"""Every inventory kind with a DO list endpoint, as one declaration each.

A `KindSpec` says what to list (path, envelope key, model), how to normalise it and how often.
From these the sync (`sync.sync_kind`), the assets (one `inventory/<name>` each), the jobs and
schedules (by cadence), the freshness check and attribution (kinds with their own asset) follow.
A new DO kind is its payload model, its normaliser in `normalize`, and one `KindSpec` in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from arcadia_cloud_core.digitalocean import (
    DOClient,
    Domain,
    Droplet,
    Firewall,
    LoadBalancer,
    ReservedIP,
    Snapshot,
    Volume,
)
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import account_kinds as m  # (#13)
from arcadia_cloud_core.digitalocean.models import apps, catalog, databases, kubernetes, vpcs
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory import normalize_account as na  # (#13)
from arcadia_cloud_core.inventory import normalize_platform as platform
from arcadia_cloud_core.inventory import platform_listings as listings
from arcadia_cloud_core.inventory.model import NormalizedResource

EVERY_15_MIN = timedelta(minutes=15)
HOURLY = timedelta(hours=1)


@dataclass(frozen=True)
class KindSpec:
    """How to list, read and normalise one kind, and how often (see the module docstring)."""

    name: str  # the asset: inventory/<name>
    kind: str  # `cloud_resources.kind`
    path: str
    key: str  # the list envelope's key
    parse: Callable[[Mapping[str, Any]], Any]  # the model's `from_payload`
    convert: Callable[[Any], NormalizedResource]  # the normaliser
    urns: tuple[str, ...] = ()  # DO's URN kinds for it in project resources (aliases too)
    cadence: timedelta = EVERY_15_MIN
    id_field: str | None = "id"  # de-duplicates across pages
    listing: Callable[[DOClient], Listing[Any]] | None = None  # when one path is not enough

    def list(self, do: DOClient) -> Listing[Any]:
        """Every item of this kind at DO."""
        if self.listing is not None:
            return self.listing(do)
        return do.list_collection(self.path, self.key, self.parse, id_field=self.id_field)


KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "droplets",
        "droplet",
        "/v2/droplets",
        "droplets",
        Droplet.from_payload,
        normalize.droplet,
        urns=("droplet",),
    ),
    KindSpec(
        "domains",
        "dns_zone",
        "/v2/domains",
        "domains",
        Domain.from_payload,
        normalize.dns_zone,
        urns=("domain",),
        id_field="name",
    ),
    KindSpec(
        "volumes",
        "volume",
        "/v2/volumes",
        "volumes",
        Volume.from_payload,
        normalize.volume,
        urns=("volume",),
    ),
    # account-level kinds (#13): DO lists none of them under a project; attribution derives
    # their project from what they refer to (`attribution_account`).
    KindSpec(
        "certificates",
        "certificate",
        "/v2/certificates",
        "certificates",
        m.Certificate.from_payload,
        na.certificate,
    ),
    KindSpec(
        "cdn_endpoints",
        "cdn_endpoint",
        "/v2/cdn/endpoints",
        "endpoints",
        m.CdnEndpoint.from_payload,
        na.cdn_endpoint,
    ),
    KindSpec(
        "container_registry",
        "container_registry",
        "/v2/registry",
        "registry",
        m.ContainerRegistry.from_payload,
        na.container_registry,
        id_field="name",
        listing=DOClient.list_container_registries,
    ),
    KindSpec(
        "container_repositories",
        "container_repository",
        "/v2/registry",
        "repositories",
        m.ContainerRepository.from_payload,
        na.container_repository,
        id_field="name",
        listing=DOClient.list_container_repositories,
    ),
    KindSpec(
        "ssh_keys", "ssh_key", "/v2/account/keys", "ssh_keys", m.SSHKey.from_payload, na.ssh_key
    ),
    KindSpec("tags", "tag", "/v2/tags", "tags", m.Tag.from_payload, na.tag, id_field="name"),
    KindSpec(
        "custom_images",
        "custom_image",
        "/v2/images",
        "images",
        m.CustomImage.from_payload,
        na.custom_image,
        cadence=HOURLY,
        listing=DOClient.list_custom_images,
    ),
    KindSpec(
        "alert_policies",
        "alert_policy",
        "/v2/monitoring/alerts",
        "policies",
        m.AlertPolicy.from_payload,
        na.alert_policy,
        id_field="uuid",
    ),
    KindSpec(
        "uptime_checks",
        "uptime_check",
        "/v2/uptime/checks",
        "checks",
        m.UptimeCheck.from_payload,
        na.uptime_check,
        listing=DOClient.list_uptime_checks,
    ),
    KindSpec(
        "functions_namespaces",
        "functions_namespace",
        "/v2/functions/namespaces",
        "namespaces",
        m.FunctionsNamespace.from_payload,
        na.functions_namespace,
        id_field="namespace",
    ),
    KindSpec(
        "reserved_ipv6",
        "reserved_ipv6",
        "/v2/reserved_ipv6",
        "reserved_ipv6s",
        m.ReservedIPv6.from_payload,
        na.reserved_ipv6,
        id_field="ip",
    ),
    KindSpec(
        "autoscale_pools",
        "autoscale_pool",
        "/v2/droplets/autoscale",
        "autoscale_pools",
        m.AutoscalePool.from_payload,
        na.autoscale_pool,
    ),
    # DO's spec lists no snapshot under a project (they inherit from their droplet or volume,
    # see `attribution`); the forms DO once sent are still understood.
    KindSpec(
        "snapshots",
        "snapshot",
        "/v2/snapshots",
        "snapshots",
        Snapshot.from_payload,
        normalize.snapshot,
        urns=("volumesnapshot", "image"),
        cadence=HOURLY,
    ),
    KindSpec(
        "reserved_ips",
        "reserved_ip",
        "/v2/reserved_ips",
        "reserved_ips",
        ReservedIP.from_payload,
        normalize.reserved_ip,
        urns=("floatingip", "reservedip"),
        id_field="ip",
        listing=lambda do: do.list_all_reserved_ips(),
    ),  # + floating IPs
    KindSpec(
        "firewalls",
        "firewall",
        "/v2/firewalls",
        "firewalls",
        Firewall.from_payload,
        normalize.firewall,
        urns=("firewall",),
    ),
    KindSpec(
        "load_balancers",
        "load_balancer",
        "/v2/load_balancers",
        "load_balancers",
        LoadBalancer.from_payload,
        normalize.load_balancer,
        urns=("loadbalancer",),
    ),
    # App Platform: apps carry their project (DO has no app URN); alerts follow their app.
    KindSpec(
        "apps",
        "app",
        "/v2/apps",
        "apps",
        apps.App.from_payload,
        platform.app,
        listing=lambda do: do.list_apps(),
    ),
    KindSpec(
        "app_alerts",
        "app_alert",
        "/v2/apps/{id}/alerts",
        "alerts",
        dict,
        platform.app_alert,
        cadence=HOURLY,
        listing=listings.app_alerts,
    ),
    KindSpec(
        "databases",
        "managed_db",
        "/v2/databases",
        "databases",
        databases.DatabaseCluster.from_payload,
        platform.managed_db,
        urns=("dbaas",),
    ),
    KindSpec(
        "database_replicas",
        "db_replica",
        "/v2/databases/{id}/replicas",
        "replicas",
        dict,
        platform.db_replica,
        cadence=HOURLY,
        listing=listings.database_replicas,
    ),
    KindSpec(
        "database_pools",
        "db_pool",
        "/v2/databases/{id}/pools",
        "pools",
        dict,
        platform.db_pool,
        cadence=HOURLY,
        listing=listings.database_pools,
    ),
    KindSpec(
        "kubernetes_clusters",
        "k8s_cluster",
        "/v2/kubernetes/clusters",
        "kubernetes_clusters",
        kubernetes.KubernetesCluster.from_payload,
        platform.k8s_cluster,
        urns=("kubernetes",),
    ),
    KindSpec(
        "kubernetes_node_pools",
        "k8s_node_pool",
        "/v2/kubernetes/clusters",
        "node_pools",
        dict,
        platform.k8s_node_pool,
        listing=listings.node_pools,
    ),
    KindSpec(
        "vpcs",
        "vpc",
        "/v2/vpcs",
        "vpcs",
        vpcs.VPC.from_payload,
        platform.vpc,
        urns=("vpc",),
        cadence=HOURLY,
        listing=listings.vpcs_with_members,
    ),
    KindSpec(
        "vpc_peerings",
        "vpc_peering",
        "/v2/vpc_peerings",
        "vpc_peerings",
        vpcs.VPCPeering.from_payload,
        platform.vpc_peering,
    ),
    KindSpec(
        "nat_gateways",
        "nat_gateway",
        "/v2/vpc_nat_gateways",
        "vpc_nat_gateways",
        vpcs.NATGateway.from_payload,
        platform.nat_gateway,
    ),
    KindSpec(
        "regions",
        "region",
        "/v2/regions",
        "regions",
        catalog.Region.from_payload,
        platform.region,
        cadence=HOURLY,
        id_field="slug",
    ),
    KindSpec(
        "sizes",
        "size",
        "/v2/sizes",
        "sizes",
        catalog.Size.from_payload,
        platform.size,
        cadence=HOURLY,
        id_field="slug",
    ),
)

#: Reference catalogues (regions, sizes): account-wide, never in a project or tenant.
CATALOGUE_KINDS = frozenset({"region", "size"})

#: Asset name → its spec.
KIND_SPECS: Mapping[str, KindSpec] = {spec.name: spec for spec in KINDS}

#: Kinds that are in inventory only through project URNs (placeholders, see `attribution`), by
#: DO's URN kind.
PLACEHOLDER_URNS: Mapping[str, str] = {
    "space": "spaces_bucket",
}
PLACEHOLDER_KINDS = tuple(PLACEHOLDER_URNS.values())

#: How often each kind is listed: the specs, droplet backups (listed per droplet, see
#: `sync.sync_droplet_backups`) and the placeholders (with attribution, every 15 minutes).
KIND_CADENCE: Mapping[str, timedelta] = {
    **{spec.kind: spec.cadence for spec in KINDS},
    **dict.fromkeys(PLACEHOLDER_KINDS, EVERY_15_MIN),
    "droplet_backup": HOURLY,
}

#: Kinds that have their own sync asset: attribution only, never a placeholder.
DEDICATED_KINDS = frozenset({spec.kind for spec in KINDS} | {"droplet_backup"})

#: DO's URN kinds (and aliases) → our kinds.
URN_KINDS: Mapping[str, str] = {
    **{urn: spec.kind for spec in KINDS for urn in spec.urns},
    **PLACEHOLDER_URNS,
}


def asset_names(cadence: timedelta) -> list[str]:
    """The kind assets listed every ``cadence``."""
    return [spec.name for spec in KINDS if spec.cadence == cadence]

"""The kind registry: each declaration lists what the client's own list method lists, and the
jobs, cadences and attribution follow from the declarations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory import platform_listings as listings
from arcadia_cloud_core.inventory.kinds import (
    DEDICATED_KINDS,
    EVERY_15_MIN,
    HOURLY,
    KIND_CADENCE,
    KIND_SPECS,
    KINDS,
    asset_names,
)
from arcadia_cloud_sim.launcher import running_simulator

#: The platform kinds (#13): a client list method, or the listing that combines several.
PLATFORM_LISTS = {
    "apps": DOClient.list_apps,
    "app_alerts": listings.app_alerts,
    "databases": DOClient.list_databases,
    "database_replicas": listings.database_replicas,
    "database_pools": listings.database_pools,
    "kubernetes_clusters": DOClient.list_kubernetes_clusters,
    "kubernetes_node_pools": listings.node_pools,
    "vpcs": listings.vpcs_with_members,
    "vpc_peerings": DOClient.list_vpc_peerings,
    "nat_gateways": DOClient.list_nat_gateways,
    "regions": DOClient.list_regions,
    "sizes": DOClient.list_sizes,
}
#: The client's dedicated list method per asset (what the kinds were listed with before).
CLIENT_LISTS = {
    "droplets": DOClient.list_droplets,
    "domains": DOClient.list_domains,
    "volumes": DOClient.list_volumes,
    "snapshots": DOClient.list_snapshots,
    "reserved_ips": DOClient.list_all_reserved_ips,
    "firewalls": DOClient.list_firewalls,
    "load_balancers": DOClient.list_load_balancers,
    **{
        name: getattr(DOClient, f"list_{name}")
        for name in (  # the account-level kinds (#13)
            "certificates",
            "cdn_endpoints",
            "container_repositories",
            "ssh_keys",
            "tags",
            "custom_images",
            "alert_policies",
            "uptime_checks",
            "functions_namespaces",
            "reserved_ipv6",
            "autoscale_pools",
        )
    },
    "container_registry": DOClient.list_container_registries,
    **PLATFORM_LISTS,
}


@pytest.fixture(scope="module")
def do(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DOClient]:
    state: Path = tmp_path_factory.mktemp("kinds") / "sim.sqlite3"
    with (
        running_simulator(state_path=state) as sim,
        DOClient(token="dop_v1_kinds", base_url=sim.base_url) as client,
    ):
        yield client


@pytest.mark.parametrize("name", sorted(KIND_SPECS))
def test_a_declaration_lists_what_the_client_method_lists(do: DOClient, name: str) -> None:
    spec = KIND_SPECS[name]
    declared = spec.list(do)
    dedicated = CLIENT_LISTS[name](do)
    assert declared.items == dedicated.items
    assert declared.items, name  # the default account has some of every kind
    assert declared.complete
    batch = normalize.normalize_all(spec.kind, declared.items, spec.convert)
    assert not batch.skipped
    assert {r.kind for r in batch.resources} == {spec.kind}


def test_every_declaration_is_unique_and_scheduled() -> None:
    assert sorted(CLIENT_LISTS) == sorted(KIND_SPECS)
    assert len({s.kind for s in KINDS}) == len(KINDS)
    assert sorted(asset_names(EVERY_15_MIN) + asset_names(HOURLY)) == sorted(KIND_SPECS)
    assert asset_names(HOURLY) == [
        "custom_images",
        "snapshots",
        "app_alerts",
        "database_replicas",
        "database_pools",
        "vpcs",
        "regions",
        "sizes",
    ]
    assert {s.kind for s in KINDS} | {"droplet_backup"} == DEDICATED_KINDS
    assert {s.kind: KIND_CADENCE[s.kind] for s in KINDS} == {s.kind: s.cadence for s in KINDS}

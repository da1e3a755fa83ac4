"""The platform kinds of the ``scale`` scenario: ``--platform-kinds N`` resources spread over
VPCs (the regions' defaults, custom ones, peerings, NAT gateways), App Platform apps with
alerts, managed databases with replicas and pools, and DOKS clusters with node pools, in the
shares of :data:`SHARES` (deterministic from the world's seed).

Bodies come from each family's own ``new_*_body``. DOKS nodes are droplets: a scale cluster's
nodes name sampled scale droplets (the world's ``droplets``) rather than adding new ones.
"""

from __future__ import annotations

from collections.abc import Callable

from arcadia_cloud_sim.api.kinds import (
    APP,
    APP_ALERT,
    DATABASE,
    DATABASE_POOL,
    DATABASE_REPLICA,
    K8S_CLUSTER,
    NAT_GATEWAY,
    VPC,
    VPC_PEERING,
)
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.api.urns import member_row, urn
from arcadia_cloud_sim.apps.apps import APP_REGIONS, alert_body, new_app_body
from arcadia_cloud_sim.catalog import REGION_NAMES
from arcadia_cloud_sim.databases.clusters import connection, new_cluster_body
from arcadia_cloud_sim.kubernetes.clusters import new_cluster_body as new_k8s_body
from arcadia_cloud_sim.kubernetes.clusters import node_tags
from arcadia_cloud_sim.networking.addresses import vpc_uuid
from arcadia_cloud_sim.networking.vpcs import new_vpc_body
from arcadia_cloud_sim.store import NewResource, iso

REGIONS = sorted(REGION_NAMES)
#: Custom VPCs at most (DO's default quota is 10 per region; members are listed per VPC).
MAX_CUSTOM_VPCS = 40
ENGINES = ("pg", "pg", "mysql", "valkey", "mongodb")  # every other cluster PostgreSQL
VERSIONS = {"pg": "16", "mysql": "8", "valkey": "8", "mongodb": "7"}
Builder = Callable[[SeedWorld, int], list[NewResource]]


def _tenants(world: SeedWorld) -> list[str]:
    return sorted(world.projects)


def vpcs(world: SeedWorld, n: int) -> list[NewResource]:
    """Each region's default VPC, then custom VPCs (capped), with a peering and a NAT gateway
    for every second custom VPC, up to ``n`` rows."""
    rows: list[NewResource] = []
    for i, region in enumerate(REGIONS[:n]):
        vid = vpc_uuid(region)
        rows.append(NewResource(VPC, vid, new_vpc_body(
            vpc_id=vid, name=f"default-{region}", region=region,
            ip_range=f"10.{100 + i}.0.0/20", created_at=world.at, default=True),
            world.at, name=f"default-{region}"))
    custom = min(MAX_CUSTOM_VPCS, max(0, (n - len(rows)) // 2))
    tenants = _tenants(world)
    ids = []
    for i in range(custom):
        vid, region, tenant = world.uuid(), REGIONS[i % len(REGIONS)], tenants[i % len(tenants)]
        name = f"{tenant}-vpc-{i:03d}"
        ids.append((vid, region))
        rows.append(NewResource(VPC, vid, new_vpc_body(
            vpc_id=vid, name=name, region=region, ip_range=f"10.{150 + i}.0.0/20",
            created_at=world.at), world.at, name=name))
        rows.append(member_row(world.projects[tenant], urn("vpc", vid), world.at))
    for i in range(0, len(ids) - 1, 2):
        (a, _), (b, region) = ids[i], ids[i + 1]
        peering = {"id": world.uuid(), "name": f"peering-{i:03d}", "status": "ACTIVE",
                   "vpc_ids": [a, b], "created_at": iso(world.at)}
        rows.append(NewResource(VPC_PEERING, peering["id"], peering, world.at,
                                name=peering["name"]))
        nat = {"id": world.uuid(), "name": f"egress-{i:03d}", "type": "PUBLIC",
               "state": "ACTIVE", "region": region, "size": 1,
               "vpcs": [{"vpc_uuid": b, "gateway_ip": "10.0.0.2"}],
               "egresses": {"public_gateways": [{"ipv4": f"174.138.{i // 250}.{i % 250 + 1}"}]},
               "udp_timeout_seconds": 30, "icmp_timeout_seconds": 30,
               "tcp_timeout_seconds": 300, "created_at": iso(world.at),
               "updated_at": iso(world.at)}
        rows.append(NewResource(NAT_GATEWAY, nat["id"], nat, world.at, name=nat["name"]))
    return rows


def apps(world: SeedWorld, n: int) -> list[NewResource]:
    """``n // 3`` apps, each with two alerts (deployment failed, CPU)."""
    tenants, regions = _tenants(world), sorted(APP_REGIONS)
    owner = f"{world.rng.getrandbits(160):040x}"
    rows: list[NewResource] = []
    for i in range(n // 3):
        app_id, tenant = world.uuid(), tenants[i % len(tenants)]
        name = f"app-{i:05d}"
        spec = {"services": [{"name": "web", "instance_size_slug": "apps-s-1vcpu-1gb",
                              "instance_count": 1 + i % 3, "http_port": 8080,
                              "routes": [{"path": "/"}]}]}
        body = new_app_body(app_id=app_id, deployment_id=world.uuid(), name=name,
                            region=regions[i % len(regions)],
                            tier="professional" if i % 4 == 0 else "basic", spec=spec,
                            project_id=world.projects[tenant], owner_uuid=owner,
                            created_at=world.at)
        rows.append(NewResource(APP, app_id, body, world.at, name=name))
        emails = [f"ops+{tenant}@arcadia-cloud.dev"]
        for alert in (alert_body(alert_id=world.uuid(), rule="DEPLOYMENT_FAILED",
                                 emails=emails, at=world.at),
                      alert_body(alert_id=world.uuid(), rule="CPU_UTILIZATION", emails=emails,
                                 at=world.at, operator="GREATER_THAN", value=85.0,
                                 window="FIVE_MINUTES")):
            rows.append(NewResource(APP_ALERT, alert["id"], alert, world.at, parent=app_id,
                                    name=alert["spec"]["rule"]))
    return rows


def databases(world: SeedWorld, n: int) -> list[NewResource]:
    """About ``n`` rows: clusters of several engines; each PostgreSQL one with a replica and
    a connection pool, each MySQL one with a replica."""
    tenants = _tenants(world)
    rows: list[NewResource] = []
    i = 0
    while len(rows) < n:
        engine, tenant = ENGINES[i % len(ENGINES)], tenants[i % len(tenants)]
        region, cid, name = REGIONS[i % len(REGIONS)], world.uuid(), f"db-{i:05d}"
        secret = f"{world.rng.getrandbits(96):024x}"
        body = new_cluster_body(
            cluster_id=cid, name=name, engine=engine, version=VERSIONS[engine],
            size="db-s-1vcpu-1gb", num_nodes=1, region=region, vpc_id=vpc_uuid(region),
            project_id=world.projects[tenant], created_at=world.at, password=secret,
            tags=[tenant], rules=[{"uuid": world.uuid(), "type": "tag", "value": tenant,
                                   "description": f"{tenant} droplets"}],
            storage_size_mib=10240 if engine in ("pg", "mysql") else 0)
        rows.append(NewResource(DATABASE, cid, body, world.at, name=name))
        rows.append(member_row(world.projects[tenant], urn("dbaas", cid), world.at))
        if engine in ("pg", "mysql"):
            host = f"{name}-replica-do-user-1-0.f.db.ondigitalocean.com"
            replica = {"id": world.uuid(), "name": f"{name}-replica", "region": region,
                       "size": "db-s-1vcpu-1gb", "status": "online", "tags": [tenant],
                       "created_at": iso(world.at), "private_network_uuid": vpc_uuid(region),
                       "connection": connection(engine=engine, host=host, password=secret),
                       "private_connection": connection(engine=engine, host=f"private-{host}",
                                                        password=secret),
                       "storage_size_mib": 10240}
            rows.append(NewResource(DATABASE_REPLICA, f"{cid}/{replica['name']}", replica,
                                    world.at, parent=cid, name=replica["name"]))
        if engine == "pg":
            host = f"{name}-do-user-1-0.f.db.ondigitalocean.com"
            pool = {"name": "app-pool", "mode": "transaction", "size": 10, "db": "defaultdb",
                    "user": "doadmin", "connection": connection(
                        engine="pg", host=host, password=secret, database="app-pool")}
            rows.append(NewResource(DATABASE_POOL, f"{cid}/app-pool", pool, world.at,
                                    parent=cid, name=pool["name"]))
        i += 1
    return rows


def kubernetes(world: SeedWorld, n: int) -> list[NewResource]:
    """``n // 3`` clusters with two node pools each (nodes: sampled droplets)."""
    tenants, droplets = _tenants(world), sorted(world.droplets.values())
    rows: list[NewResource] = []
    node = 0
    for i in range(n // 3):
        cid, tenant, region = world.uuid(), tenants[i % len(tenants)], REGIONS[i % len(REGIONS)]
        pools = []
        for pool_name, size, count, auto in (("workers", "s-2vcpu-4gb", 2, True),
                                             ("batch", "s-4vcpu-8gb", 1, False)):
            nodes = []
            for _ in range(count):
                did = droplets[node % len(droplets)]
                node += 1
                nodes.append({"id": world.uuid(), "name": f"{pool_name}-{did}",
                              "status": {"state": "running"}, "droplet_id": str(did),
                              "created_at": iso(world.at), "updated_at": iso(world.at)})
            pools.append({"id": world.uuid(), "name": pool_name, "size": size, "count": count,
                          "tags": node_tags(cid), "labels": None, "taints": [],
                          "auto_scale": auto, "min_nodes": count if auto else 0,
                          "max_nodes": count * 2 if auto else 0, "nodes": nodes})
        name = f"doks-{i:04d}"
        body = new_k8s_body(cluster_id=cid, name=name, region=region, version="1.31.1-do.5",
                            vpc_id=vpc_uuid(region), tags=[tenant], node_pools=pools,
                            created_at=world.at)
        rows.append(NewResource(K8S_CLUSTER, cid, body, world.at, name=name))
        rows.append(member_row(world.projects[tenant], urn("kubernetes", cid), world.at))
    return rows


#: Share (per mille) of ``--platform-kinds`` each builder gets (rows: a database's replica
#: and pool count in its share, an app's alerts in its own, a cluster's two pools in its).
SHARES: tuple[tuple[Builder, int], ...] = (
    (vpcs, 30), (apps, 400), (databases, 370), (kubernetes, 200),
)


def top_level_counts(total: int) -> dict[str, int]:
    """How many VPCs, apps and DOKS clusters ``total`` makes (their list totals)."""
    share = {build.__name__: total * n // 1000 for build, n in SHARES}
    defaults = min(share["vpcs"], len(REGIONS))
    custom = min(MAX_CUSTOM_VPCS, max(0, (share["vpcs"] - defaults) // 2))
    return {"vpcs": defaults + custom, "apps": share["apps"] // 3,
            "kubernetes_clusters": share["kubernetes"] // 3}


def seed_platform_kinds_at_scale(world: SeedWorld, total: int) -> list[NewResource]:
    """About ``total`` platform rows (project memberships not counted)."""
    rows: list[NewResource] = []
    for build, share in SHARES:
        rows += build(world, total * share // 1000)
    return rows

"""The store's resource kinds, the id sequences (first values look like DO's) and fresh ids."""

from __future__ import annotations

import uuid

from arcadia_cloud_sim.context import SimContext

# resource kinds in the store
DROPLET = "droplet"
ACTION = "action"
SNAPSHOT = "snapshot"
BACKUP = "backup"
VOLUME = "volume"
RESERVED_IP = "reserved_ip"
FIREWALL = "firewall"
LOAD_BALANCER = "load_balancer"
DOMAIN = "domain"
DOMAIN_RECORD = "domain_record"
PROJECT = "project"
PROJECT_RESOURCE = "project_resource"
# platform families (apps, databases, kubernetes, VPCs)
APP, APP_ALERT = "app", "app_alert"
DATABASE, DATABASE_REPLICA, DATABASE_POOL = "database", "database_replica", "database_pool"
K8S_CLUSTER = "kubernetes_cluster"
VPC, VPC_PEERING, NAT_GATEWAY = "vpc", "vpc_peering", "vpc_nat_gateway"
SPACES_BUCKET = "spaces_bucket"  # served by the S3 API (`storage.spaces`), not under /v2

# id sequences
DROPLET_IDS = ("droplet", 410_000_001)
ACTION_IDS = ("action", 2_300_000_001)
IMAGE_IDS = ("image", 160_500_001)
RECORD_IDS = ("record", 1_740_000_001)
PUBLIC_IPS = ("public_ip", 1)
PRIVATE_IPS = ("private_ip", 1)
RESERVED_IPS = ("reserved_ip", 1)


def new_uuid() -> str:
    """A fresh UUID string."""
    return str(uuid.uuid4())


def next_id(ctx: SimContext, seq: tuple[str, int]) -> int:
    """The next id from one of the sequences above."""
    name, start = seq
    return ctx.store.next_id(name, start=start)

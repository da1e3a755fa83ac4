"""Scenario seeding: ``default`` (the fixed tenant world), ``scale`` (sizes from flags) and
``empty`` (the account and the default project only).

Everything is deterministic from the seed (ids, UUIDs, addresses, sizes), and bulk-inserted
with ``executemany``. After the resources, the billing module seeds its own tables
(``seed_billing``), reading resource names and ids from the store.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from arcadia_cloud_sim import platform_seed
from arcadia_cloud_sim.account import account
from arcadia_cloud_sim.account.projects import new_project_body
from arcadia_cloud_sim.api.kinds import (
    ACTION,
    ACTION_IDS,
    BACKUP,
    DOMAIN,
    DOMAIN_RECORD,
    DROPLET,
    DROPLET_IDS,
    FIREWALL,
    IMAGE_IDS,
    LOAD_BALANCER,
    PRIVATE_IPS,
    PROJECT,
    PROJECT_RESOURCE,
    PUBLIC_IPS,
    RECORD_IDS,
    RESERVED_IP,
    RESERVED_IPS,
    SNAPSHOT,
    VOLUME,
)
from arcadia_cloud_sim.api.urns import urn
from arcadia_cloud_sim.billing import endpoints as billing
from arcadia_cloud_sim.billing.scenarios import DEFAULT_SPACES_BUCKETS
from arcadia_cloud_sim.catalog import REGION_NAMES, SIZES
from arcadia_cloud_sim.compute.actions import action_body, action_scope
from arcadia_cloud_sim.compute.droplets import new_droplet_body
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.networking.addresses import networks_for, public_ipv4, reserved_ipv4
from arcadia_cloud_sim.networking.domains import NAMESERVERS, fqdn, record_body
from arcadia_cloud_sim.networking.firewalls import new_firewall_body
from arcadia_cloud_sim.networking.load_balancers import new_lb_body
from arcadia_cloud_sim.networking.reserved_ips import new_ip_body
from arcadia_cloud_sim.scale_kinds import seed_account_kinds_at_scale
from arcadia_cloud_sim.scale_platform import seed_platform_kinds_at_scale
from arcadia_cloud_sim.seeds import SeedWorld, seed_account_kinds
from arcadia_cloud_sim.settings import SCENARIOS
from arcadia_cloud_sim.storage import spaces
from arcadia_cloud_sim.storage.volumes import new_volume_body
from arcadia_cloud_sim.store import NewResource, iso

log = logging.getLogger(__name__)
DAY = 86400.0
#: Seeded objects are dated relative to this instant (2026-04-20T00:00:00Z), not "now".
EPOCH = 1776643200.0
#: How long a seeded droplet's create action took.
CREATE_SECONDS = 42.0
#: Scale droplets the account-level kinds refer to (alert policies, uptime checks, IPv6).
SCALE_SAMPLE = 1000
#: Backups each scale droplet with backups on (every fifth) has.
SCALE_BACKUPS = 2


class _Ids:
    """Id sequences reserved in bulk for one seeding run."""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx

    def take(self, seq: tuple[str, int], count: int) -> list[int]:
        first = self.ctx.store.reserve_ids(seq[0], count, start=seq[1])
        return list(range(first, first + count))


@dataclass
class _Batch:
    """Rows collected by a scenario builder, inserted in one ``executemany``."""

    rows: list[NewResource] = field(default_factory=list)

    def add(self, kind: str, id: object, body: dict[str, Any], *, created_at: float,
            parent: str | None = None, name: str | None = None) -> None:
        self.rows.append(NewResource(kind, str(id), body, created_at, parent, name))

    def created(self, droplet_id: int, region: str, at: float, action_id: int) -> None:
        """The droplet's ``create`` action, completed :data:`CREATE_SECONDS` after ``at``."""
        body = action_body(action_id=action_id, type="create", resource_type=DROPLET,
                           resource_id=droplet_id, region=region, started_at=at,
                           completed_at=at + CREATE_SECONDS)
        self.add(ACTION, action_id, body, created_at=at,
                 parent=action_scope(DROPLET, droplet_id))

    def member(self, project_id: str, resource_urn: str, at: float) -> None:
        self.rows.append(NewResource(PROJECT_RESOURCE, resource_urn, _EMPTY, at, project_id))


_EMPTY: dict[str, Any] = {}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _account(rng: random.Random) -> dict[str, Any]:
    return {
        "droplet_limit": 25, "floating_ip_limit": 5, "email": "ops@arcadia-cloud.dev",
        "name": "Arcadia Cloud Ops", "uuid": f"{rng.getrandbits(160):040x}",
        "email_verified": True, "status": "active", "status_message": "",
        "team": {"uuid": f"{rng.getrandbits(160):040x}", "name": "Arcadia"},
    }


def _project(batch: _Batch, rng: random.Random, *, name: str, purpose: str, tenant: str,
             at: float, is_default: bool = False) -> str:
    project_id = _uuid(rng)
    body = new_project_body(project_id=project_id, name=name, purpose=purpose,
                            description=f"tenant:{tenant}", environment="Production",
                            is_default=is_default, created_at=at)
    batch.add(PROJECT, project_id, body, created_at=at, name=name)
    return project_id


# -- default --------------------------------------------------------------------------------
_DROPLETS = (  # name, region, size, project, backups, tags
    ("acme-web-1", "nyc3", "s-1vcpu-2gb", "acme", False, ["acme", "web"]),
    ("acme-web-2", "nyc3", "s-1vcpu-2gb", "acme", False, ["acme", "web"]),
    ("acme-db-1", "nyc3", "s-2vcpu-4gb", "acme", True, ["acme", "db"]),
    ("globex-etl-1", "ams3", "s-2vcpu-4gb", "globex", True, ["globex", "etl"]),
    ("platform-ci-1", "ams3", "s-1vcpu-1gb", "platform", False, ["platform", "ci"]),
)
_VOLUMES = (  # name, region, GiB, attached droplet, project
    ("acme-db-data", "nyc3", 100, "acme-db-1", "acme"),
    ("globex-warehouse", "ams3", 500, "globex-etl-1", "globex"),
    ("platform-cache", "ams3", 50, None, "platform"),
)
_DROPLET_SNAPSHOTS = (  # name, droplet, created
    ("acme-web-1-2026-03-01", "acme-web-1", "2026-03-01"),
    ("acme-web-1-2026-04-01", "acme-web-1", "2026-04-01"),
    ("acme-web-2-2026-04-01", "acme-web-2", "2026-04-01"),
    ("acme-db-1-pre-upgrade", "acme-db-1", "2026-02-14"),
    ("acme-db-1-2026-04-01", "acme-db-1", "2026-04-01"),
    ("globex-etl-1-2026-04-01", "globex-etl-1", "2026-04-01"),
    ("globex-etl-1-baseline", "globex-etl-1", "2025-11-20"),
    ("platform-ci-1-golden", "platform-ci-1", "2025-12-05"),
)
_VOLUME_SNAPSHOTS = (
    ("acme-db-data-2026-04-01", "acme-db-data", "2026-04-01"),
    ("globex-warehouse-2026-03-15", "globex-warehouse", "2026-03-15"),
    ("globex-warehouse-2026-04-15", "globex-warehouse", "2026-04-15"),
    ("platform-cache-seed", "platform-cache", "2026-01-10"),
)
_DOMAINS = (  # name, project, droplet for A @, extra records (type, name, data, priority)
    ("acme-store.com", "acme", "acme-web-1",
     [("MX", "@", "mx.acme-mail.com", 10), ("TXT", "@", "v=spf1 include:acme-mail.com ~all",
                                            None)]),
    ("acme-mail.com", "acme", "acme-web-2",
     [("MX", "@", "mx1.acme-mail.com", 10), ("MX", "@", "mx2.acme-mail.com", 20),
      ("TXT", "@", "v=spf1 mx ~all", None)]),
    ("globex.io", "globex", "globex-etl-1", [("TXT", "@", "v=spf1 -all", None)]),
    ("globex-analytics.io", "globex", "globex-etl-1", []),
    ("arcadia-cloud.dev", "platform", "platform-ci-1",
     [("MX", "@", "mx.arcadia-cloud.dev", 10),
      ("TXT", "_dmarc", "v=DMARC1; p=none", None)]),
    ("arcadia-status.dev", "platform", "platform-ci-1", []),
    ("platform-ci.dev", "platform", "platform-ci-1", []),
)
_SPACES = (("acme-assets", "acme"), ("acme-backups", "acme"), ("globex-raw", "globex"),
           ("globex-curated", "globex"), ("platform-artifacts", "platform"),
           ("platform-logs", "platform"))


def _date(day: str) -> float:
    return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() + 3 * 3600


def seed_default(ctx: SimContext, seed: int) -> None:
    """The fixed tenant world of the ``default`` scenario."""
    rng = random.Random(f"scenario:default:{seed}")
    ids = _Ids(ctx)
    batch = _Batch()
    t0 = EPOCH - 400 * DAY
    account.set_account(ctx, _account(rng))
    projects = {
        "acme": _project(batch, rng, name="Acme Storefront", purpose="Web Application",
                         tenant="acme", at=t0),
        "globex": _project(batch, rng, name="Globex Analytics", purpose="Data Analysis",
                           tenant="globex", at=t0 + DAY),
        "platform": _project(batch, rng, name="Platform",
                             purpose="Operational / Developer tooling", tenant="platform",
                             at=t0 - DAY, is_default=True),
    }

    droplet_ids = dict(zip((d[0] for d in _DROPLETS), ids.take(DROPLET_IDS, len(_DROPLETS)),
                           strict=True))
    action_ids = ids.take(ACTION_IDS, len(_DROPLETS))
    public_ips: dict[str, str] = {}
    regions: dict[str, str] = {}
    pub_n = ids.take(PUBLIC_IPS, len(_DROPLETS) + 1)
    priv_n = ids.take(PRIVATE_IPS, len(_DROPLETS))
    for i, (name, region, size, tenant, backups, tags) in enumerate(_DROPLETS):
        at = t0 + (10 + i) * DAY
        networks = networks_for(region, pub_n[i], priv_n[i])
        public_ips[name] = networks["v4"][1]["ip_address"]
        regions[name] = region
        body = new_droplet_body(
            droplet_id=droplet_ids[name], name=name, region=region, size=size,
            image="ubuntu-24-04-x64", created_at=at, tags=tags, backups=backups,
            monitoring=True, status="active", networks=networks,
        )
        batch.add(DROPLET, droplet_ids[name], body, created_at=at, name=name)
        batch.created(droplet_ids[name], region, at, action_ids[i])
        batch.member(projects[tenant], urn("droplet", droplet_ids[name]), at)

    # backups: two weekly ones each for the droplets with backups on
    backup_ids = iter(ids.take(IMAGE_IDS, 4))
    for name, _region, size, _tenant, backups, _tags in _DROPLETS:
        if not backups:
            continue
        for week in (2, 1):
            at = EPOCH - week * 7 * DAY + 2 * 3600
            bid = next(backup_ids)
            batch.add(BACKUP, bid, {
                "id": bid, "name": f"{name} {iso(at)[:10]}", "created_at": iso(at),
                "regions": [regions[name]], "min_disk_size": SIZES[size].disk,
                "size_gigabytes": round(SIZES[size].disk * 0.08 + 0.37, 2), "type": "backup",
            }, created_at=at, parent=str(droplet_ids[name]), name=name)

    volume_ids: dict[str, str] = {}
    for name, region, gib, droplet, tenant in _VOLUMES:
        at = t0 + 20 * DAY
        vid = _uuid(rng)
        volume_ids[name] = vid
        droplet_id = droplet_ids[droplet] if droplet else None
        body = new_volume_body(volume_id=vid, name=name, region=region, size_gigabytes=gib,
                               created_at=at, description=f"{tenant} data",
                               droplet_id=droplet_id, filesystem_type="ext4",
                               filesystem_label=name[:16])
        batch.add(VOLUME, vid, body, created_at=at,
                  parent=str(droplet_id) if droplet_id else None, name=name)
        batch.member(projects[tenant], urn("volume", vid), at)

    tenants = {d[0]: d[3] for d in _DROPLETS}
    snap_ids = iter(ids.take(IMAGE_IDS, len(_DROPLET_SNAPSHOTS)))
    for name, droplet, day in _DROPLET_SNAPSHOTS:
        at = _date(day)
        sid = str(next(snap_ids))
        size = next(d[2] for d in _DROPLETS if d[0] == droplet)
        body = {
            "id": sid, "name": name, "created_at": iso(at), "regions": [regions[droplet]],
            "min_disk_size": SIZES[size].disk,
            "size_gigabytes": round(SIZES[size].disk * 0.09 + 0.41, 2),
            "resource_id": str(droplet_ids[droplet]), "resource_type": "droplet",
            "tags": [tenants[droplet]],
        }
        batch.add(SNAPSHOT, sid, body, created_at=at, parent=body["resource_id"], name=name)
    volumes = {v[0]: v for v in _VOLUMES}
    for name, volume, day in _VOLUME_SNAPSHOTS:
        at = _date(day)
        sid = _uuid(rng)
        _vname, region, gib, _droplet, tenant = volumes[volume]
        body = {
            "id": sid, "name": name, "created_at": iso(at), "regions": [region],
            "min_disk_size": gib, "size_gigabytes": round(gib * 0.13, 2),
            "resource_id": volume_ids[volume], "resource_type": "volume", "tags": [tenant],
        }
        batch.add(SNAPSHOT, sid, body, created_at=at, parent=volume_ids[volume], name=name)

    for i, (domain, tenant, droplet, extra) in enumerate(_DOMAINS):
        at = t0 + (30 + i) * DAY
        batch.add(DOMAIN, domain, {"name": domain, "ttl": 1800}, created_at=at, name=domain)
        batch.member(projects[tenant], urn("domain", domain), at)
        specs: list[tuple[str, str, str, int | None]] = [("SOA", "@", "1800", None)]
        specs += [("NS", "@", ns, None) for ns in NAMESERVERS]
        specs += [("A", "@", public_ips[droplet], None), ("CNAME", "www", domain, None)]
        specs += extra
        rec_ids = ids.take(RECORD_IDS, len(specs))
        for rid, (rtype, rname, data, priority) in zip(rec_ids, specs, strict=True):
            rec = record_body(record_id=rid, type=rtype, name=rname, data=data,
                              priority=priority)
            batch.add(DOMAIN_RECORD, rid, rec, created_at=at, parent=domain,
                      name=fqdn(rname, domain))

    at = t0 + 40 * DAY
    web = [droplet_ids["acme-web-1"], droplet_ids["acme-web-2"]]
    everywhere = {"addresses": ["0.0.0.0/0", "::/0"]}
    fw = new_firewall_body(
        firewall_id=_uuid(rng), name="acme-web-fw",
        inbound_rules=[{"protocol": "tcp", "ports": p, "sources": everywhere}
                       for p in ("22", "80", "443")],
        outbound_rules=[{"protocol": proto, "ports": "0", "destinations": everywhere}
                        for proto in ("tcp", "udp", "icmp")],
        droplet_ids=web, tags=[], created_at=at,
    )
    batch.add(FIREWALL, fw["id"], fw, created_at=at, name=fw["name"])
    lb = new_lb_body(
        lb_id=_uuid(rng), name="acme-web-lb", region="nyc3", created_at=at, droplet_ids=web,
        status="active", ip=public_ipv4("nyc3", pub_n[-1]),
        forwarding_rules=[
            {"entry_protocol": "http", "entry_port": 80, "target_protocol": "http",
             "target_port": 80, "certificate_id": "", "tls_passthrough": False},
            {"entry_protocol": "https", "entry_port": 443, "target_protocol": "https",
             "target_port": 443, "certificate_id": "", "tls_passthrough": True},
        ],
    )
    batch.add(LOAD_BALANCER, lb["id"], lb, created_at=at, name=lb["name"])
    batch.member(projects["acme"], urn("loadbalancer", lb["id"]), at)

    rip_n = ids.take(RESERVED_IPS, 2)
    for n, region, droplet, tenant in ((rip_n[0], "nyc3", "acme-web-1", "acme"),
                                       (rip_n[1], "ams3", None, "platform")):
        ip = reserved_ipv4(region, n)
        body = new_ip_body(ip=ip, region=region,
                           droplet_id=droplet_ids[droplet] if droplet else None)
        batch.add(RESERVED_IP, ip, body, created_at=at)
        batch.member(projects[tenant], urn("floatingip", ip), at)

    for space, tenant in _SPACES:
        batch.member(projects[tenant], urn("space", space), at)
    # the buckets themselves (S3 API), in the regions the scenario's invoices bill them in
    batch.rows += spaces.seed_buckets([(b, r) for b, r, _, _ in DEFAULT_SPACES_BUCKETS], at=at)
    batch.rows += seed_account_kinds(SeedWorld(ctx, rng, at, projects, droplet_ids, public_ips))
    batch.rows += platform_seed.seed_default(rng=rng, projects=projects, droplets=droplet_ids,
                                             at=at, take_ids=ids.take)
    ctx.store.insert_many(batch.rows)


# -- scale ----------------------------------------------------------------------------------
def seed_scale(ctx: SimContext, seed: int) -> None:
    """A large account: sizes from the settings, spread across regions and projects."""
    s = ctx.settings
    rng = random.Random(f"scenario:scale:{seed}")
    ids = _Ids(ctx)
    batch = _Batch()
    account.set_account(ctx, _account(rng))
    regions = sorted(REGION_NAMES)
    sizes = [k for k in SIZES if SIZES[k].disk >= 25]
    t0 = EPOCH - 700 * DAY
    tenants = [f"tenant-{i:02d}" for i in range(10)]
    projects = [
        _project(batch, rng, name=f"Tenant {i:02d}", purpose="Web Application", tenant=t,
                 at=t0 + i) for i, t in enumerate(tenants)
    ]
    projects.append(_project(batch, rng, name="Platform",
                             purpose="Operational / Developer tooling", tenant="platform",
                             at=t0 - DAY, is_default=True))

    droplet_ids = ids.take(DROPLET_IDS, s.droplets)
    action_ids = ids.take(ACTION_IDS, s.droplets)
    backup_ids = iter(ids.take(IMAGE_IDS, SCALE_BACKUPS * len(range(0, s.droplets, 5))))
    pub_n = ids.take(PUBLIC_IPS, s.droplets)
    priv_n = ids.take(PRIVATE_IPS, s.droplets)
    droplet_meta: list[tuple[int, str, int]] = []  # id, region, tenant index
    sample: dict[str, int] = {}  # what the account-level kinds refer to: name → id
    sample_ips: dict[str, str] = {}
    for i, did in enumerate(droplet_ids):
        region = regions[i % len(regions)]
        tenant = rng.randrange(len(tenants))
        size = rng.choice(sizes)
        at = t0 + i * 600
        name = f"{tenants[tenant]}-node-{i:05d}"
        body = new_droplet_body(
            droplet_id=did, name=name, region=region, size=size, image="ubuntu-24-04-x64",
            created_at=at, tags=[tenants[tenant], rng.choice(["web", "db", "worker"])],
            backups=i % 5 == 0, status="active",
            networks=networks_for(region, pub_n[i], priv_n[i]),
        )
        batch.add(DROPLET, did, body, created_at=at, name=name)
        batch.created(did, region, at, action_ids[i])
        batch.member(projects[tenant], urn("droplet", did), at)
        droplet_meta.append((did, region, tenant))
        if i % 5 == 0:  # backups on: the last SCALE_BACKUPS weekly ones
            for week in range(SCALE_BACKUPS, 0, -1):
                bat, bid = EPOCH - week * 7 * DAY + 2 * 3600, next(backup_ids)
                batch.add(BACKUP, bid, {
                    "id": bid, "name": f"{name} {iso(bat)[:10]}", "created_at": iso(bat),
                    "regions": [region], "min_disk_size": SIZES[size].disk,
                    "size_gigabytes": round(SIZES[size].disk * 0.08 + 0.37, 2),
                    "type": "backup"}, created_at=bat, parent=str(did), name=name)
        if i < SCALE_SAMPLE:
            sample[name] = did
            sample_ips[name] = body["networks"]["v4"][1]["ip_address"]

    volume_ids: list[tuple[str, str, int, int]] = []  # id, region, GiB, tenant
    for i in range(s.volumes):
        attach = droplet_meta[(i * 2) % len(droplet_meta)] if droplet_meta and i % 2 == 0 \
            else None
        region = attach[1] if attach else regions[i % len(regions)]
        tenant = attach[2] if attach else rng.randrange(len(tenants))
        vid = _uuid(rng)
        gib = rng.choice([10, 50, 100, 250, 500])
        at = t0 + i * 900
        name = f"vol-{i:05d}"
        body = new_volume_body(volume_id=vid, name=name, region=region, size_gigabytes=gib,
                               created_at=at, droplet_id=attach[0] if attach else None,
                               filesystem_type="ext4")
        batch.add(VOLUME, vid, body, created_at=at,
                  parent=str(attach[0]) if attach else None, name=name)
        batch.member(projects[tenant], urn("volume", vid), at)
        volume_ids.append((vid, region, gib, tenant))

    n_volume_snaps = s.snapshots // 4 if volume_ids else 0
    n_droplet_snaps = s.snapshots - n_volume_snaps if droplet_meta else 0
    snap_ids = ids.take(IMAGE_IDS, n_droplet_snaps)
    for i, sid_int in enumerate(snap_ids):
        did, region, tenant = droplet_meta[i % len(droplet_meta)]
        at = t0 + i * 1200
        sid = str(sid_int)
        name = f"snap-{did}-{i:05d}"
        body = {"id": sid, "name": name, "created_at": iso(at), "regions": [region],
                "min_disk_size": 25, "size_gigabytes": round(rng.uniform(1, 20), 2),
                "resource_id": str(did), "resource_type": "droplet", "tags": []}
        batch.add(SNAPSHOT, sid, body, created_at=at, parent=str(did), name=name)
    for i in range(n_volume_snaps):
        vid, region, gib, tenant = volume_ids[i % len(volume_ids)]
        sid = _uuid(rng)
        at = t0 + i * 1500
        name = f"volsnap-{i:05d}"
        body = {"id": sid, "name": name, "created_at": iso(at), "regions": [region],
                "min_disk_size": gib, "size_gigabytes": round(gib * 0.1, 2),
                "resource_id": vid, "resource_type": "volume", "tags": []}
        batch.add(SNAPSHOT, sid, body, created_at=at, parent=vid, name=name)

    rec_ids = iter(ids.take(RECORD_IDS, s.domains * 5))
    for i in range(s.domains):
        domain = f"site-{i:05d}.example"
        tenant = i % len(tenants)
        at = t0 + i * 3600
        batch.add(DOMAIN, domain, {"name": domain, "ttl": 1800}, created_at=at, name=domain)
        batch.member(projects[tenant], urn("domain", domain), at)
        specs = [("SOA", "@", "1800")] + [("NS", "@", ns) for ns in NAMESERVERS]
        specs.append(("A", "@", public_ipv4(regions[i % len(regions)], i + 1)))
        for rtype, rname, data in specs:
            rid = next(rec_ids)
            rec = record_body(record_id=rid, type=rtype, name=rname, data=data)
            batch.add(DOMAIN_RECORD, rid, rec, created_at=at, parent=domain,
                      name=fqdn(rname, domain))
    if sample:
        world = SeedWorld(ctx, rng, t0 + 600 * DAY, dict(zip([*tenants, "platform"], projects,
                                                             strict=True)), sample, sample_ips)
        batch.rows += seed_account_kinds_at_scale(world, s.account_kinds)
        batch.rows += seed_platform_kinds_at_scale(world, s.platform_kinds)
    ctx.store.insert_many(batch.rows)


def seed_empty(ctx: SimContext, seed: int) -> None:
    """Nothing but the account and the default project."""
    rng = random.Random(f"scenario:empty:{seed}")
    batch = _Batch()
    account.set_account(ctx, _account(rng))
    _project(batch, rng, name="Platform", purpose="Operational / Developer tooling",
             tenant="platform", at=EPOCH - 400 * DAY, is_default=True)
    ctx.store.insert_many(batch.rows)


BUILDERS: dict[str, Callable[[SimContext, int], None]] = {
    "default": seed_default,
    "scale": seed_scale,
    "empty": seed_empty,
}


def reseed(ctx: SimContext, *, scenario: str, seed: int) -> float:
    """Wipe the state file and seed ``scenario``; returns the seconds it took."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose from {SCENARIOS}")
    started, cpu = time.perf_counter(), time.process_time()
    store = ctx.store
    store.wipe()
    with store.transaction():
        BUILDERS[scenario](ctx, seed)
        store.meta_set("scenario", scenario)
        store.meta_set("seed", str(seed))
    billing.seed_billing(ctx, seed=seed, scenario=scenario)
    # Fresh statistics, so SQLite picks the parent index (not a full scan) for related-id lookups.
    store.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    log.info("seeded scenario %s (seed %s) in %.2f s (cpu %.2f s)", scenario, seed, elapsed,
             time.process_time() - cpu)
    return elapsed


def ensure_seeded(ctx: SimContext, *, force: bool = False) -> bool:
    """Seed the configured scenario unless the state file already holds one (or ``force``)."""
    if ctx.store.is_seeded() and not force:
        current = ctx.store.meta_get("scenario")
        if current != ctx.settings.scenario:
            log.warning("state file holds scenario %s; keeping it (use --reset to re-seed %s)",
                        current, ctx.settings.scenario)
        return False
    reseed(ctx, scenario=ctx.settings.scenario, seed=ctx.settings.seed)
    return True


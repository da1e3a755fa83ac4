"""The account-level kinds of the ``scale`` scenario: ``--account-kinds N`` resources spread
over them in the shares of :data:`SHARES` (deterministic from the world's seed).

Each builder makes ``n`` objects of one kind with that kind module's own ``new_*_body``, so the
bodies are exactly what the endpoints serve. The world's ``droplets`` / ``public_ips`` are a
sample of the scale droplets (what alert policies, uptime checks and IPv6 refer to); tags are
capped at one page (:data:`MAX_TAGS`): DO accounts carry dozens, and each is counted live.
"""

from __future__ import annotations

from collections.abc import Callable

from arcadia_cloud_sim.account.ssh_keys import SSH_KEY, SSH_KEY_IDS, new_key_body
from arcadia_cloud_sim.account.tags import TAG
from arcadia_cloud_sim.api.kinds import IMAGE_IDS
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.compute.autoscale import AUTOSCALE_POOL, new_pool_body
from arcadia_cloud_sim.compute.images import IMAGE, new_image_body
from arcadia_cloud_sim.functions.namespaces import NAMESPACE, new_namespace_body
from arcadia_cloud_sim.monitoring.alerts import ALERT_POLICY, new_policy_body
from arcadia_cloud_sim.monitoring.uptime import (
    UPTIME_CHECK,
    UPTIME_STATE,
    new_check_body,
    new_state_body,
)
from arcadia_cloud_sim.networking.cdn import CDN_ENDPOINT, new_endpoint_body
from arcadia_cloud_sim.networking.certificates import CERTIFICATE, new_certificate_body
from arcadia_cloud_sim.networking.reserved_ipv6 import RESERVED_IPV6, ipv6, new_ipv6_body
from arcadia_cloud_sim.storage.registry import (
    REGISTRY,
    REPOSITORY,
    new_registry_body,
    new_repository_body,
    repository_id,
)
from arcadia_cloud_sim.store import NewResource

MAX_TAGS = 200
REGIONS = ("ams3", "fra1", "nyc1", "nyc3", "sfo3", "sgp1")
Builder = Callable[[SeedWorld, int], list[NewResource]]


def _names(world: SeedWorld) -> list[str]:
    return sorted(world.droplets)


def certificates(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` certificates, one per ``cert-NNNNN.example`` zone (every third a custom one)."""
    rows = []
    for i in range(n):
        name, domain = f"cert-{i:05d}", f"cert-{i:05d}.example"
        body = new_certificate_body(
            certificate_id=world.uuid(), name=name,
            type="custom" if i % 3 == 0 else "lets_encrypt",
            dns_names=[domain, f"www.{domain}"], created_at=world.at)
        rows.append(NewResource(CERTIFICATE, body["id"], body, world.at, name=name))
    return rows


def cdn_endpoints(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` CDN endpoints, one per Spaces bucket ``cdn-NNNNN``."""
    rows = []
    for i in range(n):
        body = new_endpoint_body(endpoint_id=world.uuid(), bucket=f"cdn-{i:05d}",
                                 region=REGIONS[i % len(REGIONS)], ttl=3600,
                                 created_at=world.at)
        rows.append(NewResource(CDN_ENDPOINT, body["id"], body, world.at, name=body["origin"]))
    return rows


def ssh_keys(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` ed25519 keys."""
    first = world.ctx.store.reserve_ids(SSH_KEY_IDS[0], n, start=SSH_KEY_IDS[1])
    rows = []
    for i in range(n):
        body = new_key_body(key_id=first + i, name=f"key-{i:05d}",
                            key_bytes=world.rng.getrandbits(256).to_bytes(32, "big"))
        rows.append(NewResource(SSH_KEY, str(body["id"]), body, world.at,
                                name=body["fingerprint"]))
    return rows


def tags(world: SeedWorld, n: int) -> list[NewResource]:
    """The tags the scale droplets carry (tenants, roles), then ``team-NNN`` up to ``n``
    (at most :data:`MAX_TAGS`)."""
    carried = [f"tenant-{i:02d}" for i in range(10)] + ["web", "db", "worker"]
    names = (carried + [f"team-{i:03d}" for i in range(max(0, n - len(carried)))])
    return [NewResource(TAG, name, {"name": name}, world.at, name=name)
            for name in names[:min(n, MAX_TAGS)]]


def registry(world: SeedWorld, n: int) -> list[NewResource]:
    """The account's one registry (Professional) and ``n - 1`` repositories in it."""
    name = "arcadia-scale"
    rows = [NewResource(REGISTRY, name, new_registry_body(name=name, region="nyc3",
                                                          tier="professional",
                                                          created_at=world.at),
                        world.at, name=name)]
    for i in range(n - 1):
        repo = f"team-{i % 50:02d}/service-{i:05d}"
        body = new_repository_body(registry=name, name=repo, tags=["latest"],
                                   manifests=1 + i % 7, size_bytes=(20 + i % 300) * 2**20,
                                   updated_at=world.at)
        rows.append(NewResource(REPOSITORY, repository_id(name, repo), body, world.at,
                                parent=name, name=repo))
    return rows


def custom_images(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` custom images."""
    first = world.ctx.store.reserve_ids(IMAGE_IDS[0], n, start=IMAGE_IDS[1])
    rows = []
    for i in range(n):
        name = f"image-{i:05d}"
        body = new_image_body(image_id=first + i, name=name, distribution="Ubuntu",
                              regions=[REGIONS[i % len(REGIONS)]],
                              size_gigabytes=round(2 + i % 9 * 0.7, 2), created_at=world.at,
                              tags=[f"tenant-{i % 10:02d}"])
        rows.append(NewResource(IMAGE, str(body["id"]), body, world.at, name=name))
    return rows


def alert_policies(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` CPU alert policies, each on one sampled droplet."""
    names = _names(world)
    rows = []
    for i in range(n):
        droplet = world.droplets[names[i % len(names)]]
        body = new_policy_body(uuid=world.uuid(), description=f"cpu above 80% #{i:05d}",
                               type="v1/insights/droplet/cpu", compare="GreaterThan",
                               value=80.0, window="5m", entities=[str(droplet)], tags=[],
                               emails=["ops@arcadia-cloud.dev"])
        rows.append(NewResource(ALERT_POLICY, body["uuid"], body, world.at,
                                name=body["description"]))
    return rows


def uptime_checks(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` ping checks on sampled droplets, with their state (every tenth ``DOWN``)."""
    names = _names(world)
    regions = ["us_east", "eu_west"]
    rows = []
    for i in range(n):
        body = new_check_body(check_id=world.uuid(), name=f"ping {i:05d}", type="ping",
                              target=world.public_ips[names[i % len(names)]], regions=regions)
        rows.append(NewResource(UPTIME_CHECK, body["id"], body, world.at, name=body["name"]))
        state = new_state_body(status="DOWN" if i % 10 == 0 else "UP", since=world.at,
                               regions=regions)
        rows.append(NewResource(UPTIME_STATE, body["id"], state, world.at, parent=body["id"]))
    return rows


def functions_namespaces(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` namespaces (keys from the seeded RNG: deterministic, never real)."""
    rows = []
    for i in range(n):
        body = new_namespace_body(uuid=world.uuid(), label=f"fn-{i:05d}",
                                  region=REGIONS[i % len(REGIONS)], created_at=world.at,
                                  key=f"{world.rng.getrandbits(256):064x}")
        rows.append(NewResource(NAMESPACE, body["namespace"], body, world.at,
                                name=f"fn-{i:05d}"))
    return rows


def reserved_ipv6(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` reserved IPv6 addresses, every other one assigned to a sampled droplet."""
    names = _names(world)
    rows = []
    for i in range(n):
        region = REGIONS[i % len(REGIONS)]
        droplet = world.droplets[names[i % len(names)]] if i % 2 == 0 else None
        body = new_ipv6_body(ip=ipv6(region, i + 1), region=region, reserved_at=world.at,
                             droplet_id=droplet)
        rows.append(NewResource(RESERVED_IPV6, body["ip"], body, world.at))
    return rows


def autoscale_pools(world: SeedWorld, n: int) -> list[NewResource]:
    """``n`` autoscale pools spread over the projects."""
    tenants = sorted(world.projects)
    rows = []
    for i in range(n):
        tenant = tenants[i % len(tenants)]
        body = new_pool_body(pool_id=world.uuid(), name=f"pool-{i:05d}",
                             region=REGIONS[i % len(REGIONS)], size="s-1vcpu-2gb",
                             project_id=world.projects[tenant], min_instances=1,
                             max_instances=5, target_cpu=0.7, active=0,
                             tags=[tenant, "autoscale"], created_at=world.at)
        rows.append(NewResource(AUTOSCALE_POOL, body["id"], body, world.at, name=body["name"]))
    return rows


#: Share (per mille) of ``--account-kinds`` each builder gets; the registry's share is the
#: registry plus its repositories, the uptime checks' one counts checks (not their states).
SHARES: tuple[tuple[Builder, int], ...] = (
    (certificates, 60), (cdn_endpoints, 20), (ssh_keys, 40), (tags, 4), (registry, 300),
    (custom_images, 100), (alert_policies, 100), (uptime_checks, 10),
    (functions_namespaces, 20), (reserved_ipv6, 250), (autoscale_pools, 96),
)


def counts(total: int) -> dict[str, int]:
    """How many of each builder's objects ``total`` makes (the remainder to the registry)."""
    out = {build.__name__: total * share // 1000 for build, share in SHARES}
    out["tags"] = min(out["tags"], MAX_TAGS)
    out["registry"] += total - sum(out.values())
    if total and out["registry"] < 1:
        out["registry"] = 1
    return out


def seed_account_kinds_at_scale(world: SeedWorld, total: int) -> list[NewResource]:
    """About ``total`` account-level resources (exactly ``total`` up to the tag cap)."""
    n = counts(total)
    rows: list[NewResource] = []
    for build, _share in SHARES:
        if n[build.__name__]:
            rows += build(world, n[build.__name__])
    return rows

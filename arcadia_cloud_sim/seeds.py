"""The account-level kinds of the ``default`` scenario, seeded in one call.

``scenarios.seed_default`` builds the world (projects, droplets, domains…) and hands it here as
an :class:`~arcadia_cloud_sim.api.seeding.SeedWorld`; each kind module seeds its own objects
from it (``seed_default(world)``), in this order (CDN endpoints name certificates).
"""

from __future__ import annotations

from arcadia_cloud_sim.account import ssh_keys, tags
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.compute import autoscale, images
from arcadia_cloud_sim.functions import namespaces
from arcadia_cloud_sim.monitoring import alerts, uptime
from arcadia_cloud_sim.networking import cdn, certificates, reserved_ipv6
from arcadia_cloud_sim.storage import registry
from arcadia_cloud_sim.store import NewResource

ACCOUNT_KINDS = (certificates, cdn, ssh_keys, tags, registry, images, alerts, uptime,
                 namespaces, reserved_ipv6, autoscale)

__all__ = ["ACCOUNT_KINDS", "SeedWorld", "seed_account_kinds"]


def seed_account_kinds(world: SeedWorld) -> list[NewResource]:
    """Certificates, CDN endpoints, SSH keys, tags, the registry, custom images, monitoring,
    functions, reserved IPv6 and autoscale pools of the ``default`` scenario."""
    for module in ACCOUNT_KINDS:
        world.pending.extend(module.seed_default(world))
    return world.pending

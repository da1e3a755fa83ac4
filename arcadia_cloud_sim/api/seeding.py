"""What a kind module's ``seed_default`` gets from the ``default`` world (``seeds``)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.store import NewResource


@dataclass(frozen=True)
class SeedWorld:
    """The seeded default account the account-level kinds refer to."""

    ctx: SimContext
    rng: random.Random
    at: float  # when they were created (epoch seconds)
    projects: dict[str, str]  # tenant → project id
    droplets: dict[str, int]  # droplet name → id
    public_ips: dict[str, str]  # droplet name → public IPv4
    pending: list[NewResource] = field(default_factory=list)  # seeded so far by these kinds

    def uuid(self) -> str:
        """A deterministic UUID string."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

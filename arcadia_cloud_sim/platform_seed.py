"""The platform families' part of the ``default`` scenario: VPCs (with a peering and a NAT
gateway), App Platform apps with alerts, managed databases and a DOKS cluster with its node
droplets. Each family seeds its own data (its ``seed_default``); this only wires them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping

from arcadia_cloud_sim.api.kinds import PRIVATE_IPS, PUBLIC_IPS
from arcadia_cloud_sim.apps import apps
from arcadia_cloud_sim.databases import clusters as databases
from arcadia_cloud_sim.kubernetes import clusters as kubernetes
from arcadia_cloud_sim.networking import vpcs
from arcadia_cloud_sim.networking.addresses import networks_for
from arcadia_cloud_sim.store import NewResource


def seed_default(
    *, rng: random.Random, projects: Mapping[str, str], droplets: Mapping[str, int],
    at: float, take_ids: Callable[[tuple[str, int], int], list[int]],
) -> list[NewResource]:
    """Every platform row of the default scenario (deterministic from ``rng``)."""

    def new_uuid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    nodes = kubernetes.NODE_COUNT
    public, private = take_ids(PUBLIC_IPS, nodes), take_ids(PRIVATE_IPS, nodes)
    owner_uuid = f"{rng.getrandbits(160):040x}"
    vpc_rows, vpc_ids = vpcs.seed_default(new_uuid=new_uuid, projects=projects, at=at)
    db_rows, _ = databases.seed_default(
        new_uuid=new_uuid, projects=projects, vpcs=vpc_ids, droplets=droplets, at=at,
        password=lambda: f"{rng.getrandbits(96):024x}")
    return [
        *vpc_rows,
        *apps.seed_default(new_uuid=new_uuid, projects=projects, at=at, owner_uuid=owner_uuid),
        *db_rows,
        *kubernetes.seed_default(
            new_uuid=new_uuid, projects=projects, vpcs=vpc_ids, at=at, take_ids=take_ids,
            networks=lambda region, i: networks_for(region, public[i], private[i])),
    ]

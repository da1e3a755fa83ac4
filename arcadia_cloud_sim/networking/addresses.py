"""Addresses the simulator hands out: public, private (VPC) and reserved IPv4s, default VPCs."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

_PUBLIC_BASES = {"nyc1": "104.236", "nyc3": "159.203", "sfo3": "143.198", "ams3": "188.166",
                 "fra1": "164.90", "lon1": "178.62", "sgp1": "128.199", "tor1": "159.89",
                 "blr1": "139.59", "syd1": "170.64"}
_RESERVED_BASES = {"nyc3": "45.55", "ams3": "146.190"}


def _host(n: int) -> str:
    n = 1 + (n - 1) % 64_000
    return f"{n // 250 % 256}.{n % 250 + 2}"


def public_ipv4(region: str, n: int) -> str:
    """The n-th public droplet address in ``region``."""
    return f"{_PUBLIC_BASES.get(region, '167.99')}.{_host(n)}"


def private_ipv4(region: str, n: int) -> str:
    """The n-th private (VPC) address in ``region``."""
    idx = sorted(_PUBLIC_BASES).index(region) if region in _PUBLIC_BASES else 99
    return f"10.{100 + idx}.{_host(n)}"


def reserved_ipv4(region: str, n: int) -> str:
    """The n-th reserved IP in ``region``."""
    return f"{_RESERVED_BASES.get(region, '209.38')}.{_host(n)}"


def networks_for(region: str, n_public: int, n_private: int) -> dict[str, Any]:
    """A droplet's ``networks`` once it is active: one private and one public v4."""
    public = public_ipv4(region, n_public)
    gateway = public.rsplit(".", 1)[0] + ".1"
    return {
        "v4": [
            {"ip_address": private_ipv4(region, n_private), "netmask": "255.255.0.0",
             "gateway": "nil", "type": "private"},
            {"ip_address": public, "netmask": "255.255.255.0", "gateway": gateway,
             "type": "public"},
        ],
        "v6": [],
    }


@cache
def vpc_uuid(region: str) -> str:
    """The region's default VPC (stable)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arcadia-sim/vpc/{region}"))

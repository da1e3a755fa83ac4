"""The small, fixed catalog of regions, sizes and images the simulator knows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import orjson

REGION_NAMES: dict[str, str] = {
    "nyc1": "New York 1",
    "nyc3": "New York 3",
    "sfo3": "San Francisco 3",
    "ams3": "Amsterdam 3",
    "fra1": "Frankfurt 1",
    "lon1": "London 1",
    "sgp1": "Singapore 1",
    "tor1": "Toronto 1",
    "blr1": "Bangalore 1",
    "syd1": "Sydney 1",
}
REGION_FEATURES = ["backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"]


@dataclass(frozen=True)
class Size:
    """A droplet size (plan); prices in integer cents (rendered as DO's USD floats)."""

    slug: str
    memory: int
    vcpus: int
    disk: int
    transfer: float
    price_monthly_cents: int
    description: str = "Basic"

    @functools.cache  # noqa: B019 - catalog entries live as long as the process
    def to_json(self) -> dict[str, Any]:
        """DO's size object (shared: don't mutate)."""
        return {
            "slug": self.slug,
            "memory": self.memory,
            "vcpus": self.vcpus,
            "disk": self.disk,
            "transfer": self.transfer,
            "price_monthly": self.price_monthly_cents / 100,
            "price_hourly": round(self.price_monthly_cents / 100 / 672, 5),
            "regions": sorted(REGION_NAMES),
            "available": True,
            "description": self.description,
            "disk_info": [{"type": "local", "size": {"amount": self.disk, "unit": "gib"}}],
        }


SIZES: dict[str, Size] = {
    s.slug: s
    for s in (
        Size("s-1vcpu-512mb-10gb", 512, 1, 10, 0.5, 400),
        Size("s-1vcpu-1gb", 1024, 1, 25, 1.0, 600),
        Size("s-1vcpu-2gb", 2048, 1, 50, 2.0, 1200),
        Size("s-2vcpu-2gb", 2048, 2, 60, 3.0, 1800),
        Size("s-2vcpu-4gb", 4096, 2, 80, 4.0, 2400),
        Size("s-4vcpu-8gb", 8192, 4, 160, 5.0, 4800),
        Size("s-8vcpu-16gb", 16384, 8, 320, 6.0, 9600),
        Size("g-2vcpu-8gb", 8192, 2, 25, 4.0, 6300, "General Purpose"),
        Size("c-2", 4096, 2, 25, 4.0, 4200, "CPU-Optimized"),
        Size("m-2vcpu-16gb", 16384, 2, 50, 4.0, 8400, "Memory-Optimized"),
    )
}


@dataclass(frozen=True)
class Image:
    """A public distribution image."""

    id: int
    slug: str
    name: str
    distribution: str
    min_disk_size: int
    size_gigabytes: float

    @functools.cache  # noqa: B019 - catalog entries live as long as the process
    def to_json(self) -> dict[str, Any]:
        """DO's image object (shared: don't mutate)."""
        return {
            "id": self.id,
            "name": self.name,
            "distribution": self.distribution,
            "slug": self.slug,
            "public": True,
            "regions": sorted(REGION_NAMES),
            "created_at": "2024-04-25T14:52:19Z",
            "type": "base",
            "min_disk_size": self.min_disk_size,
            "size_gigabytes": self.size_gigabytes,
            "description": f"{self.distribution} {self.name}",
            "tags": [],
            "status": "available",
            "error_message": "",
        }


IMAGES: dict[str, Image] = {
    i.slug: i
    for i in (
        Image(155990111, "ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", 7, 2.38),
        Image(129211873, "ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", 7, 2.36),
        Image(145931466, "debian-12-x64", "12 x64", "Debian", 7, 1.11),
        Image(160237021, "fedora-40-x64", "40 x64", "Fedora", 7, 0.95),
        Image(148372418, "rockylinux-9-x64", "9 x64", "Rocky Linux", 10, 1.33),
    )
}
IMAGES_BY_ID: dict[int, Image] = {i.id: i for i in IMAGES.values()}


@functools.cache
def region_json(slug: str) -> dict[str, Any]:
    """DO's region object for ``slug`` (unknown slugs get a generic name). Shared: don't mutate."""
    return {
        "name": REGION_NAMES.get(slug, slug.upper()),
        "slug": slug,
        "features": list(REGION_FEATURES),
        "available": True,
        "sizes": list(SIZES),
    }


def resolve_region(value: str) -> str | None:
    """A region slug, or a prefix like ``nyc`` meaning any matching region; None if unknown."""
    if value in REGION_NAMES:
        return value
    matches = sorted(s for s in REGION_NAMES if s.startswith(value))
    return matches[-1] if matches and value else None


def resolve_image(value: object) -> Image | None:
    """An image by slug or numeric id."""
    if isinstance(value, str):
        if value in IMAGES:
            return IMAGES[value]
        if value.isdigit():
            return IMAGES_BY_ID.get(int(value))
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return IMAGES_BY_ID.get(value)
    return None


@functools.cache
def size_fragment(slug: str) -> orjson.Fragment:
    """``SIZES[slug].to_json()`` encoded once (a droplet listing embeds it in every item)."""
    return orjson.Fragment(orjson.dumps(SIZES[slug].to_json()))


@functools.cache
def image_fragment(slug: str) -> orjson.Fragment:
    """``IMAGES[slug].to_json()`` encoded once."""
    return orjson.Fragment(orjson.dumps(IMAGES[slug].to_json()))


@functools.cache
def region_fragment(slug: str) -> orjson.Fragment:
    """``region_json(slug)`` encoded once."""
    return orjson.Fragment(orjson.dumps(region_json(slug)))

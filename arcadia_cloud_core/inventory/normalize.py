"""Client models → `NormalizedResource`, one small function per kind (table at the bottom).

`attrs` keeps each kind's stable, meaningful fields as plain JSON; volatile fields (locks, pending
changes, zone files) stay out so an unchanged resource compares equal across syncs. A model that
cannot be normalised is reported as a `SkippedResource` naming its id and field; the rest land.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean import (
    Domain,
    Droplet,
    Firewall,
    Image,
    LoadBalancer,
    ReservedIP,
    Snapshot,
    Volume,
)
from arcadia_cloud_core.digitalocean.errors import FieldError
from arcadia_cloud_core.digitalocean.listing import SkippedItem
from arcadia_cloud_core.digitalocean.spaces import SpacesBucket
from arcadia_cloud_core.gc_pause import gc_paused
from arcadia_cloud_core.inventory import pricing
from arcadia_cloud_core.inventory.model import NormalizedResource, SkippedResource

log = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _sorted(values: Iterable[str]) -> list[str]:
    return sorted(str(v) for v in values)


def droplet(d: Droplet) -> NormalizedResource:
    """A droplet: size and image for drift, addresses for DNS, volumes for attribution."""
    return NormalizedResource(
        kind="droplet",
        provider_id=d.id,
        name=d.name,
        region=d.region,
        status=d.status,
        attrs={
            "size": d.size_slug,
            "image": d.image_slug or d.image_id,
            "image_id": d.image_id,
            "vcpus": d.vcpus,
            "memory_mb": d.memory_mb,
            "disk_gb": d.disk_gb,
            "tags": _sorted(d.tags),
            "public_ipv4": d.public_ipv4,
            "private_ipv4": d.private_ipv4,
            "public_ipv6": d.public_ipv6,
            "features": _sorted(d.features),
            "volume_ids": _sorted(d.volume_ids),
            "vpc_uuid": d.vpc_uuid,
            "created_at": _iso(d.created_at),
            **pricing.price_attrs(pricing.of_size_payload(d.raw)),
        },
    )


def dns_zone(z: Domain) -> NormalizedResource:
    """A DNS zone (a DO domain): the name is its id."""
    return NormalizedResource(
        kind="dns_zone", provider_id=z.name, name=z.name, status="active", attrs={"ttl": z.ttl}
    )


def volume(v: Volume) -> NormalizedResource:
    """A block-storage volume; status says whether it is attached."""
    return NormalizedResource(
        kind="volume",
        provider_id=v.id,
        name=v.name,
        region=v.region,
        status="attached" if v.droplet_ids else "available",
        attrs={
            "size_gigabytes": v.size_gigabytes,
            "droplet_ids": _sorted(v.droplet_ids),
            "description": v.description,
            "filesystem_type": v.filesystem_type,
            "filesystem_label": v.filesystem_label,
            "tags": _sorted(v.tags),
            "created_at": _iso(v.created_at),
            **pricing.price_attrs(pricing.volume(v.size_gigabytes)),
        },
    )


def snapshot(s: Snapshot) -> NormalizedResource:
    """A droplet or volume snapshot (one kind; `attrs.resource_type` tells which)."""
    return NormalizedResource(
        kind="snapshot",
        provider_id=s.id,
        name=s.name,
        region=s.regions[0] if s.regions else None,
        status="available",
        attrs={
            "resource_type": s.resource_type,
            "resource_id": s.resource_id,
            "regions": _sorted(s.regions),
            "min_disk_size": s.min_disk_size,
            "size_gigabytes": s.size_gigabytes,
            "tags": _sorted(s.tags),
            "created_at": _iso(s.created_at),
        },
    )


def reserved_ip(r: ReservedIP) -> NormalizedResource:
    """A reserved (or floating) IP; the address is its id."""
    return NormalizedResource(
        kind="reserved_ip",
        provider_id=r.ip,
        name=r.ip,
        region=r.region,
        status="assigned" if r.droplet_id else "unassigned",
        attrs={
            "droplet_id": r.droplet_id,
            "project_id": r.project_id,
            "sources": _sorted(r.sources),
        },
    )


def _rules(rules: Iterable[Any]) -> list[dict[str, Any]]:
    plain = [asdict(rule) for rule in rules]
    for rule in plain:
        for key, value in rule.items():
            if isinstance(value, tuple):
                rule[key] = sorted(value)
    return sorted(plain, key=lambda rule: sorted((k, str(v)) for k, v in rule.items()))


def firewall(f: Firewall) -> NormalizedResource:
    """A cloud firewall: rules and droplet ids in attrs."""
    return NormalizedResource(
        kind="firewall",
        provider_id=f.id,
        name=f.name,
        status=f.status,
        attrs={
            "droplet_ids": _sorted(f.droplet_ids),
            "tags": _sorted(f.tags),
            "inbound_rules": _rules(f.inbound_rules),
            "outbound_rules": _rules(f.outbound_rules),
            "created_at": _iso(f.created_at),
        },
    )


def load_balancer(lb: LoadBalancer) -> NormalizedResource:
    """A load balancer: region, algorithm and forwarding rules."""
    return NormalizedResource(
        kind="load_balancer",
        provider_id=lb.id,
        name=lb.name,
        region=lb.region,
        status=lb.status,
        attrs={
            "algorithm": lb.algorithm,
            "ip": lb.ip,
            "size": lb.size,
            "size_unit": lb.size_unit,
            "droplet_ids": _sorted(lb.droplet_ids),
            "tag": lb.tag,
            "forwarding_rules": _rules(lb.forwarding_rules),
            "vpc_uuid": lb.vpc_uuid,
            "created_at": _iso(lb.created_at),
        },
    )


def droplet_backup(
    image: Image, *, droplet_id: str, droplet_name: str | None
) -> NormalizedResource:
    """A droplet backup image (listed per droplet, never in /v2/snapshots)."""
    return NormalizedResource(
        kind="droplet_backup",
        provider_id=image.id,
        name=image.name,
        region=image.regions[0] if image.regions else None,
        status="available",
        attrs={
            "droplet_id": droplet_id,
            "droplet_name": droplet_name,
            "regions": _sorted(image.regions),
            "min_disk_size": image.min_disk_size,
            "size_gigabytes": image.size_gigabytes,
            "created_at": _iso(image.created_at),
        },
    )


#: `attrs.discovered_via` of a Spaces bucket listed through the S3 API (placeholders from project
#: URNs say ``project_resources``).
SPACES_API = "spaces_api"


def spaces_bucket(b: SpacesBucket) -> NormalizedResource:
    """A Spaces bucket listed through the S3 API: the name is its id (and its URN's)."""
    return NormalizedResource(
        kind="spaces_bucket",
        provider_id=b.name,
        name=b.name,
        region=b.region,
        status="active",
        attrs={
            "urn": b.urn,
            "discovered_via": SPACES_API,
            "created_at": _iso(b.created_at),
            "endpoint": b.endpoint,
        },
    )


@dataclass(frozen=True)
class Normalized:
    """A batch ready for the chokepoint, and what could not be normalised."""

    resources: list[NormalizedResource]
    skipped: list[SkippedResource]

    @property
    def skipped_ids(self) -> set[str]:
        """Ids of skipped items that had one: they must not be struck."""
        return {s.provider_id for s in self.skipped if s.provider_id}


@gc_paused()
def normalize_all(
    kind: str,
    items: Iterable[Any],
    convert: Callable[[Any], NormalizedResource],
    *,
    listing_skipped: Iterable[SkippedItem] = (),
) -> Normalized:
    """Convert every item; each failure becomes a skip with a warning naming its id and field."""
    resources: list[NormalizedResource] = []
    skipped = [
        SkippedResource(kind=kind, provider_id=s.id, field=s.field, reason=s.reason)
        for s in listing_skipped
    ]
    for item in items:
        try:
            resources.append(convert(item))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            item_id = getattr(item, "id", None) or getattr(item, "name", None)
            typed = isinstance(exc, FieldError)  # a field the normaliser itself checks
            skipped.append(
                SkippedResource(
                    kind=kind,
                    provider_id=str(item_id) if item_id else None,
                    field=exc.field if typed else "*",
                    reason=exc.reason if typed else str(exc),
                )
            )
    for skip in skipped:
        log.warning(
            "skipped %s %s: field %s: %s",
            kind,
            skip.provider_id or "<no id>",
            skip.field,
            skip.reason,
        )
    return Normalized(resources=resources, skipped=skipped)

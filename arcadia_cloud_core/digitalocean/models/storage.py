"""Snapshots (``/v2/snapshots``) and block-storage volumes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    frozen,
    opt_datetime,
    opt_float,
    opt_int,
    opt_str,
    req_datetime,
    req_int,
    req_int_id,
    req_str,
    req_uuid,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field, req_region_slug


@dataclass(frozen=True)
class Snapshot:
    """A droplet or volume snapshot from ``/v2/snapshots`` (ids are strings there)."""

    id: str
    name: str
    resource_type: str
    resource_id: str
    created_at: datetime
    regions: tuple[str, ...]
    min_disk_size: int | None
    size_gigabytes: float | None
    tags: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Snapshot:
        """Parse a ``snapshot`` object (a volume's is a UUID of a UUID, a droplet's an integer)."""
        resource_type = req_str(p, "resource_type")
        read_id = req_uuid if resource_type == "volume" else req_int_id
        return cls(
            id=read_id(p),
            name=req_str(p, "name"),
            resource_type=resource_type,
            resource_id=read_id(p, "resource_id"),
            created_at=req_datetime(p, "created_at"),
            regions=str_tuple(p, "regions"),
            min_disk_size=opt_int(p, "min_disk_size"),
            size_gigabytes=opt_float(p, "size_gigabytes"),
            tags=str_tuple(p, "tags"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Volume:
    """A block-storage volume (``size_gigabytes`` in GiB; ``droplet_ids`` it is attached to)."""

    id: str
    name: str
    region: str
    size_gigabytes: int
    droplet_ids: tuple[str, ...]
    description: str | None
    created_at: datetime | None
    filesystem_type: str | None
    filesystem_label: str | None
    tags: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Volume:
        """Parse a ``volume`` object."""
        return cls(
            id=req_uuid(p),
            name=req_str(p, "name"),
            region=req_region_slug(p),
            size_gigabytes=req_int(p, "size_gigabytes"),
            droplet_ids=str_tuple(p, "droplet_ids"),
            description=opt_str(p, "description"),
            created_at=opt_datetime(p, "created_at"),
            filesystem_type=opt_str(p, "filesystem_type"),
            filesystem_label=opt_str(p, "filesystem_label"),
            tags=str_tuple(p, "tags"),
            raw=frozen(p),
        )

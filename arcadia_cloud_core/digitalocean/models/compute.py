"""Account, droplets, droplet images (snapshots/backups) and actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_bool,
    opt_datetime,
    opt_float,
    opt_id,
    opt_int,
    opt_list,
    opt_mapping,
    opt_str,
    req_datetime,
    req_id,
    req_int_id,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field, region_slug, req_region_slug

T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    """``GET /v2/account``."""

    uuid: str
    email: str
    name: str | None
    status: str
    status_message: str | None
    droplet_limit: int | None
    floating_ip_limit: int | None
    email_verified: bool
    team_uuid: str | None
    team_name: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Account:
        """Parse an ``account`` object."""
        return cls(
            uuid=req_str(p, "uuid"),
            email=req_str(p, "email"),
            name=opt_str(p, "name"),
            status=req_str(p, "status"),
            status_message=opt_str(p, "status_message"),
            droplet_limit=opt_int(p, "droplet_limit"),
            floating_ip_limit=opt_int(p, "floating_ip_limit"),
            email_verified=opt_bool(p, "email_verified"),
            team_uuid=opt_str(p, "team.uuid"),
            team_name=opt_str(p, "team.name"),
            raw=frozen(p),
        )


def _address(p: Mapping[str, Any], family: str, kind: str) -> str | None:
    for i, entry in enumerate(opt_list(p, f"networks.{family}")):
        if not isinstance(entry, Mapping):
            raise FieldError(f"networks.{family}[{i}]", "expected an object")
        if entry.get("type") == kind:
            return req_str(entry, "ip_address")
    return None


@dataclass(frozen=True)
class Droplet:
    """A droplet (``id`` as a string; sizes in MB/GB; ``created_at`` aware UTC)."""

    id: str
    name: str
    status: str
    region: str
    size_slug: str
    image_slug: str | None
    image_id: str | None
    tags: tuple[str, ...]
    public_ipv4: str | None
    private_ipv4: str | None
    public_ipv6: str | None
    vcpus: int | None
    memory_mb: int | None
    disk_gb: int | None
    created_at: datetime
    locked: bool
    features: tuple[str, ...]
    volume_ids: tuple[str, ...]
    backup_ids: tuple[str, ...]
    snapshot_ids: tuple[str, ...]
    vpc_uuid: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Droplet:
        """Parse a ``droplet`` object."""
        size_slug = opt_str(p, "size_slug") or opt_str(p, "size.slug")
        if size_slug is None:
            raise FieldError("size_slug", "missing")
        try:
            image_id = opt_id(p, "image.id")
        except FieldError:
            image_id = None
        return cls(
            id=req_int_id(p),
            name=req_str(p, "name"),
            status=req_str(p, "status"),
            region=req_region_slug(p),
            size_slug=size_slug,
            image_slug=opt_str(p, "image.slug"),
            image_id=image_id,
            tags=str_tuple(p, "tags"),
            public_ipv4=_address(p, "v4", "public"),
            private_ipv4=_address(p, "v4", "private"),
            public_ipv6=_address(p, "v6", "public"),
            vcpus=opt_int(p, "vcpus"),
            memory_mb=opt_int(p, "memory"),
            disk_gb=opt_int(p, "disk"),
            created_at=req_datetime(p, "created_at"),
            locked=opt_bool(p, "locked"),
            features=str_tuple(p, "features"),
            volume_ids=str_tuple(p, "volume_ids"),
            backup_ids=str_tuple(p, "backup_ids"),
            snapshot_ids=str_tuple(p, "snapshot_ids"),
            vpc_uuid=opt_str(p, "vpc_uuid"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Image:
    """A droplet snapshot or backup (``/v2/droplets/{id}/snapshots|backups``; see ``type``)."""

    id: str
    name: str
    type: str
    droplet_id: str | None
    created_at: datetime
    regions: tuple[str, ...]
    min_disk_size: int | None
    size_gigabytes: float | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(
        cls, p: Mapping[str, Any], *, droplet_id: str | None = None, default_type: str = "snapshot"
    ) -> Image:
        """Parse an image entry; ``droplet_id`` is the droplet the list was read from."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            type=opt_str(p, "type") or default_type,
            droplet_id=droplet_id,
            created_at=req_datetime(p, "created_at"),
            regions=str_tuple(p, "regions"),
            min_disk_size=opt_int(p, "min_disk_size"),
            size_gigabytes=opt_float(p, "size_gigabytes"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Action:
    """An asynchronous DO action (``status``: ``in-progress`` → ``completed`` | ``errored``)."""

    id: str
    status: str
    type: str
    started_at: datetime | None
    completed_at: datetime | None
    resource_id: str | None
    resource_type: str | None
    region_slug: str | None
    raw: Mapping[str, Any] = raw_field()

    @property
    def done(self) -> bool:
        """True once the action reached a terminal status."""
        return self.status in ("completed", "errored")

    @property
    def succeeded(self) -> bool:
        """True when the action completed without error."""
        return self.status == "completed"

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Action:
        """Parse an ``action`` object."""
        return cls(
            id=req_id(p),
            status=req_str(p, "status"),
            type=req_str(p, "type"),
            started_at=opt_datetime(p, "started_at"),
            completed_at=opt_datetime(p, "completed_at"),
            resource_id=opt_id(p, "resource_id"),
            resource_type=opt_str(p, "resource_type"),
            region_slug=opt_str(p, "region_slug") or region_slug(p),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Created(Generic[T]):
    """A create call's result: the new resource and the ids of the actions tracking it."""

    resource: T
    action_ids: tuple[str, ...]


def action_ids_from_links(body: Mapping[str, Any]) -> tuple[str, ...]:
    """Action ids from a create response's ``links.actions[]``."""
    ids = []
    for i, link in enumerate(opt_list(opt_mapping(body, "links"), "actions")):
        if not isinstance(link, Mapping):
            raise FieldError(f"links.actions[{i}]", "expected an object")
        ids.append(req_id(link, "id"))
    return tuple(ids)

"""Certificates, CDN endpoints, the container registry and its repositories, SSH keys, tags,
custom images, alert policies, uptime checks, functions namespaces, reserved IPv6 addresses and
droplet autoscale pools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

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
    req_id,
    req_int,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field

SPACES_SUFFIX = ".digitaloceanspaces.com"


@dataclass(frozen=True)
class Certificate:
    """A TLS certificate (``custom`` or ``lets_encrypt``)."""

    id: str
    name: str
    type: str | None
    state: str | None
    dns_names: tuple[str, ...]
    not_after: datetime | None
    created_at: datetime | None
    sha1_fingerprint: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Certificate:
        """Parse a ``certificate`` object."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            type=opt_str(p, "type"),
            state=opt_str(p, "state"),
            dns_names=str_tuple(p, "dns_names"),
            not_after=opt_datetime(p, "not_after"),
            created_at=opt_datetime(p, "created_at"),
            sha1_fingerprint=opt_str(p, "sha1_fingerprint"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class CdnEndpoint:
    """A CDN endpoint in front of an origin (usually a Spaces bucket)."""

    id: str
    origin: str
    endpoint: str | None
    ttl: int | None
    certificate_id: str | None
    custom_domain: str | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CdnEndpoint:
        """Parse an ``endpoint`` object."""
        return cls(
            id=req_id(p),
            origin=req_str(p, "origin"),
            endpoint=opt_str(p, "endpoint"),
            ttl=opt_int(p, "ttl"),
            certificate_id=opt_str(p, "certificate_id"),
            custom_domain=opt_str(p, "custom_domain"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )

    @property
    def bucket(self) -> str | None:
        """The Spaces bucket behind the endpoint (``<bucket>.<region>.digitaloceanspaces.com``)."""
        if not self.origin.endswith(SPACES_SUFFIX):
            return None
        labels = self.origin[: -len(SPACES_SUFFIX)].split(".")
        return labels[0] if len(labels) == 2 and labels[0] else None

    @property
    def region(self) -> str | None:
        """The bucket's region, when the origin is a Spaces bucket."""
        return self.origin[: -len(SPACES_SUFFIX)].split(".")[1] if self.bucket else None


@dataclass(frozen=True)
class ContainerRegistry:
    """The account's container registry, its subscription tier and the storage it uses."""

    name: str
    region: str | None
    created_at: datetime | None
    storage_usage_bytes: int | None
    storage_usage_updated_at: datetime | None
    tier: str | None
    included_storage_bytes: int | None
    monthly_price_cents: int | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> ContainerRegistry:
        """Parse a ``registry`` object."""
        return cls(
            name=req_str(p, "name"),
            region=opt_str(p, "region"),
            created_at=opt_datetime(p, "created_at"),
            storage_usage_bytes=opt_int(p, "storage_usage_bytes"),
            storage_usage_updated_at=opt_datetime(p, "storage_usage_bytes_updated_at"),
            tier=opt_str(p, "subscription.tier.slug"),
            included_storage_bytes=opt_int(p, "subscription.tier.included_storage_bytes"),
            monthly_price_cents=opt_int(p, "subscription.tier.monthly_price_in_cents"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class ContainerRepository:
    """A repository of a registry (``repositoriesV2``), with its latest manifest."""

    registry_name: str
    name: str
    tag_count: int | None
    manifest_count: int | None
    latest_tags: tuple[str, ...]
    latest_digest: str | None
    latest_size_bytes: int | None
    latest_compressed_size_bytes: int | None
    updated_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> ContainerRepository:
        """Parse a ``repositories`` item."""
        latest = opt_mapping(p, "latest_manifest")
        try:
            return cls(
                registry_name=req_str(p, "registry_name"),
                name=req_str(p, "name"),
                tag_count=opt_int(p, "tag_count"),
                manifest_count=opt_int(p, "manifest_count"),
                latest_tags=str_tuple(latest, "tags"),
                latest_digest=opt_str(latest, "digest"),
                latest_size_bytes=opt_int(latest, "size_bytes"),
                latest_compressed_size_bytes=opt_int(latest, "compressed_size_bytes"),
                updated_at=opt_datetime(latest, "updated_at"),
                raw=frozen(p),
            )
        except FieldError as exc:
            if exc.field.startswith(("registry_name", "name", "tag_count", "manifest_count")):
                raise
            raise FieldError(f"latest_manifest.{exc.field}", exc.reason) from None

    @property
    def id(self) -> str:
        """``<registry>/<repository>``: unique in the account."""
        return f"{self.registry_name}/{self.name}"


@dataclass(frozen=True)
class SSHKey:
    """An SSH public key of the account (only its fingerprint and type are kept)."""

    id: str
    name: str
    fingerprint: str
    key_type: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> SSHKey:
        """Parse an ``ssh_key`` object."""
        public_key = opt_str(p, "public_key") or ""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            fingerprint=req_str(p, "fingerprint"),
            key_type=public_key.split(" ", 1)[0] or None,
            raw=frozen(p),
        )


#: Tag resource types as DO names them (``imgages`` is DO's spelling; ``images`` is read too).
TAG_RESOURCE_TYPES = ("droplets", "images", "volumes", "volume_snapshots", "databases")


@dataclass(frozen=True)
class Tag:
    """A tag and how many resources of each type carry it."""

    name: str
    resource_count: int
    counts: Mapping[str, int]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Tag:
        """Parse a ``tag`` object."""
        resources = opt_mapping(p, "resources")
        counts = {}
        for kind in TAG_RESOURCE_TYPES:
            key = "imgages" if kind == "images" and "imgages" in resources else kind
            try:
                counts[kind] = opt_int(opt_mapping(resources, key), "count") or 0
            except FieldError as exc:
                raise FieldError(f"resources.{key}.{exc.field}", exc.reason) from None
        return cls(
            name=req_str(p, "name"),
            resource_count=opt_int(resources, "count") or 0,
            counts=counts,
            raw=frozen(p),
        )


@dataclass(frozen=True)
class CustomImage:
    """An image of the account's own (``/v2/images?private=true``: ``type`` tells custom images
    from snapshots and backups)."""

    id: str
    name: str
    type: str
    distribution: str | None
    regions: tuple[str, ...]
    min_disk_size: int | None
    size_gigabytes: float | None
    description: str | None
    status: str | None
    tags: tuple[str, ...]
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> CustomImage:
        """Parse an ``image`` object."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            type=req_str(p, "type"),
            distribution=opt_str(p, "distribution"),
            regions=str_tuple(p, "regions"),
            min_disk_size=opt_int(p, "min_disk_size"),
            size_gigabytes=opt_float(p, "size_gigabytes"),
            description=opt_str(p, "description"),
            status=opt_str(p, "status"),
            tags=str_tuple(p, "tags"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class AlertPolicy:
    """A monitoring alert policy: a metric threshold on droplets (ids or tags)."""

    uuid: str
    type: str
    description: str | None
    compare: str | None
    value: float | None
    window: str | None
    entities: tuple[str, ...]
    tags: tuple[str, ...]
    enabled: bool
    emails: tuple[str, ...]
    slack_channels: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> AlertPolicy:
        """Parse a ``policy`` object."""
        alerts = opt_mapping(p, "alerts")
        slack = opt_list(alerts, "slack")
        if not all(isinstance(s, Mapping) for s in slack):
            raise FieldError("alerts.slack", "expected an array of objects")
        return cls(
            uuid=req_str(p, "uuid"),
            type=req_str(p, "type"),
            description=opt_str(p, "description"),
            compare=opt_str(p, "compare"),
            value=opt_float(p, "value"),
            window=opt_str(p, "window"),
            entities=str_tuple(p, "entities"),
            tags=str_tuple(p, "tags"),
            enabled=opt_bool(p, "enabled", default=True),
            emails=str_tuple(alerts, "email"),
            slack_channels=tuple(str(s.get("channel", "")) for s in slack),
            raw=frozen(p),
        )

    @property
    def id(self) -> str:
        """The policy's uuid (its id at DO)."""
        return self.uuid


@dataclass(frozen=True)
class UptimeState:
    """An uptime check's state: the status per probe region and the previous outage."""

    regions: Mapping[str, str]  # probe region → UP | DOWN | CHECKING
    uptime_30d: Mapping[str, float]  # probe region → percentage
    previous_outage_started_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> UptimeState:
        """Parse a ``state`` object."""
        regions, uptime = {}, {}
        for region, value in opt_mapping(p, "regions").items():
            if not isinstance(value, Mapping):
                raise FieldError(f"regions.{region}", "expected an object")
            regions[str(region)] = opt_str(value, "status") or "CHECKING"
            percent = opt_float(value, "thirty_day_uptime_percentage")
            if percent is not None:
                uptime[str(region)] = percent
        return cls(
            regions=regions,
            uptime_30d=uptime,
            previous_outage_started_at=opt_datetime(
                opt_mapping(p, "previous_outage"), "started_at"
            ),
            raw=frozen(p),
        )

    @property
    def status(self) -> str:
        """``DOWN`` if any region sees it down, ``UP`` if every region sees it up, else
        ``CHECKING``."""
        statuses = set(self.regions.values())
        if "DOWN" in statuses:
            return "DOWN"
        return "UP" if statuses == {"UP"} else "CHECKING"


@dataclass(frozen=True)
class UptimeCheck:
    """An uptime check (``ping``/``http``/``https`` on ``target``) and, once read, its state."""

    id: str
    name: str
    type: str | None
    target: str
    regions: tuple[str, ...]
    enabled: bool
    raw: Mapping[str, Any] = raw_field()
    state: UptimeState | None = None

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> UptimeCheck:
        """Parse a ``check`` object (without its state)."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            type=opt_str(p, "type"),
            target=req_str(p, "target"),
            regions=str_tuple(p, "regions"),
            enabled=opt_bool(p, "enabled", default=True),
            raw=frozen(p),
        )

    def with_state(self, state: UptimeState) -> UptimeCheck:
        """This check with its state."""
        return replace(self, state=state)


@dataclass(frozen=True)
class FunctionsNamespace:
    """A functions namespace (its access ``key`` is a secret: never read into the model)."""

    namespace: str
    uuid: str | None
    label: str | None
    region: str | None
    api_host: str | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> FunctionsNamespace:
        """Parse a ``namespace`` object; ``raw`` keeps everything but ``key``."""
        return cls(
            namespace=req_str(p, "namespace"),
            uuid=opt_str(p, "uuid"),
            label=opt_str(p, "label"),
            region=opt_str(p, "region"),
            api_host=opt_str(p, "api_host"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen({k: v for k, v in p.items() if k != "key"}),
        )

    @property
    def id(self) -> str:
        """The namespace id (``fn-…``), as in the API's paths."""
        return self.namespace


@dataclass(frozen=True)
class ReservedIPv6:
    """A reserved IPv6 address (the address is its id) and the droplet it is assigned to."""

    ip: str
    region: str | None
    reserved_at: datetime | None
    droplet_id: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> ReservedIPv6:
        """Parse a ``reserved_ipv6`` object."""
        droplet = p.get("droplet")
        if droplet is not None and not isinstance(droplet, Mapping):
            raise FieldError("droplet", "expected an object or null")
        return cls(
            ip=req_str(p, "ip"),
            region=opt_str(p, "region_slug"),
            reserved_at=opt_datetime(p, "reserved_at"),
            droplet_id=opt_id(droplet, "id") if droplet else None,
            raw=frozen(p),
        )


@dataclass(frozen=True)
class AutoscalePool:
    """A droplet autoscale pool: its droplet template and its scaling bounds."""

    id: str
    name: str
    status: str | None
    region: str | None
    size: str | None
    image: str | None
    tags: tuple[str, ...]
    project_id: str | None
    vpc_uuid: str | None
    min_instances: int | None
    max_instances: int | None
    target_number_instances: int | None
    target_cpu_utilization: float | None
    target_memory_utilization: float | None
    cooldown_minutes: int | None
    active_resources_count: int
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> AutoscalePool:
        """Parse an ``autoscale_pool`` object."""
        config = opt_mapping(p, "config")
        template = opt_mapping(p, "droplet_template")
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            status=opt_str(p, "status"),
            region=opt_str(template, "region"),
            size=opt_str(template, "size"),
            image=opt_str(template, "image"),
            tags=str_tuple(template, "tags"),
            project_id=opt_str(template, "project_id"),
            vpc_uuid=opt_str(template, "vpc_uuid"),
            min_instances=opt_int(config, "min_instances"),
            max_instances=opt_int(config, "max_instances"),
            target_number_instances=opt_int(config, "target_number_instances"),
            target_cpu_utilization=opt_float(config, "target_cpu_utilization"),
            target_memory_utilization=opt_float(config, "target_memory_utilization"),
            cooldown_minutes=opt_int(config, "cooldown_minutes"),
            active_resources_count=req_int(p, "active_resources_count"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )

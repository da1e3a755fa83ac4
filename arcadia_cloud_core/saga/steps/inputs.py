"""Typed views of the provisioning sagas' inputs (the journalled run config), checked again.

Each ``from_inputs`` raises `PermanentStepError` naming the field, so a saga started by plain
Python with a bad value fails at its first step, before any DO call, like a Dagster run does at
config validation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from arcadia_cloud_core.saga.errors import PermanentStepError
from arcadia_cloud_core.saga.steps import catalog, validation

T = TypeVar("T")

#: Input keys of the polling knobs (every provisioning config has them).
WAIT_TIMEOUT = "wait_timeout_seconds"
POLL_INTERVAL = "poll_interval_seconds"
FIND_ATTEMPTS = "snapshot_find_attempts"
DEFAULT_WAIT_TIMEOUT_SECONDS = 600.0
DEFAULT_POLL_INTERVAL_SECONDS = 5.0
DEFAULT_FIND_ATTEMPTS = 12
SAGA_TAG_PREFIX = "arcadia-saga-"


def _checked(read: Callable[[], T]) -> T:
    try:
        return read()
    except (ValueError, TypeError) as exc:
        raise PermanentStepError(f"invalid saga input: {exc}") from None


def _number(inputs: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = inputs.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ValueError(f"{key}: {value!r} must be a number in {lo}..{hi}")
    return float(value)


@dataclass(frozen=True)
class Polling:
    """How long waits last and how often they look (bounded: timeout, attempts)."""

    timeout_seconds: float = DEFAULT_WAIT_TIMEOUT_SECONDS
    interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS
    find_attempts: int = DEFAULT_FIND_ATTEMPTS

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> Polling:
        """The polling knobs of a saga (defaults when absent)."""

        def read() -> Polling:
            return cls(
                timeout_seconds=_number(
                    inputs, WAIT_TIMEOUT, DEFAULT_WAIT_TIMEOUT_SECONDS, 1, 3600
                ),
                interval_seconds=_number(
                    inputs, POLL_INTERVAL, DEFAULT_POLL_INTERVAL_SECONDS, 0.01, 60
                ),
                find_attempts=int(_number(inputs, FIND_ATTEMPTS, DEFAULT_FIND_ATTEMPTS, 1, 100)),
            )

        return _checked(read)


@dataclass(frozen=True)
class DropletSpec:
    """What `provision_droplet` creates."""

    name: str
    region: str
    size: str
    image: str
    tags: tuple[str, ...] = ()
    backups: bool = False
    monitoring: bool = False

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> DropletSpec:
        """The droplet of a provisioning saga's inputs."""

        def read() -> DropletSpec:
            return cls(
                name=validation.droplet_name(inputs.get("name")),
                region=catalog.check_region(inputs.get("region", catalog.DEFAULT_REGION)),
                size=catalog.check_size(inputs.get("size", catalog.DEFAULT_SIZE)),
                image=catalog.check_image(inputs.get("image", catalog.DEFAULT_IMAGE)),
                tags=tuple(
                    validation.user_tags(
                        list(inputs.get("tags") or ()), reserved_prefix=SAGA_TAG_PREFIX
                    )
                ),
                backups=bool(inputs.get("backups", False)),
                monitoring=bool(inputs.get("monitoring", False)),
            )

        return _checked(read)

    def desired_spec(self) -> dict[str, str]:
        """The desired state `record_provisioned` keeps (the fields drift watches)."""
        return {"size": self.size, "region": self.region, "image": self.image}


def droplet_id_of(inputs: Mapping[str, Any]) -> str:
    """The ``droplet_id`` input, checked."""
    return _checked(lambda: validation.droplet_id(inputs.get("droplet_id")))


@dataclass(frozen=True)
class DnsRecordSpec:
    """A DNS record of a zone: what `upsert_dns_record` ensures / `delete_dns_record` removes.

    ``data`` may be None for a delete (every record of the type and name).
    """

    domain: str
    type: str
    name: str
    data: str | None
    ttl: int | None = None
    extras: Mapping[str, Any] | None = None

    @property
    def fqdn(self) -> str:
        """The fully-qualified name (the DO record list filters on it)."""
        return self.domain if self.name == "@" else f"{self.name}.{self.domain}"

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any], *, data_required: bool = True) -> DnsRecordSpec:
        """The record of a DNS saga's inputs."""

        def read() -> DnsRecordSpec:
            zone = validation.domain(inputs.get("domain"))
            rtype = validation.record_type(inputs.get("type"))
            raw_data = inputs.get("data")
            data = (
                validation.record_data(rtype, raw_data)
                if data_required or raw_data is not None
                else None
            )
            ttl = inputs.get("ttl")
            return cls(
                domain=zone,
                type=rtype,
                name=validation.record_name(inputs.get("name"), zone=zone),
                data=data,
                ttl=validation.ttl(ttl) if ttl is not None else None,
                extras=validation.record_extras(
                    rtype,
                    priority=inputs.get("priority"),
                    port=inputs.get("port"),
                    weight=inputs.get("weight"),
                    flags=inputs.get("flags"),
                    tag=inputs.get("tag"),
                )
                if data_required
                else {},
            )

        return _checked(read)

"""Reserved/floating IPs, firewalls, load balancers, domains and domain records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_bool,
    opt_datetime,
    opt_id,
    opt_int,
    opt_list,
    opt_mapping,
    opt_str,
    req_id,
    req_int,
    req_str,
    req_uuid,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field, region_slug


@dataclass(frozen=True)
class ReservedIP:
    """A reserved IP (``/v2/reserved_ips``) or its old name, a floating IP (``/v2/floating_ips``).

    ``sources`` lists the endpoints the address was seen on (``reserved_ips``,
    ``floating_ips``), so a merged listing shows where each entry came from.
    """

    ip: str
    region: str | None
    droplet_id: str | None
    locked: bool
    project_id: str | None
    sources: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, source: str = "reserved_ips") -> ReservedIP:
        """Parse a ``reserved_ip``/``floating_ip`` object."""
        droplet = p.get("droplet")
        if droplet is not None and not isinstance(droplet, Mapping):
            raise FieldError("droplet", "expected an object or null")
        return cls(
            ip=req_str(p, "ip"),
            region=region_slug(p),
            droplet_id=opt_id(droplet, "id") if droplet else None,
            locked=opt_bool(p, "locked"),
            project_id=opt_str(p, "project_id"),
            sources=(source,),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class FirewallRule:
    """One inbound or outbound rule; the targets are its ``sources``/``destinations``."""

    direction: str
    protocol: str
    ports: str
    addresses: tuple[str, ...]
    droplet_ids: tuple[str, ...]
    load_balancer_uids: tuple[str, ...]
    kubernetes_ids: tuple[str, ...]
    tags: tuple[str, ...]

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, direction: str, where: str) -> FirewallRule:
        """Parse a rule; ``where`` is its dotted position for error messages."""
        if not isinstance(p, Mapping):
            raise FieldError(where, "expected an object")
        targets_key = "sources" if direction == "inbound" else "destinations"
        try:
            targets = opt_mapping(p, targets_key)
            return cls(
                direction=direction,
                protocol=req_str(p, "protocol"),
                ports=opt_str(p, "ports") or "0",
                addresses=str_tuple(targets, "addresses"),
                droplet_ids=str_tuple(targets, "droplet_ids"),
                load_balancer_uids=str_tuple(targets, "load_balancer_uids"),
                kubernetes_ids=str_tuple(targets, "kubernetes_ids"),
                tags=str_tuple(targets, "tags"),
            )
        except FieldError as exc:
            raise FieldError(f"{where}.{exc.field}", exc.reason) from None


@dataclass(frozen=True)
class Firewall:
    """A cloud firewall."""

    id: str
    name: str
    status: str | None
    created_at: datetime | None
    droplet_ids: tuple[str, ...]
    tags: tuple[str, ...]
    inbound_rules: tuple[FirewallRule, ...]
    outbound_rules: tuple[FirewallRule, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Firewall:
        """Parse a ``firewall`` object."""
        rules: dict[str, tuple[FirewallRule, ...]] = {}
        for direction in ("inbound", "outbound"):
            key = f"{direction}_rules"
            rules[direction] = tuple(
                FirewallRule.from_payload(r, direction=direction, where=f"{key}[{i}]")
                for i, r in enumerate(opt_list(p, key))
            )
        return cls(
            id=req_uuid(p),
            name=req_str(p, "name"),
            status=opt_str(p, "status"),
            created_at=opt_datetime(p, "created_at"),
            droplet_ids=str_tuple(p, "droplet_ids"),
            tags=str_tuple(p, "tags"),
            inbound_rules=rules["inbound"],
            outbound_rules=rules["outbound"],
            raw=frozen(p),
        )


@dataclass(frozen=True)
class ForwardingRule:
    """A load balancer forwarding rule (entry → target)."""

    entry_protocol: str
    entry_port: int
    target_protocol: str
    target_port: int
    certificate_id: str | None
    tls_passthrough: bool

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, where: str) -> ForwardingRule:
        """Parse a rule; ``where`` is its dotted position for error messages."""
        if not isinstance(p, Mapping):
            raise FieldError(where, "expected an object")
        try:
            return cls(
                entry_protocol=req_str(p, "entry_protocol"),
                entry_port=req_int(p, "entry_port"),
                target_protocol=req_str(p, "target_protocol"),
                target_port=req_int(p, "target_port"),
                certificate_id=opt_str(p, "certificate_id"),
                tls_passthrough=opt_bool(p, "tls_passthrough"),
            )
        except FieldError as exc:
            raise FieldError(f"{where}.{exc.field}", exc.reason) from None


@dataclass(frozen=True)
class LoadBalancer:
    """A load balancer (``droplet_ids`` or ``tag`` selects its backends)."""

    id: str
    name: str
    status: str | None
    region: str | None
    ip: str | None
    algorithm: str | None
    size: str | None
    size_unit: int | None
    created_at: datetime | None
    droplet_ids: tuple[str, ...]
    tag: str | None
    forwarding_rules: tuple[ForwardingRule, ...]
    project_id: str | None
    vpc_uuid: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> LoadBalancer:
        """Parse a ``load_balancer`` object."""
        return cls(
            id=req_uuid(p),
            name=req_str(p, "name"),
            status=opt_str(p, "status"),
            region=region_slug(p),
            ip=opt_str(p, "ip"),
            algorithm=opt_str(p, "algorithm"),
            size=opt_str(p, "size"),
            size_unit=opt_int(p, "size_unit"),
            created_at=opt_datetime(p, "created_at"),
            droplet_ids=str_tuple(p, "droplet_ids"),
            tag=opt_str(p, "tag"),
            forwarding_rules=tuple(
                ForwardingRule.from_payload(r, where=f"forwarding_rules[{i}]")
                for i, r in enumerate(opt_list(p, "forwarding_rules"))
            ),
            project_id=opt_str(p, "project_id"),
            vpc_uuid=opt_str(p, "vpc_uuid"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Domain:
    """A DNS zone hosted by DO (its id is its name)."""

    name: str
    ttl: int | None
    zone_file: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Domain:
        """Parse a ``domain`` object."""
        return cls(
            name=req_str(p, "name"),
            ttl=opt_int(p, "ttl"),
            zone_file=opt_str(p, "zone_file"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class DomainRecord:
    """A DNS record of ``domain`` (``name`` is the host label or ``@``)."""

    id: str
    domain: str
    type: str
    name: str
    data: str
    priority: int | None
    port: int | None
    ttl: int | None
    weight: int | None
    flags: int | None
    tag: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, domain: str) -> DomainRecord:
        """Parse a ``domain_record`` object of ``domain``."""
        return cls(
            id=req_id(p),
            domain=domain,
            type=req_str(p, "type"),
            name=opt_str(p, "name") or "@",
            data=opt_str(p, "data") or "",
            priority=opt_int(p, "priority"),
            port=opt_int(p, "port"),
            ttl=opt_int(p, "ttl"),
            weight=opt_int(p, "weight"),
            flags=opt_int(p, "flags"),
            tag=opt_str(p, "tag"),
            raw=frozen(p),
        )

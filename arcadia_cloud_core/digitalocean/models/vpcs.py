"""VPCs (``/v2/vpcs``) with their members, VPC peerings and VPC NAT gateways."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    frozen,
    opt_bool,
    opt_datetime,
    opt_int,
    opt_list,
    opt_str,
    req_id,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


@dataclass(frozen=True)
class VPCMember:
    """A resource in a VPC, by URN."""

    urn: str
    name: str | None

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> VPCMember:
        """Parse a ``member`` object."""
        return cls(urn=req_str(p, "urn"), name=opt_str(p, "name"))


@dataclass(frozen=True)
class VPC:
    """A VPC; ``members`` is filled by a members listing (None: not listed)."""

    id: str
    name: str
    region: str | None
    ip_range: str | None
    default: bool
    description: str | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()
    members: tuple[str, ...] | None = None

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> VPC:
        """Parse a ``vpc`` object."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            region=opt_str(p, "region"),
            ip_range=opt_str(p, "ip_range"),
            default=opt_bool(p, "default"),
            description=opt_str(p, "description"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )

    def with_members(self, members: tuple[VPCMember, ...]) -> VPC:
        """This VPC with its members' URNs."""
        return replace(self, members=tuple(sorted(m.urn for m in members)))


@dataclass(frozen=True)
class VPCPeering:
    """A peering between two VPCs."""

    id: str
    name: str
    status: str | None
    vpc_ids: tuple[str, ...]
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> VPCPeering:
        """Parse a ``vpc_peering`` object."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            status=opt_str(p, "status"),
            vpc_ids=str_tuple(p, "vpc_ids"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class NATGateway:
    """A VPC NAT gateway: the VPCs it serves and its public egress addresses."""

    id: str
    name: str
    type: str | None
    state: str | None
    region: str | None
    size: int | None
    vpc_ids: tuple[str, ...]
    egress_ipv4: tuple[str, ...]
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> NATGateway:
        """Parse a ``vpc_nat_gateway`` object."""
        vpcs = [v for v in opt_list(p, "vpcs") if isinstance(v, Mapping)]
        gateways = [g for g in opt_list(p, "egresses.public_gateways") if isinstance(g, Mapping)]
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            type=opt_str(p, "type"),
            state=opt_str(p, "state"),
            region=opt_str(p, "region"),
            size=opt_int(p, "size"),
            vpc_ids=tuple(req_str(v, "vpc_uuid") for v in vpcs),
            egress_ipv4=tuple(req_str(g, "ipv4") for g in gateways),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )

"""The reference catalogues: regions (``/v2/regions``) and droplet sizes (``/v2/sizes``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_bool,
    opt_int,
    parse_cents,
    req_int,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


def parse_price(value: Any, field: str) -> Decimal:
    """A USD price as DO states it (``0.00893``), exactly: read from its text, never a float sum."""
    if isinstance(value, bool) or value is None or value == "":
        raise FieldError(field, "expected a price")
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise FieldError(field, f"not a price: {value!r:.40}") from None
    if not price.is_finite() or price < 0:
        raise FieldError(field, f"not a price: {value!r:.40}")
    return price


@dataclass(frozen=True)
class Region:
    """A datacenter region."""

    slug: str
    name: str
    available: bool
    features: tuple[str, ...]
    sizes: tuple[str, ...]
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Region:
        """Parse a ``region`` object."""
        return cls(
            slug=req_str(p, "slug"),
            name=req_str(p, "name"),
            available=opt_bool(p, "available"),
            features=str_tuple(p, "features"),
            sizes=str_tuple(p, "sizes"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class Size:
    """A droplet size with its list price (monthly in cents, hourly as DO's exact Decimal)."""

    slug: str
    memory_mb: int
    vcpus: int
    disk_gb: int
    transfer_tb: Decimal
    price_monthly_cents: int
    price_hourly: Decimal
    available: bool
    description: str | None
    regions: tuple[str, ...]
    gpu_count: int | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Size:
        """Parse a ``size`` object."""
        return cls(
            slug=req_str(p, "slug"),
            memory_mb=req_int(p, "memory"),
            vcpus=req_int(p, "vcpus"),
            disk_gb=req_int(p, "disk"),
            transfer_tb=parse_price(p.get("transfer", 0), "transfer"),
            price_monthly_cents=parse_cents(p.get("price_monthly"), "price_monthly"),
            price_hourly=parse_price(p.get("price_hourly"), "price_hourly"),
            available=opt_bool(p, "available"),
            description=p.get("description") if isinstance(p.get("description"), str) else None,
            regions=str_tuple(p, "regions"),
            gpu_count=opt_int(p, "gpu_info.count"),
            raw=frozen(p),
        )

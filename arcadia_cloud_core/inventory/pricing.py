"""List prices in inventory attrs: monthly in integer cents, hourly as an exact Decimal string.

Droplet and node-pool prices come from DO's size catalogue (``/v2/sizes``, embedded in every
droplet as ``size``); DO's API states no price for volumes or database nodes, so those use DO's
published list prices below (https://www.digitalocean.com/pricing). Hourly prices are DO's
``monthly / 672`` (a 28-day month), to five decimals as DO states them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from arcadia_cloud_core.digitalocean.fields import FieldError, parse_cents
from arcadia_cloud_core.digitalocean.models.catalog import Size, parse_price

HOURS_PER_MONTH = 672
_HOURLY_PLACES = Decimal("0.00001")
#: Block storage: $0.10 per GiB per month.
VOLUME_CENTS_PER_GIB_MONTH = 10
#: Managed database node sizes → monthly list price per node, in cents.
DATABASE_NODE_MONTHLY_CENTS: Mapping[str, int] = {
    "db-s-1vcpu-1gb": 1500,
    "db-s-1vcpu-2gb": 3000,
    "db-s-2vcpu-4gb": 6000,
    "db-s-4vcpu-8gb": 12000,
    "db-s-6vcpu-16gb": 24000,
    "db-s-8vcpu-32gb": 48000,
    "db-s-16vcpu-64gb": 96000,
    "gd-2vcpu-8gb": 6800,
    "gd-4vcpu-16gb": 13600,
    "so1_5-2vcpu-16gb": 10800,
    "so1_5-4vcpu-32gb": 21600,
}


@dataclass(frozen=True)
class ListPrice:
    """A list price: ``monthly_cents`` (int) and ``hourly`` (USD, exact)."""

    monthly_cents: int
    hourly: Decimal
    source: str  # size_catalogue | published

    def times(self, count: int) -> ListPrice:
        """The price of ``count`` units (nodes, instances)."""
        return ListPrice(self.monthly_cents * count, self.hourly * count, self.source)

    def attrs(self) -> dict[str, Any]:
        """The attrs every priced kind carries (JSON: the Decimal as its exact text)."""
        return {
            "price_monthly_cents": self.monthly_cents,
            "price_hourly": str(self.hourly),
            "price_source": self.source,
        }


NO_PRICE: dict[str, Any] = {"price_monthly_cents": None, "price_hourly": None, "price_source": None}


def price_attrs(price: ListPrice | None) -> dict[str, Any]:
    """``price.attrs()``, or the same keys set to None when there is no list price."""
    return NO_PRICE.copy() if price is None else price.attrs()


def hourly_of(monthly_cents: int) -> Decimal:
    """DO's hourly price for a monthly one: ``monthly / 672``, to five decimals (half up)."""
    return (Decimal(monthly_cents) / 100 / HOURS_PER_MONTH).quantize(
        _HOURLY_PLACES, rounding=ROUND_HALF_UP
    )


def published(monthly_cents: int) -> ListPrice:
    """A published list price (no hourly price stated by the API)."""
    return ListPrice(monthly_cents, hourly_of(monthly_cents), "published")


def of_size(size: Size) -> ListPrice:
    """A catalogue size's price per droplet or node."""
    return ListPrice(size.price_monthly_cents, size.price_hourly, "size_catalogue")


def of_size_payload(payload: Mapping[str, Any]) -> ListPrice | None:
    """The price in a droplet payload's embedded ``size`` object (None when absent)."""
    size = payload.get("size")
    if not isinstance(size, Mapping) or size.get("price_monthly") is None:
        return None
    try:
        return ListPrice(
            parse_cents(size["price_monthly"], "size.price_monthly"),
            parse_price(size.get("price_hourly"), "size.price_hourly"),
            "size_catalogue",
        )
    except FieldError:
        return None


def volume(size_gigabytes: int | None) -> ListPrice | None:
    """A volume's list price: per GiB per month."""
    if size_gigabytes is None:
        return None
    return published(size_gigabytes * VOLUME_CENTS_PER_GIB_MONTH)


def database(size: str | None, nodes: int = 1) -> ListPrice | None:
    """A database cluster's (or replica's) list price: per node of ``size``."""
    per_node = DATABASE_NODE_MONTHLY_CENTS.get(size or "")
    return None if per_node is None else published(per_node).times(nodes)

"""DO resource URNs (`do:<kind>:<id>`) → our resource kinds (the table: `kinds.URN_KINDS`).

A URN whose id has not the shape DO promises for its kind (a volume's UUID, a droplet's integer,
a reserved IP's address…) is malformed like one without three parts: `parse_urn` raises a
`FieldError` naming the URN, its kind and the field `urn`, and attribution skips it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from arcadia_cloud_core.digitalocean.errors import FieldError
from arcadia_cloud_core.digitalocean.validation import domain_name, ipv4, is_uuid, numeric_id
from arcadia_cloud_core.inventory.kinds import DEDICATED_KINDS, URN_KINDS

#: An `image` URN names a droplet snapshot or a droplet backup (backups are images too): try
#: these in order.
IMAGE_KINDS = ("snapshot", "droplet_backup")

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _passes(check: Callable[..., object]) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            check(value, arg="id")
        except ValueError:
            return False
        return True

    return ok


#: The id DO promises for each URN kind (kinds not listed here are taken as they come).
_ID_SHAPES: Mapping[str, tuple[str, Callable[[str], bool]]] = {
    "droplet": ("a positive integer id", _passes(numeric_id)),
    "image": ("a positive integer id", _passes(numeric_id)),
    "volume": ("a UUID", is_uuid),
    "volumesnapshot": ("a UUID", is_uuid),
    "loadbalancer": ("a UUID", is_uuid),
    "firewall": ("a UUID", is_uuid),
    "dbaas": ("a UUID", is_uuid),
    "kubernetes": ("a UUID", is_uuid),
    "vpc": ("a UUID", is_uuid),
    "floatingip": ("an IPv4 address", _passes(ipv4)),
    "reservedip": ("an IPv4 address", _passes(ipv4)),
    "domain": ("a domain name", _passes(domain_name)),
    "space": ("a bucket name", lambda value: _BUCKET.fullmatch(value) is not None),
}


@dataclass(frozen=True)
class ParsedUrn:
    """One URN: our kind (None when we do not track DO's kind), DO's kind and the id."""

    urn: str
    do_kind: str
    kind: str | None
    provider_id: str

    @property
    def has_dedicated_asset(self) -> bool:
        """True when a kind asset owns this resource (attribution only)."""
        return self.kind in DEDICATED_KINDS


def parse_urn(urn: str) -> ParsedUrn:
    """Parse `do:<kind>:<id>`; a `FieldError` (field `urn`) names a malformed one and why."""
    parts = urn.split(":", 2) if isinstance(urn, str) else []
    if len(parts) != 3 or parts[0] != "do" or not parts[1] or not parts[2]:
        raise FieldError(
            "urn", "malformed DO URN: expected do:<kind>:<id>", resource_id=f"{urn!r:.80}"
        )
    do_kind, provider_id = parts[1].lower(), parts[2]
    shape = _ID_SHAPES.get(do_kind)
    if shape is not None and not shape[1](provider_id):
        raise FieldError(
            "urn",
            f"malformed DO URN: id {provider_id!r:.60} is not {shape[0]}",
            kind=do_kind,
            resource_id=urn,
        )
    return ParsedUrn(urn=urn, do_kind=do_kind, kind=URN_KINDS.get(do_kind), provider_id=provider_id)

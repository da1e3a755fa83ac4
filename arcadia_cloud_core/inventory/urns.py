"""DO resource URNs (`do:<kind>:<id>`) → our resource kinds, aliases included."""

from __future__ import annotations

from dataclasses import dataclass

from arcadia_cloud_core.inventory.kinds import DEDICATED_KINDS

#: DO's URN kinds (and aliases) → our kind vocabulary. DO's spec lists no snapshot under a
#: project (snapshots inherit from their droplet or volume, see `attribution`); the
#: `volumesnapshot` and `image` forms are still understood should a project list one.
URN_KINDS = {
    "droplet": "droplet",
    "domain": "dns_zone",
    "volume": "volume",
    "volumesnapshot": "snapshot",
    "image": "snapshot",  # droplet snapshots; backups are images too (see IMAGE_KINDS)
    "floatingip": "reserved_ip",
    "reservedip": "reserved_ip",
    "firewall": "firewall",
    "loadbalancer": "load_balancer",
    "space": "spaces_bucket",
    "dbaas": "managed_db",
    "kubernetes": "k8s_cluster",
}


#: An `image` URN names a droplet snapshot or a droplet backup: try these in order.
IMAGE_KINDS = ("snapshot", "droplet_backup")


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
    """Parse `do:<kind>:<id>`; raise ValueError naming the URN when it is malformed."""
    parts = urn.split(":", 2) if isinstance(urn, str) else []
    if len(parts) != 3 or parts[0] != "do" or not parts[1] or not parts[2]:
        raise ValueError(f"malformed DO URN {urn!r}: expected do:<kind>:<id>")
    do_kind = parts[1].lower()
    return ParsedUrn(urn=urn, do_kind=do_kind, kind=URN_KINDS.get(do_kind), provider_id=parts[2])

"""DO resource URNs (`do:<kind>:<id>`) → our resource kinds (the table: `kinds.URN_KINDS`)."""

from __future__ import annotations

from dataclasses import dataclass

from arcadia_cloud_core.inventory.kinds import DEDICATED_KINDS, URN_KINDS

#: An `image` URN names a droplet snapshot or a droplet backup (backups are images too): try
#: these in order.
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

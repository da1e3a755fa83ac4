"""What the inventory stores: a DO resource normalised to one shape, and a sync's outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arcadia_cloud_core.db.schema import RESOURCE_KINDS

#: The columns a sync owns and compares; tenant and project belong to attribution.
TRACKED_FIELDS = ("name", "region", "status", "attrs")


@dataclass(frozen=True)
class NormalizedResource:
    """One live resource of one kind, as the chokepoint writes it.

    ``attrs`` holds the kind's stable, meaningful fields only (never volatile counters), so that an
    unchanged resource compares equal across syncs.
    """

    kind: str
    provider_id: str
    name: str | None
    region: str | None = None
    status: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in RESOURCE_KINDS:
            raise ValueError(f"unknown resource kind {self.kind!r}")
        if not isinstance(self.provider_id, str) or not self.provider_id:
            raise ValueError(f"{self.kind}: provider_id must be a non-empty string")

    def tracked(self) -> dict[str, Any]:
        """The tracked fields as a plain dict (attrs copied to plain JSON types)."""
        return {
            "name": self.name,
            "region": self.region,
            "status": self.status,
            "attrs": dict(self.attrs),
        }


@dataclass(frozen=True)
class SkippedResource:
    """A listed item that could not be normalised: kept out of the batch and out of strikes."""

    kind: str
    provider_id: str | None
    field: str
    reason: str


@dataclass(frozen=True)
class SyncResult:
    """Counts of one chokepoint call (one kind, one transaction)."""

    kind: str
    seen: int = 0
    discovered: int = 0
    updated: int = 0
    unchanged: int = 0
    restored: int = 0
    struck: int = 0
    deleted: int = 0
    skipped: int = 0
    rows_written: int = 0
    events_written: int = 0
    complete: bool = False

    def as_metadata(self) -> dict[str, int | bool]:
        """The counts as plain values for Dagster metadata."""
        return {
            "seen": self.seen,
            "discovered": self.discovered,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "restored": self.restored,
            "struck": self.struck,
            "deleted": self.deleted,
            "skipped": self.skipped,
            "rows_written": self.rows_written,
            "complete_listing": self.complete,
        }

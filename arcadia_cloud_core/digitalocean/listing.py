"""The result of a list call: parsed items plus what was skipped and what it cost."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class SkippedItem:
    """A list item we could not parse: its id (if readable), the bad field and why."""

    endpoint: str
    id: str | None
    field: str
    reason: str
    raw: Mapping[str, Any] = field(repr=False, compare=False, hash=False, default_factory=dict)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """All pages of one collection, parsed and de-duplicated by id.

    ``filtered`` is True when the caller narrowed the list (``tag_name``, ``type``, ``name``…):
    such a listing is *not* a complete inventory of the kind. ``requests`` counts every HTTP
    attempt the listing made (retries included), ``pages`` the pages it read, ``total`` is the
    server's ``meta.total`` when it gave one.
    """

    items: tuple[T, ...]
    skipped: tuple[SkippedItem, ...] = ()
    requests: int = 0
    pages: int = 0
    filtered: bool = False
    total: int | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        """True when this is every item of the kind: unfiltered and nothing skipped."""
        return not self.filtered and not self.skipped

"""Membership lists (droplet ids, tags, rules) that ``POST`` adds to and ``DELETE`` removes from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def add_or_remove(current: Sequence[T], items: Sequence[T], *, adding: bool) -> list[T]:
    """``current`` plus the ``items`` it lacks (in order), or without ``items``."""
    if adding:
        return [*current, *(i for i in items if i not in current)]
    return [i for i in current if i not in items]

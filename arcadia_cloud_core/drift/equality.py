"""Loose equality between a desired value and a live one.

Two values are loosely equal when their canonical forms are equal:

- scalars compare as strings (``1 == "1"``; integral floats as integers, so ``1.0 == 1``;
  booleans as JSON spells them, ``true``/``false``);
- lists (and tuples, sets) compare as sets: order and duplicates never matter;
- mappings compare key by key, and a key whose value is null is the same as a missing key;
- missing is null: `None` is its own canonical form.

The canonical form is hashable, so it nests (a list of records is a set of canonical records).
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any

#: Tags that keep a canonical mapping or list from ever equalling a scalar or each other.
_MAPPING = "{}"
_LIST = "[]"


def canonical(value: Any) -> Hashable:
    """The hashable form two values share exactly when they are loosely equal."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, Mapping):
        items = frozenset(
            (str(key), canonical(item)) for key, item in value.items() if item is not None
        )
        return (_MAPPING, items)
    if isinstance(value, list | tuple | set | frozenset):
        return (_LIST, frozenset(canonical(item) for item in value))
    return str(value)


def loosely_equal(expected: Any, actual: Any) -> bool:
    """Whether `expected` and `actual` are the same value up to representation."""
    return expected is actual or canonical(expected) == canonical(actual)


def json_text(value: Any) -> str:
    """A deterministic JSON rendering (sorted keys), for exact comparisons of stored values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _float_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)


def _decimal_text(value: Decimal) -> str:
    if value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return _float_text(float(value)) if value.is_finite() else str(value)

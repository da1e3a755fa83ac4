"""Field readers for DO payloads: each names the field it failed on (never a bare KeyError).

A reader raises :class:`~arcadia_cloud_core.digitalocean.errors.FieldError` when a field is
missing or has the wrong shape (an id that is not the UUID DO promises, too); the list helpers
turn that into a skipped item, single-object calls into a ``DOParseError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from arcadia_cloud_core.digitalocean.errors import FieldError
from arcadia_cloud_core.digitalocean.validation import is_uuid

_MISSING = object()


def frozen(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only view of a payload (models keep it as ``raw``)."""
    return MappingProxyType(dict(payload))


def _is_mapping(value: Any) -> bool:
    return isinstance(value, (dict, Mapping))  # dict first: the fast path


def _get(payload: Mapping[str, Any], field: str) -> Any:
    if "." not in field:  # the common case, kept cheap: lists parse thousands of items
        return payload.get(field, _MISSING)
    value: Any = payload
    for part in field.split("."):
        if not _is_mapping(value):
            return _MISSING
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def req_str(payload: Mapping[str, Any], field: str) -> str:
    """A required, non-empty string."""
    value = _get(payload, field)
    if type(value) is str and value:  # the fast path: each list item reads dozens of fields
        return value
    if value is _MISSING or value is None:
        raise FieldError(field, "missing")
    if not isinstance(value, str) or not value:
        raise FieldError(field, f"expected a non-empty string, got {type(value).__name__}")
    return value


def opt_str(payload: Mapping[str, Any], field: str) -> str | None:
    """An optional string (``None`` when absent, null or empty)."""
    value = _get(payload, field)
    if type(value) is str and value:
        return value
    if value is _MISSING or value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldError(field, f"expected a string, got {type(value).__name__}")
    return str(value)


def req_id(payload: Mapping[str, Any], field: str = "id") -> str:
    """A required identifier (int or string in DO) as a string."""
    value = _get(payload, field)
    if type(value) is int:
        return str(value)
    if type(value) is str and value:
        return value
    if value is _MISSING or value is None or value == "":
        raise FieldError(field, "missing")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldError(field, f"expected an id, got {type(value).__name__}")
    return str(value)


def req_uuid(payload: Mapping[str, Any], field: str = "id") -> str:
    """A required UUID (volumes, firewalls, load balancers, projects…), as DO sent it."""
    value = req_str(payload, field)
    if not is_uuid(value):
        raise FieldError(field, f"expected a UUID, got {value!r:.40}")
    return value


def req_int_id(payload: Mapping[str, Any], field: str = "id") -> str:
    """A required positive integer id (droplets, droplet snapshots) as a string."""
    value = req_id(payload, field)
    if not value.isdigit() or value.startswith("0"):
        raise FieldError(field, f"expected a positive integer id, got {value!r:.40}")
    return value


def opt_id(payload: Mapping[str, Any], field: str) -> str | None:
    """An optional identifier as a string."""
    value = _get(payload, field)
    if value is _MISSING or value is None or value == "":
        return None
    return req_id(payload, field)


def req_int(payload: Mapping[str, Any], field: str) -> int:
    """A required integer (an integral string is accepted)."""
    value = _get(payload, field)
    if type(value) is int:
        return value
    if value is _MISSING or value is None:
        raise FieldError(field, "missing")
    return _to_int(value, field)


def opt_int(payload: Mapping[str, Any], field: str) -> int | None:
    """An optional integer."""
    value = _get(payload, field)
    if type(value) is int:
        return value
    if value is _MISSING or value is None or value == "":
        return None
    return _to_int(value, field)


def _to_int(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise FieldError(field, "expected an integer, got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise FieldError(field, f"expected an integer, got {value!r:.40}")


def opt_float(payload: Mapping[str, Any], field: str) -> float | None:
    """An optional number (sizes in GB; never money)."""
    value = _get(payload, field)
    if type(value) is float:
        return value
    if value is _MISSING or value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(field, "expected a number, got bool")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FieldError(field, f"expected a number, got {value!r:.40}") from None


def opt_bool(payload: Mapping[str, Any], field: str, default: bool = False) -> bool:
    """An optional boolean."""
    value = _get(payload, field)
    if value is True or value is False:
        return value
    if value is _MISSING or value is None:
        return default
    if not isinstance(value, bool):
        raise FieldError(field, f"expected a boolean, got {type(value).__name__}")
    return value


def opt_list(payload: Mapping[str, Any], field: str) -> Sequence[Any]:
    """An optional JSON array (``[]`` when absent or null)."""
    value = _get(payload, field)
    if type(value) is list:
        return value
    if value is _MISSING or value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(field, f"expected an array, got {type(value).__name__}")
    return value


def opt_mapping(payload: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    """An optional JSON object (``{}`` when absent or null)."""
    value = _get(payload, field)
    if value is _MISSING or value is None:
        return {}
    if not _is_mapping(value):
        raise FieldError(field, f"expected an object, got {type(value).__name__}")
    return value


def str_tuple(payload: Mapping[str, Any], field: str) -> tuple[str, ...]:
    """An optional array of strings/ids as a tuple of strings."""
    items = opt_list(payload, field)
    if not items:
        return ()
    types = set(map(type, items))
    if types == {str}:  # the fast paths: all strings, or all ids
        return tuple(items)
    if types == {int}:
        return tuple(map(str, items))
    out = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise FieldError(f"{field}[{i}]", f"expected a string or id, got {item!r:.40}")
        out.append(str(item))
    return tuple(out)


def parse_datetime(value: Any, field: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive values are taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(field, "expected an ISO 8601 timestamp")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"not an ISO 8601 timestamp: {value!r:.40}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def req_datetime(payload: Mapping[str, Any], field: str) -> datetime:
    """A required timestamp."""
    value = _get(payload, field)
    if value is _MISSING or value is None:
        raise FieldError(field, "missing")
    return parse_datetime(value, field)


def opt_datetime(payload: Mapping[str, Any], field: str) -> datetime | None:
    """An optional timestamp."""
    value = _get(payload, field)
    if value is _MISSING or value is None or value == "":
        return None
    return parse_datetime(value, field)


_MONEY = re.compile(r"[-+]?\$?[-+]?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,15}(?:\.\d+)?)")


def parse_cents(value: Any, field: str) -> int:
    """A USD amount (``"86.92"``, ``"-5.00"``, ``"$3.11"``, ``12``) as exact integer cents.

    Amounts with more than two decimals are rejected unless the extra digits are zeros (no
    silent rounding of money).
    """
    if isinstance(value, bool) or value is None:
        raise FieldError(field, "expected a money amount")
    if isinstance(value, int):
        return value * 100
    text = str(value).strip()
    match = _MONEY.fullmatch(text)
    if match is None or text.count("-") + text.count("+") > 1:
        raise FieldError(field, f"not a money amount: {value!r:.40}")
    sign = "-" if "-" in text else ""
    amount = Decimal(sign + match.group("number").replace(",", ""))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise FieldError(field, f"more precision than cents: {value!r:.40}")
    return int(cents)


def req_cents(payload: Mapping[str, Any], field: str) -> int:
    """A required money amount in integer cents."""
    value = _get(payload, field)
    if value is _MISSING or value is None or value == "":
        raise FieldError(field, "missing")
    return parse_cents(value, field)

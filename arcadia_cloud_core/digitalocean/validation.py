"""Validation of values that go into a DO URL path, so nothing can inject into it.

Each check returns the canonical string and raises ``ValueError`` naming the argument (never a
``/``, ``..``, ``?``, ``#``, ``%`` or whitespace reaches a path).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

_NUMERIC_ID = re.compile(r"[1-9][0-9]{0,19}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DOMAIN = re.compile(
    r"(?=.{1,253}\Z)(?:[A-Za-z0-9_](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _reject(arg: str, value: Any, expected: str) -> ValueError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValueError(f"invalid {arg}: {shown} is not {expected}")


def numeric_id(value: int | str, *, arg: str) -> str:
    """A positive integer id (droplet, action, domain record) as a string."""
    if isinstance(value, bool):
        raise _reject(arg, value, "a positive integer id")
    text = str(value) if isinstance(value, int | str) else ""
    if not _NUMERIC_ID.fullmatch(text):
        raise _reject(arg, value, "a positive integer id")
    return text


def is_uuid(value: object) -> bool:
    """True for a canonical 8-4-4-4-12 hex UUID string."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def uuid_id(value: str, *, arg: str, allow: frozenset[str] = frozenset()) -> str:
    """A UUID (volumes, firewalls, load balancers, projects, invoices); ``allow`` adds aliases."""
    if isinstance(value, str) and (value in allow or _UUID.fullmatch(value)):
        return value.lower() if value not in allow else value
    raise _reject(arg, value, "a UUID")


def snapshot_id(value: int | str, *, arg: str = "snapshot_id") -> str:
    """A snapshot id: an integer (droplet snapshot) or a UUID (volume snapshot)."""
    if isinstance(value, str) and _UUID.fullmatch(value):
        return value.lower()
    try:
        return numeric_id(value, arg=arg)
    except ValueError:
        raise _reject(arg, value, "an integer id or a UUID") from None


def domain_name(value: str, *, arg: str = "domain") -> str:
    """A DNS domain name (e.g. ``acme-store.com``), lower-cased."""
    if isinstance(value, str) and _DOMAIN.fullmatch(value):
        return value.lower()
    raise _reject(arg, value, "a domain name")


def ipv4(value: str, *, arg: str = "ip") -> str:
    """A dotted-quad IPv4 address (reserved/floating IP ids)."""
    if isinstance(value, str):
        try:
            address = ipaddress.IPv4Address(value)
        except ValueError:
            pass
        else:
            if str(address) == value:
                return value
    raise _reject(arg, value, "an IPv4 address")


def slug(value: str, *, arg: str) -> str:
    """A DO slug (region, size): lower-case letters, digits and dashes."""
    if isinstance(value, str) and _SLUG.fullmatch(value):
        return value
    raise _reject(arg, value, "a slug")

"""Checks of provisioning inputs: each returns the canonical value or raises `ValueError` whose
message starts with the field's name.

Run config classes call these as validators (so a bad value fails before any DO call), and the
steps call them again on the journalled inputs. Nothing that passes can inject into a DO URL path:
ids are digits, domains and record names are DNS labels.
"""

from __future__ import annotations

import ipaddress
import re

from arcadia_cloud_core.digitalocean.validation import domain_name

#: Record types the DNS sagas manage (SOA belongs to DO).
RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA")
#: Types whose data is a hostname: DO stores it with a trailing dot.
HOSTNAME_TYPES = frozenset({"CNAME", "MX", "NS", "SRV"})
CAA_TAGS = ("issue", "issuewild", "iodef")
MIN_TTL, MAX_TTL = 30, 86400
MAX_USER_TAGS = 10

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DROPLET_NAME = re.compile(rf"(?=.{{1,255}}\Z){_LABEL}(?:\.{_LABEL})*")
_DROPLET_ID = re.compile(r"[1-9][0-9]{0,18}")
_TAG = re.compile(r"[A-Za-z0-9_:.\-]{1,255}")
_RECORD_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_RECORD_NAME = re.compile(rf"(?:\*|{_RECORD_LABEL})(?:\.{_RECORD_LABEL})*")
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z){_RECORD_LABEL}(?:\.{_RECORD_LABEL})*")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def droplet_name(value: object, *, field: str = "name") -> str:
    """A droplet hostname: DNS labels of letters, digits and dashes, at most 255 characters."""
    if isinstance(value, str) and _DROPLET_NAME.fullmatch(value):
        return value
    raise ValueError(
        f"{field}: {_shown(value)} is not a valid droplet name (letters, digits, '-' and '.' "
        "as a hostname, at most 255 characters)"
    )


def droplet_id(value: object, *, field: str = "droplet_id") -> str:
    """A droplet id (a positive integer) as a string."""
    if isinstance(value, bool):
        value = None
    text = str(value) if isinstance(value, int | str) else ""
    if _DROPLET_ID.fullmatch(text):
        return text
    raise ValueError(f"{field}: {_shown(value)} is not a droplet id (a positive integer)")


def user_tags(values: object, *, field: str = "tags", reserved_prefix: str = "") -> list[str]:
    """Extra droplet tags: at most 10, each letters, digits, ``_ : . -`` (DO's tag rule)."""
    if not isinstance(values, list | tuple):
        raise ValueError(f"{field}: must be a list of tags")
    if len(values) > MAX_USER_TAGS:
        raise ValueError(f"{field}: at most {MAX_USER_TAGS} tags, got {len(values)}")
    tags: list[str] = []
    for tag in values:
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise ValueError(
                f"{field}: {_shown(tag)} is not a valid tag (letters, digits, '_', ':', '.', '-')"
            )
        if reserved_prefix and tag.startswith(reserved_prefix):
            raise ValueError(f"{field}: tags starting with {reserved_prefix!r} are set by the saga")
        if tag not in tags:
            tags.append(tag)
    return tags


def domain(value: object, *, field: str = "domain") -> str:
    """A DNS zone hosted by DO (``example.com``), lower-cased, without a trailing dot."""
    if isinstance(value, str) and value.endswith("."):
        value = value[:-1]
    try:
        return domain_name(value, arg=field)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{field}: {_shown(value)} is not a domain name") from None


def record_type(value: object, *, field: str = "type") -> str:
    """A record type the sagas manage (upper-cased)."""
    if isinstance(value, str) and value.upper() in RECORD_TYPES:
        return value.upper()
    raise ValueError(
        f"{field}: unknown record type {_shown(value)}; use one of {', '.join(RECORD_TYPES)}"
    )


def record_name(value: object, *, zone: str, field: str = "name") -> str:
    """A record name relative to ``zone``: ``@`` for the apex, else DNS labels (``www``,
    ``_dmarc``, ``*.dev``), lower-cased."""
    if value == "@":
        return "@"
    if isinstance(value, str):
        name = value.lower()
        if name == zone or name.endswith(f".{zone}"):
            raise ValueError(
                f"{field}: give the name relative to the zone {zone!r} ('@' for the apex), "
                f"not {_shown(value)}"
            )
        if _RECORD_NAME.fullmatch(name) and len(name) + 1 + len(zone) <= 253:
            return name
    raise ValueError(
        f"{field}: {_shown(value)} is not a valid record name ('@' or DNS labels like 'www')"
    )


def ttl(value: object, *, field: str = "ttl") -> int:
    """A TTL in seconds, 30..86400."""
    if isinstance(value, int) and not isinstance(value, bool) and MIN_TTL <= value <= MAX_TTL:
        return value
    raise ValueError(f"{field}: {_shown(value)} is out of range {MIN_TTL}..{MAX_TTL} seconds")


def _bounded(value: object, lo: int, hi: int, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return value
    raise ValueError(f"{field}: {_shown(value)} must be an integer in {lo}..{hi}")


def record_data(rtype: str, value: object, *, field: str = "data") -> str:
    """The record's data, checked for its type (an address, a hostname, text)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field}: must be a non-empty string")
    if rtype == "A":
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError:
            raise ValueError(f"{field}: {_shown(value)} is not an IPv4 address") from None
    if rtype == "AAAA":
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError:
            raise ValueError(f"{field}: {_shown(value)} is not an IPv6 address") from None
    if rtype in HOSTNAME_TYPES:
        host = value.lower()
        if host == "@" or _HOSTNAME.fullmatch(host.removesuffix(".")):
            return host
        raise ValueError(f"{field}: {_shown(value)} is not a hostname (or '@')")
    if len(value) > 2048 or any(ord(ch) < 32 for ch in value):
        raise ValueError(f"{field}: text must be printable and at most 2048 characters")
    return value


def record_extras(
    rtype: str,
    *,
    priority: int | None,
    port: int | None,
    weight: int | None,
    flags: int | None,
    tag: str | None,
) -> dict[str, int | str]:
    """The type-specific fields (MX/SRV priority, SRV port and weight, CAA flags and tag)."""
    extras: dict[str, int | str] = {}
    if rtype in ("MX", "SRV"):
        if priority is None:
            raise ValueError(f"priority: required for {rtype} records")
        extras["priority"] = _bounded(priority, 0, 65535, "priority")
    if rtype == "SRV":
        if port is None or weight is None:
            raise ValueError("port: port and weight are required for SRV records")
        extras["port"] = _bounded(port, 1, 65535, "port")
        extras["weight"] = _bounded(weight, 0, 65535, "weight")
    if rtype == "CAA":
        if flags is None or tag not in CAA_TAGS:
            raise ValueError(f"tag: CAA records need flags (0..255) and a tag in {CAA_TAGS}")
        extras["flags"] = _bounded(flags, 0, 255, "flags")
        extras["tag"] = str(tag)
    return extras


def same_data(rtype: str, left: str, right: str) -> bool:
    """Whether two record data values mean the same (DO appends a dot to hostnames)."""
    if rtype in HOSTNAME_TYPES:
        return left.lower().removesuffix(".") == right.lower().removesuffix(".")
    if rtype in ("A", "AAAA"):
        try:
            return ipaddress.ip_address(left) == ipaddress.ip_address(right)
        except ValueError:
            return left == right
    return left == right

"""The fields DO is known to rewrite, one small rule per (kind, field).

A rule has two parts:

- ``align(expected, actual, zone)`` brings the live value into the spec's representation (DO
  answers ``image`` with an image object where the spec named a slug or an id; it appends a dot to
  hostnames in DNS data; it calls the apex ``@``). Both values come back comparable with
  `loosely_equal`; the aligned live value is what a drift row shows and what accepting it stores.
- ``aliases``: other `attrs` paths whose value, when it is (loosely) the spec's value, means "no
  drift": ``image.slug`` / ``image.id`` in DO's droplet payload, ``image_id`` in inventory's
  flattened attrs. The sweep checks exact equality with them in SQL, so a healthy fleet never
  ships its image objects to Python; the rest is judged here.

`compare_field` is the one comparison the sweep, `accept_drift` and the tests share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from arcadia_cloud_core.drift.equality import loosely_equal

#: ``align(expected, actual, zone_name) -> (expected, actual)``.
Aligner = Callable[[Any, Any, str | None], tuple[Any, Any]]

#: A rule under this kind applies to every kind that has no rule of its own for the field.
ANY_KIND = "*"


@dataclass(frozen=True)
class FieldRule:
    """How DO may rewrite one field: an aligner and the live paths that are the same value."""

    align: Aligner
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The verdict on one field: `actual` is the live value in the spec's representation."""

    matches: bool
    expected: Any
    actual: Any


# -- aligners -----------------------------------------------------------------------------------
def _looks_like_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def align_image(expected: Any, actual: Any, _zone: str | None) -> tuple[Any, Any]:
    """An image object becomes its id when the spec names an id, else its slug.

    Custom images and snapshots have no slug; they compare by id.
    """
    if not isinstance(actual, Mapping) or isinstance(expected, Mapping):
        return expected, actual
    if _looks_like_id(expected) or actual.get("slug") is None:
        return expected, actual.get("id")
    return expected, actual.get("slug")


def align_slug_object(expected: Any, actual: Any, _zone: str | None) -> tuple[Any, Any]:
    """A catalog object (size, region) becomes its slug when the spec names a slug."""
    if isinstance(actual, Mapping) and not isinstance(expected, Mapping):
        return expected, actual.get("slug")
    return expected, actual


def align_object_id(expected: Any, actual: Any, _zone: str | None) -> tuple[Any, Any]:
    """An embedded object (a reserved IP's droplet) becomes its id when the spec names an id."""
    if isinstance(actual, Mapping) and not isinstance(expected, Mapping):
        return expected, actual.get("id")
    return expected, actual


#: Record types whose data is a hostname: DO stores it fully qualified, with a trailing dot.
HOSTNAME_RECORD_TYPES = frozenset({"CNAME", "MX", "NS", "SRV", "PTR"})
#: Records DO creates and manages with every zone; they only count when the spec lists the type.
DO_MANAGED_RECORD_TYPES = ("SOA", "NS")


def _bare_zone(zone: str | None) -> str | None:
    return zone.strip().rstrip(".").lower() if zone else None


def dns_hostname(value: Any) -> Any:
    """A hostname without DO's trailing dot, lowercased (DNS names are case-insensitive)."""
    return value.strip().rstrip(".").lower() if isinstance(value, str) else value


def dns_record_name(name: Any, zone: str | None) -> Any:
    """A record name relative to its zone: the apex is ``@`` (``example.com.`` -> ``@``)."""
    if not isinstance(name, str):
        return name
    bare = dns_hostname(name)
    apex = _bare_zone(zone)
    if bare in ("", "@") or (apex is not None and bare == apex):
        return "@"
    if apex is not None and bare.endswith("." + apex):
        return bare[: -len(apex) - 1]
    return bare


def dns_record_data(data: Any, record_type: Any, zone: str | None) -> Any:
    """Record data as DO means it: hostnames without the trailing dot, ``@`` as the zone."""
    if not isinstance(data, str) or str(record_type).upper() not in HOSTNAME_RECORD_TYPES:
        return data
    if data.strip() == "@" and zone:
        return _bare_zone(zone)
    return dns_hostname(data)


def _normal_record(record: Mapping[str, Any], keys: Sequence[str], zone: str | None) -> dict:
    record_type = record.get("type")
    out: dict[str, Any] = {}
    for key in keys:
        value = record.get(key)
        if key == "type" and isinstance(value, str):
            value = value.upper()
        elif key == "name":
            value = dns_record_name(value, zone)
        elif key == "data":
            value = dns_record_data(value, record_type, zone)
        out[key] = value
    return out


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def align_dns_records(expected: Any, actual: Any, zone: str | None) -> tuple[Any, Any]:
    """A zone's records, compared on the keys the spec uses, names relative, data undotted.

    Live records of a DO-managed type (SOA, NS) are ignored unless the spec lists that type.
    """
    if not (_is_record_list(expected) and _is_record_list(actual)):
        return expected, actual
    keys = sorted({str(key) for record in expected for key in record} - {"id"})
    spec_types = {str(record.get("type", "")).upper() for record in expected}
    ignored = {t for t in DO_MANAGED_RECORD_TYPES if t not in spec_types}
    live = [r for r in actual if str(r.get("type", "")).upper() not in ignored]
    return (
        [_normal_record(record, keys, zone) for record in expected],
        [_normal_record(record, keys, zone) for record in live],
    )


def align_dns_name(expected: Any, actual: Any, _zone: str | None) -> tuple[Any, Any]:
    """A zone name with or without the trailing dot, in any case."""
    return dns_hostname(expected), dns_hostname(actual)


# -- the table ----------------------------------------------------------------------------------
RULES: Mapping[tuple[str, str], FieldRule] = MappingProxyType(
    {
        ("droplet", "image"): FieldRule(
            align_image, aliases=("image.slug", "image.id", "image_slug", "image_id")
        ),
        ("droplet", "size"): FieldRule(align_slug_object, aliases=("size.slug", "size_slug")),
        (ANY_KIND, "region"): FieldRule(align_slug_object, aliases=("region.slug",)),
        ("reserved_ip", "droplet"): FieldRule(align_object_id, aliases=("droplet.id",)),
        ("dns_zone", "name"): FieldRule(align_dns_name),
        ("dns_zone", "records"): FieldRule(align_dns_records),
    }
)


def rule_key(kind: str, field: str) -> tuple[str, str] | None:
    """The key in `RULES` of the rule for `field` of `kind` (its own rule wins over any-kind)."""
    for key in ((kind, field), (ANY_KIND, field)):
        if key in RULES:
            return key
    return None


def rule_for(kind: str, field: str) -> FieldRule | None:
    """The rule for `field` of `kind` (a kind's own rule wins over an any-kind rule)."""
    key = rule_key(kind, field)
    return RULES[key] if key is not None else None


def compare_field(
    *,
    kind: str,
    field: str,
    expected: Any,
    actual: Any,
    zone: str | None = None,
    aliases: Sequence[Any] = (),
) -> Comparison:
    """Whether the live `actual` satisfies the spec's `expected` for `field` of `kind`.

    `zone` is the resource's name, which DNS rules need to relate ``@`` to full names;
    `aliases` are the live values at the rule's alias paths. Values that are loosely equal
    before any rewrite always match, and so does a spec value loosely equal to a non-null alias.
    """
    if loosely_equal(expected, actual):
        return Comparison(True, expected, actual)
    rule = rule_for(kind, field)
    if rule is None:
        return Comparison(False, expected, actual)
    if expected is not None:
        for alias in aliases:
            if alias is not None and loosely_equal(expected, alias):
                return Comparison(True, expected, alias)
    aligned_expected, aligned_actual = rule.align(expected, actual, zone)
    return Comparison(loosely_equal(aligned_expected, aligned_actual), expected, aligned_actual)

"""One resource against its spec, in plain Python: the definition the set-based sweep implements.

The sweep (`sweep.detect_all`) does the same in bulk: exact equality (with a rule's aliases) in
SQL, everything else through `compare_field`. This module is what `accept_drift` uses for a single
field and what the tests hold the sweep to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arcadia_cloud_core.drift.fields import resolve_live_value
from arcadia_cloud_core.drift.normalisers import Comparison, compare_field, rule_for

#: The field a deleted resource drifts on, and the live value it shows.
STATUS_FIELD = "status"
DELETED = "deleted"
#: What a deleted resource was expected to be when its spec does not name a status.
PRESENT = "present"


def check_field(resource: Mapping[str, Any], *, field: str, expected: Any) -> Comparison:
    """The verdict on `field` of a live `cloud_resources` row (a mapping of its columns)."""
    kind = str(resource.get("kind"))
    rule = rule_for(kind, field)
    attrs_only = {"attrs": resource.get("attrs")}
    return compare_field(
        kind=kind,
        field=field,
        expected=expected,
        actual=resolve_live_value(resource, field),
        zone=resource.get("name"),
        aliases=[resolve_live_value(attrs_only, alias) for alias in rule.aliases] if rule else [],
    )


def check_deleted(spec: Mapping[str, Any]) -> Comparison:
    """The verdict on a resource deleted live: one `status` check, whatever else the spec says."""
    expected = spec.get(STATUS_FIELD, PRESENT)
    return compare_field(kind="", field=STATUS_FIELD, expected=expected, actual=DELETED)


def check_resource(resource: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Comparison]:
    """Every check of one provisioned resource, by field (deleted: only `status`)."""
    if resource.get("deleted_at") is not None:
        return {STATUS_FIELD: check_deleted(spec)}
    return {
        field: check_field(resource, field=field, expected=value) for field, value in spec.items()
    }

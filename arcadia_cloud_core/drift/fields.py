"""Spec field names and how a field resolves to its live value.

A field is a top-level column of `cloud_resources` (when the column holds a value) or a path into
its `attrs` document: ``size_slug``, or dotted for nested objects, ``size.slug``. Segments are
identifiers (letters, digits, ``_``; not starting with a digit), so a path means the same thing
in Python, in Postgres (``attrs #> '{size,slug}'``) and in SQLite (``attrs -> '$.size.slug'``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from arcadia_cloud_core.drift.errors import InvalidSpec

#: Columns of `cloud_resources` a spec field may name; they win over `attrs` when not null.
TOP_LEVEL_COLUMNS: tuple[str, ...] = (
    "provider",
    "provider_id",
    "kind",
    "name",
    "region",
    "status",
    "tenant_id",
)

FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
MAX_FIELD_LENGTH = 255  # cloud_drift.field


def validate_field(field: object) -> str:
    """`field` if it is a valid spec field name, else `InvalidSpec` naming it."""
    if not isinstance(field, str) or len(field) > MAX_FIELD_LENGTH or not FIELD_RE.match(field):
        raise InvalidSpec(
            f"spec field {field!r} is not a field name: use identifiers joined by dots, "
            "e.g. 'region' or 'size.slug'"
        )
    return field


def field_path(field: str) -> tuple[str, ...]:
    """The `attrs` path a field names (``size.slug`` -> ``("size", "slug")``)."""
    return tuple(field.split("."))


def resolve_live_value(resource: Mapping[str, Any], field: str) -> Any:
    """The live value of `field` on a `cloud_resources` row (None when missing).

    A top-level column wins when it holds a value; otherwise the dotted path is followed through
    `attrs`, and anything missing on the way (or a non-object in the middle) is None.
    """
    if field in TOP_LEVEL_COLUMNS and resource.get(field) is not None:
        return resource[field]
    node: Any = resource.get("attrs") or {}
    for segment in field_path(field):
        if not isinstance(node, Mapping) or segment not in node:
            return None
        node = node[segment]
    return node

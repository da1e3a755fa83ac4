"""Small helpers that turn plain rows into Dagster metadata the UI renders well."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

_TYPES = {bool: "bool", int: "int", float: "float"}


def table(rows: Sequence[Mapping[str, Any]], *, columns: Sequence[str] | None = None) -> Any:
    """A table metadata value (columns from the first row unless given)."""
    names = list(columns or (rows[0].keys() if rows else []))
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(
                name, _TYPES.get(type(rows[0].get(name)), "string") if rows else "string"
            )
            for name in names
        ]
    )
    records = [dg.TableRecord({name: _cell(row.get(name)) for name in names}) for row in rows]
    return dg.MetadataValue.table(records=records, schema=schema)


def _cell(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)

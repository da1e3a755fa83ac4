"""Bulk writes that stay fast at tens of thousands of rows, on both backends.

Postgres: rows are streamed with COPY into a temporary staging table, then moved with one
INSERT … SELECT (optionally ON CONFLICT DO NOTHING … RETURNING) or one UPDATE … FROM. SQLite (in
process, no round trips): plain executemany. Both run inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa


class JsonText(str):
    """A JSON document already serialised: written as is, never encoded twice."""


def _is_json(column: sa.Column[Any]) -> bool:
    column_type = column.type
    impl = getattr(column_type, "impl", column_type)
    return isinstance(column_type, sa.JSON) or isinstance(impl, sa.JSON)


def _to_json_text(value: Any) -> str | None:
    if value is None or isinstance(value, JsonText):
        return value
    return orjson.dumps(value).decode()


def _from_json_text(value: Any) -> Any:
    return orjson.loads(str(value)) if isinstance(value, JsonText) else value


def _converters(
    table: sa.Table, columns: Sequence[str], json_value: Callable[[Any], Any]
) -> list[tuple[str, Callable[[Any], Any] | None]]:
    return [(c, json_value if _is_json(table.c[c]) else None) for c in columns]


def _convert(row: Mapping[str, Any], converters: Sequence[tuple[str, Any]]) -> list[Any]:
    return [row[c] if f is None else f(row[c]) for c, f in converters]


def _copy(
    connection: sa.Connection,
    table: sa.Table,
    target: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """COPY `rows` into `target` on the connection's own transaction (no per-row round trips)."""
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{target}" ({names}) FROM STDIN'
    converters = _converters(table, columns, _to_json_text)
    dbapi = connection.dialect.loaded_dbapi
    try:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(_convert(row, converters))
    except dbapi.Error as exc:  # surface as SQLAlchemy's own statements do
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


def _stage(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> str:
    """COPY `rows` into a new temporary table holding `columns`; returns its name."""
    stage = f"stage_{table.name}_{uuid.uuid4().hex[:8]}"
    names = ", ".join(f'"{c}"' for c in columns)
    connection.exec_driver_sql(
        f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS '
        f'SELECT {names} FROM "{table.name}" WITH NO DATA'
    )
    _copy(connection, table, stage, columns, rows)
    return stage


def _plain_rows(
    table: sa.Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows for SQLAlchemy's executemany: pre-serialised JSON decoded back."""
    converters = _converters(table, columns, _from_json_text)
    return [dict(zip(columns, _convert(row, converters), strict=True)) for row in rows]


def bulk_insert(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_columns: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[sa.Row[Any]]:
    """Insert `rows` (all with the same keys); skip conflicts on `conflict_columns` if given.

    Returns the `returning` columns of the rows actually inserted (empty when not asked).
    """
    if not rows:
        return []
    columns = list(rows[0].keys())
    if connection.dialect.name == "postgresql" and not conflict_columns and not returning:
        _copy(connection, table, table.name, columns, rows)  # straight in: nothing to filter
        return []
    if connection.dialect.name == "postgresql":
        stage = _stage(connection, table, columns, rows)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}"'
        if conflict_columns:
            sql += f" ON CONFLICT ({', '.join(conflict_columns)}) DO NOTHING"
        if returning:
            sql += " RETURNING " + ", ".join(f'"{c}"' for c in returning)
            result = connection.exec_driver_sql(sql).all()
        else:
            connection.exec_driver_sql(sql)
            result = []
        connection.exec_driver_sql(f'DROP TABLE "{stage}"')
        return result
    statement: Any = sa.insert(table)
    if conflict_columns:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    plain = _plain_rows(table, rows, columns)
    if returning:
        statement = statement.returning(*[table.c[c] for c in returning])
        return list(connection.execute(statement, plain).all())
    connection.execute(statement, plain)
    return []


def bulk_update(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str = "id",
    constants: Mapping[str, Any] | None = None,
) -> int:
    """Update each row found by `key` with its other values (and `constants`); returns rows."""
    if not rows:
        return 0
    columns = [c for c in rows[0] if c != key]
    constants = dict(constants or {})
    if connection.dialect.name == "postgresql":
        stage = _stage(connection, table, [key, *columns], rows)
        assignments = [f'"{c}" = s."{c}"' for c in columns]
        params: dict[str, Any] = {}
        for i, (name, value) in enumerate(constants.items()):
            assignments.append(f'"{name}" = :const_{i}')
            params[f"const_{i}"] = value
        sql = (
            f'UPDATE "{table.name}" AS t SET {", ".join(assignments)} '
            f'FROM "{stage}" AS s WHERE t."{key}" = s."{key}"'
        )
        statement = sa.text(sql).bindparams(
            *[
                sa.bindparam(f"const_{i}", type_=table.c[name].type)
                for i, name in enumerate(constants)
            ]
        )
        count = connection.execute(statement, params).rowcount
        connection.exec_driver_sql(f'DROP TABLE "{stage}"')
        return count
    statement = (
        sa.update(table)
        .where(table.c[key] == sa.bindparam(f"_{key}"))
        .values(
            **{c: sa.bindparam(c, type_=table.c[c].type) for c in columns},
            **constants,
        )
    )
    plain = _plain_rows(table, rows, [key, *columns])
    connection.execute(statement, [{**r, f"_{key}": r[key]} for r in plain])
    return len(rows)

"""The sweep's set-based reads, for Postgres and SQLite.

`candidate_pairs` first asks which field names the specs use (one small query), then compares
every live provisioned resource with its spec in ONE statement whose expressions are built for
those fields: per field, the spec value must be absent, exactly equal to the live value (top-level
column first, then the `attrs` path), or exactly equal to one of the rule's aliases (e.g.
``image.slug``). Only resources with a field that fails come back, with a per-field verdict, and
only those fields are judged in Python by `compare_field`. Exact equality implies loose equality,
so nothing filtered out here can be drift. Values come back as JSON text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from arcadia_cloud_core.drift.fields import FIELD_RE, TOP_LEVEL_COLUMNS, field_path
from arcadia_cloud_core.drift.normalisers import ANY_KIND, RULES, rule_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """A (resource, field) pair whose live value is not exactly the spec's (nor an alias's)."""

    resource_id: int
    kind: str
    name: str | None
    field: str
    expected: Any
    actual: Any
    aliases: tuple[Any, ...] = ()


@dataclass(frozen=True)
class DeletedResource:
    """A provisioned resource deleted live, with its spec's `status` (when it names one)."""

    resource_id: int
    kind: str
    name: str | None
    has_status: bool
    spec_status: Any


#: Fields compared per statement (two output columns each; Postgres allows 1,664).
FIELDS_PER_STATEMENT = 200


@dataclass(frozen=True)
class _Dialect:
    """The few expressions that differ between Postgres (JSONB) and SQLite (JSON text)."""

    postgres: bool

    @property
    def null(self) -> str:
        return "'null'::jsonb" if self.postgres else "'null'"

    @property
    def false(self) -> str:
        return "FALSE" if self.postgres else "0"

    def text(self, expression: str) -> str:
        return f"({expression})::text" if self.postgres else expression

    def spec_value(self, field: str, params: dict[str, Any], name: str) -> str:
        """The spec's value of `field` (SQL NULL when the spec has no such field)."""
        if self.postgres:
            params[name] = field
            return f"(p.spec -> CAST(:{name} AS text))"
        params[name] = f'$."{field}"'
        return f"(p.spec -> :{name})"

    def attrs_value(self, path: str, params: dict[str, Any], name: str) -> str:
        """The live `attrs` value at a dotted path (SQL NULL when missing)."""
        if self.postgres:
            params[name] = list(field_path(path))
            return f"(r.attrs #> CAST(:{name} AS text[]))"
        params[name] = "$." + path
        return f"(r.attrs -> :{name})"

    def column_value(self, column: str) -> str:
        """A top-level column as JSON (SQL NULL when the column is)."""
        if self.postgres:
            return f"to_jsonb(r.{column})"
        return f"CASE WHEN r.{column} IS NOT NULL THEN json_quote(r.{column}) END"


@dataclass(frozen=True)
class _FieldSql:
    """One field's expressions: its live value, its verdict, and its rules' alias values."""

    actual: str
    verdict: str
    aliases: dict[tuple[str, str], list[str]]  # rule key -> alias value expressions


def _field_sql(dialect: _Dialect, index: int, field: str, params: dict[str, Any]) -> _FieldSql:
    expected = dialect.spec_value(field, params, f"spec_{index}")
    live = [dialect.attrs_value(field, params, f"path_{index}"), dialect.null]
    if field in TOP_LEVEL_COLUMNS:
        live.insert(0, dialect.column_value(field))
    actual = f"COALESCE({', '.join(live)})"
    equal = [f"{expected} IS NULL", f"{expected} = {actual}"]
    aliases: dict[tuple[str, str], list[str]] = {}
    for number, ((kind, rule_field), rule) in enumerate(RULES.items()):
        if rule_field != field or not rule.aliases:
            continue
        if kind == ANY_KIND:
            own = sorted({k for (k, f) in RULES if f == field and k != ANY_KIND})
            kinds = []
            for other, own_kind in enumerate(own):
                params[f"not_kind_{index}_{number}_{other}"] = own_kind
                kinds.append(f"r.kind <> :not_kind_{index}_{number}_{other}")
            kind_term = " AND ".join(kinds) or "1 = 1"
        else:
            params[f"kind_{index}_{number}"] = kind
            kind_term = f"r.kind = :kind_{index}_{number}"
        values = [
            dialect.attrs_value(alias, params, f"alias_{index}_{number}_{n}")
            for n, alias in enumerate(rule.aliases)
        ]
        aliases[(kind, rule_field)] = values
        same = " OR ".join(f"{expected} = {value}" for value in values)
        equal.append(f"({kind_term} AND {expected} <> {dialect.null} AND ({same}))")
    verdict = f"COALESCE({' OR '.join(equal)}, {dialect.false})"
    return _FieldSql(actual=actual, verdict=verdict, aliases=aliases)


def _candidate_statement(
    dialect: _Dialect, fields: Sequence[str]
) -> tuple[str, dict[str, Any], list[dict[tuple[str, str], list[str]]]]:
    """The statement, its parameters, and per field the alias columns of each rule."""
    params: dict[str, Any] = {}
    columns = []
    verdicts = []
    alias_columns: list[dict[tuple[str, str], list[str]]] = []
    for index, field in enumerate(fields):
        terms = _field_sql(dialect, index, field, params)
        columns.append(f"{terms.verdict} AS ok_{index}")
        columns.append(f"{dialect.text(terms.actual)} AS live_{index}")
        by_rule: dict[tuple[str, str], list[str]] = {}
        for number, (key, values) in enumerate(terms.aliases.items()):
            names = [f"alias_{index}_{number}_{n}" for n in range(len(values))]
            columns.extend(
                f"{dialect.text(value)} AS {name}"
                for value, name in zip(values, names, strict=True)
            )
            by_rule[key] = names
        alias_columns.append(by_rule)
        verdicts.append(terms.verdict)
    sql = f"""
        SELECT p.resource_id, r.kind, r.name, {dialect.text("p.spec")} AS spec,
               {", ".join(columns)}
        FROM cloud_provisioned AS p
        JOIN cloud_resources AS r ON r.id = p.resource_id
        WHERE r.deleted_at IS NULL AND NOT ({" AND ".join(verdicts)})
    """
    return sql, params, alias_columns


def spec_fields(connection: sa.Connection) -> list[str]:
    """Every field name any spec uses, sorted."""
    if connection.dialect.name == "postgresql":
        sql = "SELECT DISTINCT jsonb_object_keys(spec) FROM cloud_provisioned"
    else:
        sql = "SELECT DISTINCT s.key FROM cloud_provisioned AS p, json_each(p.spec) AS s"
    fields = []
    for field in sorted(str(name) for name in connection.execute(sa.text(sql)).scalars()):
        if FIELD_RE.match(field):
            fields.append(field)
        else:  # only written around record_provisioned, which refuses such names
            log.warning("drift: spec field %r is not a field name; not compared", field)
    return fields


def candidate_pairs(connection: sa.Connection) -> Iterator[Candidate]:
    """Every (live resource, spec field) pair whose live value is not exactly the spec's."""
    dialect = _Dialect(postgres=connection.dialect.name == "postgresql")
    for fields in chunks(spec_fields(connection), FIELDS_PER_STATEMENT):
        sql, params, alias_columns = _candidate_statement(dialect, fields)
        for row in connection.execute(sa.text(sql), params).mappings():
            spec = json.loads(row["spec"])
            for index, field in enumerate(fields):
                if field not in spec or row[f"ok_{index}"]:
                    continue
                key = rule_key(row["kind"], field)
                names = alias_columns[index].get(key, []) if key is not None else []
                yield Candidate(
                    resource_id=int(row["resource_id"]),
                    kind=row["kind"],
                    name=row["name"],
                    field=field,
                    expected=spec[field],
                    actual=_from_json(row[f"live_{index}"]),
                    aliases=tuple(_from_json(row[name]) for name in names),
                )


def deleted_resources(connection: sa.Connection) -> list[DeletedResource]:
    """Every provisioned resource whose live row is deleted, with its spec's `status`."""
    if connection.dialect.name == "postgresql":
        status = "(p.spec -> 'status')::text"
    else:
        status = "p.spec -> '$.status'"
    sql = f"""
        SELECT p.resource_id, r.kind, r.name, {status} AS spec_status
        FROM cloud_provisioned AS p
        JOIN cloud_resources AS r ON r.id = p.resource_id
        WHERE r.deleted_at IS NOT NULL
    """
    return [
        DeletedResource(
            resource_id=int(row.resource_id),
            kind=row.kind,
            name=row.name,
            has_status=row.spec_status is not None,
            spec_status=_from_json(row.spec_status),
        )
        for row in connection.execute(sa.text(sql))
    ]


def _from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def chunks(values: Sequence[Any], size: int = 1000) -> Iterator[Sequence[Any]]:
    """`values` in slices of at most `size` (bounded IN lists and statement sizes)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]

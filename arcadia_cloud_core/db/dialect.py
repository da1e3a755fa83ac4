"""Backend-specific statements behind one call: INSERT … ON CONFLICT, a per-key write lock, and
a transaction that joins the caller's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def upsert_insert(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT for `table` that supports `.on_conflict_do_nothing/update` on this backend."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database backend {connection.dialect.name!r}")


def lock_key(connection: sa.Connection, key: str) -> None:
    """Serialise units of work on `key` until the transaction ends.

    Postgres: a transaction-scoped advisory lock. SQLite: our engines begin every transaction with
    `BEGIN IMMEDIATE`, which already holds the database's single write lock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


@contextmanager
def transaction(target: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A connection inside a transaction: a new one for an engine, the caller's for a connection.

    With a connection already in a transaction, the caller commits (or rolls back).
    """
    if isinstance(target, sa.Engine):
        with target.begin() as connection:
            yield connection
    elif target.in_transaction():
        yield target
    else:
        with target.begin():
            yield target

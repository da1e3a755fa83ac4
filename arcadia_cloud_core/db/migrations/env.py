"""Alembic environment: programmatic (a connection in `config.attributes`) or the CLI.

From the command line the URL comes from `ARCADIA_DATABASE_URL` (default: the embedded SQLite file);
a bad setting prints one line and exits instead of a driver traceback.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from arcadia_cloud_core.db.engine import (
    check_connection,
    database_url_from_env,
    make_engine,
)
from arcadia_cloud_core.db.schema import metadata
from arcadia_cloud_core.errors import ConfigError

# Any constant works: it only has to be the same for every process migrating this database.
_MIGRATION_LOCK_KEY = 0x4172636164696121


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        user_module_prefix="types.",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Serialise concurrent first-use migrations from several run processes.
            lock = sa.text("SELECT pg_advisory_xact_lock(:k)")
            connection.execute(lock, {"k": _MIGRATION_LOCK_KEY})
        context.run_migrations()


def _run_from_cli() -> None:
    try:
        engine = make_engine(database_url_from_env())
        check_connection(engine)
    except ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("error: offline (--sql) migrations are not supported; run them online")

_connection = context.config.attributes.get("connection")
if _connection is None:
    _run_from_cli()
else:
    _run(_connection)

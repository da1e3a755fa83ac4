"""Engines per database URL, first-use migrations, and clear errors for bad settings.

`open_database()` is the one entry point: it validates `ARCADIA_DATABASE_URL`, checks that the
server answers, brings the schema to the newest migration (idempotently, once per process and
URL) and returns a SQLAlchemy engine. Every failure a human can fix is a `ConfigError` with one
line naming the setting and what to do.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL, Engine

from arcadia_cloud_core.db.schema import APP_TABLES
from arcadia_cloud_core.errors import ConfigError

log = logging.getLogger(__name__)

DATABASE_URL_SETTING = "ARCADIA_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE_NAME = "arcadia.db"
_SUPPORTED = "sqlite:///path/to/arcadia.db or postgresql+psycopg://user@host:5432/dbname"

_ready: dict[str, Engine] = {}
_ready_lock = threading.Lock()
# Alembic keeps its migration context in module globals: one migration per process at a time.
_migrate_lock = threading.Lock()


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    """The embedded default: a SQLite file under the Dagster home (or ./.dagster_home)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("DAGSTER_HOME") or ".dagster_home").expanduser().resolve()
    return f"sqlite:///{home / SQLITE_FILE_NAME}"


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """`ARCADIA_DATABASE_URL` when set (and not blank), else the embedded default."""
    env = os.environ if environ is None else environ
    value = (env.get(DATABASE_URL_SETTING) or "").strip()
    return value or default_database_url(env)


def parse_database_url(url: str, *, setting: str = DATABASE_URL_SETTING) -> URL:
    """Parse and normalise a database URL, or raise a `ConfigError` naming `setting`."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise ConfigError(
            f"{setting} is not a database URL ({type(exc).__name__}); expected {_SUPPORTED}"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        elif parsed.drivername != "postgresql+psycopg":
            raise ConfigError(
                f"{setting} uses driver {parsed.drivername!r}; "
                "use postgresql+psycopg:// (psycopg 3)"
            )
        if not parsed.database:
            raise ConfigError(f"{setting} names no database; expected {_SUPPORTED}")
        return parsed
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(
                f"{setting} must name a SQLite file (an in-memory database is not shared "
                f"between Dagster run processes); expected {_SUPPORTED}"
            )
        return parsed
    raise ConfigError(f"{setting} uses unsupported database {backend!r}; expected {_SUPPORTED}")


def describe_url(url: URL | str) -> str:
    """A URL safe to print: the password is masked."""
    parsed = sa.make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str, *, setting: str = DATABASE_URL_SETTING) -> Engine:
    """An engine for `url` with our per-backend settings (no connection is made yet)."""
    parsed = parse_database_url(url, setting=setting)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": 30}, **_JSON_CODEC)
        _make_sqlite_transactional(engine)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5, **_JSON_CODEC)


def _dump_json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _load_json(value: Any) -> Any:
    # SQLite's NUMERIC affinity hands back a bare JSON number as int/float, already decoded.
    return orjson.loads(value) if isinstance(value, str | bytes) else value


#: orjson for JSON/JSONB columns: inventory and cost tables move tens of thousands of documents.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _dump_json, "json_deserializer": _load_json}


def _make_sqlite_transactional(engine: Engine) -> None:
    """Real transactions on SQLite (DDL included), foreign keys on, WAL, and writer-safe BEGIN."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # IMMEDIATE takes the write lock up front, so a read-then-write unit of work cannot fail
        # half-way with "database is locked" when another process writes concurrently.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def check_connection(engine: Engine, *, setting: str = DATABASE_URL_SETTING) -> None:
    """Connect once; an unreachable server becomes a one-line `ConfigError`."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc) else ""
        raise ConfigError(
            f"cannot connect to the database named by {setting} ({describe_url(engine.url)}): "
            f"{reason}. Start the server or fix {setting}."
        ) from None


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config for our migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent; serialised across processes on Postgres)."""
    with _migrate_lock, engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade_schema(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    with _migrate_lock, engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def require_tables(engine: Engine, *, setting: str = DATABASE_URL_SETTING) -> None:
    """Raise a `ConfigError` naming the first application table that is missing."""
    present = set(sa.inspect(engine).get_table_names())
    missing = [name for name in APP_TABLES if name not in present]
    if missing:
        raise ConfigError(
            f"table {missing[0]!r} is missing from the database named by {setting} "
            f"({describe_url(engine.url)}); run `alembic upgrade head` from the repo root"
        )


def open_database(url: str | None = None, *, setting: str = DATABASE_URL_SETTING) -> Engine:
    """The ready-to-use engine for `url` (default: from the environment), migrated on first use."""
    resolved = url or database_url_from_env()
    key = str(parse_database_url(resolved, setting=setting))
    with _ready_lock:
        engine = _ready.get(key)
        if engine is None:
            engine = make_engine(resolved, setting=setting)
            check_connection(engine, setting=setting)
            try:
                upgrade_schema(engine)
            except sa.exc.OperationalError as exc:
                raise ConfigError(
                    f"could not migrate the database named by {setting} "
                    f"({describe_url(engine.url)}): {str(exc.orig or exc).strip().splitlines()[0]}"
                ) from None
            require_tables(engine, setting=setting)
            _ready[key] = engine
            log.info("database ready: %s", describe_url(engine.url))
        return engine


def forget_engines() -> None:
    """Dispose every cached engine (tests, and processes that fork)."""
    with _ready_lock:
        for engine in _ready.values():
            engine.dispose()
        _ready.clear()

"""Shared fixtures: a fresh Postgres database per test session, SQLite per test, repo paths.

Postgres is real (127.0.0.1:5432 here, or `ARCADIA_TEST_POSTGRES_URL`). When it cannot be reached
and `CI` is set, the session fails with a clear error instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.engine import forget_engines, open_database
from arcadia_cloud_core.db.schema import metadata

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> sa.URL:
    """The server tests create their databases on (`ARCADIA_TEST_POSTGRES_URL` overrides)."""
    url = sa.make_url(os.environ.get("ARCADIA_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


class PostgresServer:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self, admin_url: sa.URL) -> None:
        self.admin_url = admin_url
        self._admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._created: list[str] = []

    def create_database(self, prefix: str = "arcadia_test") -> sa.URL:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self.admin_url.set(database=name)

    def drop_all(self) -> None:
        """Drop every database this server object created."""
        with self._admin.connect() as connection:
            for name in self._created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The real Postgres server; a clear failure (never a skip) in CI when it is down."""
    admin_url = postgres_admin_url()
    try:
        probe = sa.create_engine(admin_url)
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        message = (
            f"Postgres is not reachable at {admin_url.render_as_string(hide_password=True)} "
            f"({reason}); start it or set ARCADIA_TEST_POSTGRES_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = PostgresServer(admin_url)
    yield server
    forget_engines()
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database for this test session (dropped afterwards)."""
    return postgres_server.create_database().render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_engine(postgres_url: str) -> Engine:
    """The session's Postgres database, migrated."""
    return open_database(postgres_url)


def truncate_app_tables(engine: Engine) -> None:
    """Empty every application table (keeps the schema)."""
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    """A fresh, migrated SQLite database file for one test."""
    return open_database(f"sqlite:///{tmp_path / 'arcadia.db'}")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """The same test on both engines, each starting with empty tables."""
    if request.param == "sqlite":
        return open_database(f"sqlite:///{tmp_path / 'arcadia.db'}")
    pg: Engine = request.getfixturevalue("pg_engine")
    truncate_app_tables(pg)
    return pg

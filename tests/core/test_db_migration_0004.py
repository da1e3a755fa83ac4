"""Migration 0004 (daily cost lines) down to 0003 and up again, on SQLite and real Postgres."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from arcadia_cloud_core.db.engine import downgrade_schema, make_engine, upgrade_schema
from tests.conftest import PostgresServer

DAILY_TABLES = {"cloud_daily_cost_days", "cloud_daily_cost_lines"}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_0004_adds_and_drops_only_the_daily_tables(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm4.db'}")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        engine = make_engine(server.create_database("arcadia_m4").render_as_string(False))
    upgrade_schema(engine, "0003")
    before = set(sa.inspect(engine).get_table_names())
    assert not DAILY_TABLES & before
    upgrade_schema(engine)
    assert set(sa.inspect(engine).get_table_names()) == before | DAILY_TABLES
    downgrade_schema(engine, "0003")
    assert set(sa.inspect(engine).get_table_names()) == before
    with engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == "0003"
    upgrade_schema(engine)
    assert set(sa.inspect(engine).get_table_names()) >= DAILY_TABLES
    engine.dispose()

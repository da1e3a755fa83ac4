"""The application schema and its migrations, on SQLite and on real Postgres."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db import schema as s
from arcadia_cloud_core.db.engine import (
    downgrade_schema,
    make_engine,
    open_database,
    require_tables,
    upgrade_schema,
)
from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.inventory.model import NormalizedResource
from tests.conftest import REPO, PostgresServer

NOW = datetime(2026, 4, 30, 12, 0, tzinfo=UTC)


def _schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, s.metadata))


def _table_names(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _add_resource(connection: sa.Connection, provider_id: str = "1001") -> int:
    row = {
        "provider": "digitalocean",
        "provider_id": provider_id,
        "kind": "droplet",
        "name": "web-1",
        "attrs": {"size": {"slug": "s-1vcpu-1gb"}, "tags": ["a", "b"]},
        "first_seen_at": NOW,
        "last_seen_at": NOW,
    }
    return connection.execute(
        s.cloud_resources.insert().returning(s.cloud_resources.c.id), row
    ).scalar_one()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_downgrade_upgrade_and_models_match(
    backend: str, tmp_path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'cycle.db'}")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        engine = make_engine(server.create_database("arcadia_cycle").render_as_string(False))

    upgrade_schema(engine)
    assert set(s.APP_TABLES) <= _table_names(engine)
    assert _schema_diff(engine) == [], "models and migrations disagree"

    downgrade_schema(engine)
    assert _table_names(engine) - {"alembic_version"} == set()

    upgrade_schema(engine)
    upgrade_schema(engine)  # idempotent
    assert _schema_diff(engine) == []
    engine.dispose()


def test_timestamps_are_aware_utc_and_naive_is_refused(engine: Engine) -> None:
    plus_two = datetime(2026, 4, 30, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as connection:
        rid = _add_resource(connection)
        connection.execute(
            s.cloud_resources.update().where(s.cloud_resources.c.id == rid),
            {"last_seen_at": plus_two},
        )
    with engine.connect() as connection:
        seen = connection.execute(
            sa.select(s.cloud_resources.c.last_seen_at).where(s.cloud_resources.c.id == rid)
        ).scalar_one()
    assert seen == NOW and seen.tzinfo is not None and seen.utcoffset() == timedelta(0)

    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(
            s.cloud_resources.update().where(s.cloud_resources.c.id == rid),
            {"last_seen_at": datetime(2026, 1, 1)},
        )


def test_json_attrs_round_trip(engine: Engine) -> None:
    with engine.begin() as connection:
        rid = _add_resource(connection)
    with engine.connect() as connection:
        attrs = connection.execute(
            sa.select(s.cloud_resources.c.attrs).where(s.cloud_resources.c.id == rid)
        ).scalar_one()
    assert attrs == {"size": {"slug": "s-1vcpu-1gb"}, "tags": ["a", "b"]}


def test_resource_identity_is_unique(engine: Engine) -> None:
    with engine.begin() as connection:
        _add_resource(connection, "42")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        _add_resource(connection, "42")
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(s.cloud_resources))
        assert count.scalar_one() == 1


def test_one_open_drift_per_resource_field(engine: Engine) -> None:
    with engine.begin() as connection:
        rid = _add_resource(connection)
        drift = {"resource_id": rid, "field": "size", "expected": "a", "actual": "b"}
        connection.execute(s.cloud_drift.insert(), {**drift, "detected_at": NOW})
        # Closed rows are history: any number may coexist with the open one.
        for status in ("accepted", "stale", "reverted"):
            connection.execute(
                s.cloud_drift.insert(), {**drift, "status": status, "detected_at": NOW}
            )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(s.cloud_drift.insert(), {**drift, "detected_at": NOW})


def test_check_constraints_reject_unknown_values(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            s.cloud_invoices.insert(),
            {
                "invoice_uuid": "x",
                "invoice_period": "2026-01",
                "amount_cents": 1,
                "ingest_status": "teapot",
                "created_at": NOW,
                "updated_at": NOW,
            },
        )


def test_unknown_resource_kind_is_refused_before_the_database() -> None:
    """The kind vocabulary lives in code since 0003: the chokepoint's row type refuses it."""
    with pytest.raises(ValueError, match="unknown resource kind 'teapot'"):
        NormalizedResource(kind="teapot", provider_id="x", name=None)


def test_0003_lets_a_new_kind_in_and_its_downgrade_restores_the_check(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kinds.db'}")
    row = {"provider_id": "x", "kind": "app", "first_seen_at": NOW, "last_seen_at": NOW}
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(s.cloud_resources.insert(), row)
        connection.execute(s.cloud_resources.delete())
    downgrade_schema(engine, "0002")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(s.cloud_resources.insert(), row)
    engine.dispose()


def test_money_columns_are_integer_cents() -> None:
    money = [c for t in s.metadata.tables.values() for c in t.columns if c.name.endswith("_cents")]
    assert len(money) >= 5
    assert all(isinstance(c.type, sa.BigInteger) for c in money)


def test_postgres_uses_jsonb(pg_engine: Engine) -> None:
    with pg_engine.connect() as connection:
        types = dict(
            connection.execute(
                sa.text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'cloud_resources'"
                )
            ).all()
        )
    assert types["attrs"] == "jsonb"
    assert types["last_seen_at"] == "timestamp with time zone"


def test_concurrent_first_use_migrates_once(postgres_server: PostgresServer) -> None:
    """Four run processes opening a fresh database at once: one migrates, all succeed."""
    url = postgres_server.create_database("arcadia_race").render_as_string(False)
    code = "import sys; from arcadia_cloud_core.db import open_database; open_database(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [
        (proc.wait(timeout=120), proc.stderr.read() if proc.stderr else "") for proc in procs
    ]
    assert [rc for rc, _ in results] == [0, 0, 0, 0], [err for _, err in results]
    engine = make_engine(url)
    assert _schema_diff(engine) == []
    with engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar_one()
    assert versions == 1
    engine.dispose()


def test_bad_settings_give_one_clear_line(tmp_path) -> None:
    with pytest.raises(ConfigError, match="ARCADIA_DATABASE_URL is not a database URL"):
        open_database("not a url")
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        open_database("mysql://root@127.0.0.1/test")
    with pytest.raises(ConfigError, match=r"cannot connect .* ARCADIA_DATABASE_URL") as caught:
        open_database("postgresql://postgres:hunter2@127.0.0.1:1/nowhere")
    assert "hunter2" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_table_is_named(tmp_path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE cloud_drift")
    with pytest.raises(ConfigError, match="table 'cloud_drift' is missing"):
        require_tables(engine)


def _alembic(env_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=REPO,
        env={"ARCADIA_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_alembic_cli_honours_the_setting(tmp_path, postgres_server: PostgresServer) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _alembic(sqlite_url).returncode == 0
    assert set(s.APP_TABLES) <= _table_names(make_engine(sqlite_url))

    pg_url = postgres_server.create_database("arcadia_cli").render_as_string(False)
    result = _alembic(pg_url)
    assert result.returncode == 0, result.stderr
    assert set(s.APP_TABLES) <= _table_names(make_engine(pg_url))


def test_alembic_cli_bad_url_is_one_line() -> None:
    result = _alembic("postgresql://postgres@127.0.0.1:1/nowhere")
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert lines[-1].startswith("error: cannot connect")
    assert "Traceback" not in result.stderr

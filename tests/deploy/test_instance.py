"""The Dagster instance: the production deploy/dagster.yaml on real Postgres, the repo root's
generated copy, and the one `make dev` writes (SQLite, or production on Postgres; pools created)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import PoolGranularity
from dagster._core.run_coordinator import QueuedRunCoordinator

from tests.conftest import REPO, PostgresServer


def _load_script(name: str):
    """A module of scripts/ (their own directory is on their path, as when run)."""
    if str(REPO / "scripts") not in sys.path:
        sys.path.insert(0, str(REPO / "scripts"))
    path = REPO / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"arcadia_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_dev_script():
    return _load_script("dev")


@dg.asset
def _probe() -> int:
    return 1


def test_production_instance_on_postgres(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.create_database("arcadia_dagster").set(drivername="postgresql")
    monkeypatch.setenv("ARCADIA_DAGSTER_PG_URL", url.render_as_string(hide_password=False))
    shutil.copy(REPO / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.run_coordinator.dequeue_interval_seconds == 1  # ~1 s runs: poll often
        assert instance.run_monitoring_enabled
        # Pools limit runs, not steps: a run waits for its pools QUEUED (cancellable at once), and
        # a dead run stops counting against them when it is marked failed (issue 17).
        pool_config = instance.get_concurrency_config().pool_config
        assert pool_config.pool_granularity is PoolGranularity.RUN
        assert pool_config.default_pool_limit == 2
        assert "free_slots_after_run_end_seconds" not in instance.run_monitoring_settings
        assert not instance.telemetry_enabled
        assert instance.freshness_enabled  # the UI marks stale assets
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert {
            "key": "arcadia/saga_target",
            "value": {"applyLimitPerUniqueValue": True},
            "limit": 1,
        } in limits

        result = dg.materialize([_probe], instance=instance)
        assert result.success
        # The run really lives in Postgres: a second instance on the same config sees it.
        with dg.DagsterInstance.from_config(str(tmp_path)) as other:
            assert other.get_run_by_id(result.run_id) is not None


def test_embedded_instance_is_sqlite_under_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARCADIA_DAGSTER_PG_URL", raising=False)
    written = _load_dev_script().write_instance_config(tmp_path)
    config = yaml.safe_load(written.read_text())
    production = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    assert config["storage"] == {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    # Everything but storage is the production config: one source of truth.
    assert {k: v for k, v in config.items() if k != "storage"} == {
        k: v for k, v in production.items() if k != "storage"
    }
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert dg.materialize([_probe], instance=instance).success
    assert (tmp_path / "storage").is_dir()


def test_embedded_instance_is_production_when_postgres_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCADIA_DAGSTER_PG_URL", "postgresql://dagster@db.invalid:5432/dagster")
    written = _load_dev_script().write_instance_config(tmp_path)
    production = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    assert yaml.safe_load(written.read_text()) == production
    storage = {"postgres": {"postgres_url": {"env": "ARCADIA_DAGSTER_PG_URL"}}}
    assert production["storage"] == storage


def test_root_instance_is_production_minus_storage() -> None:
    """The repo root's dagster.yaml is generated from deploy/dagster.yaml and up to date."""
    generator = _load_script("instance_config")
    root = (REPO / "dagster.yaml").read_text()
    assert root == generator.render_root(), "run: python scripts/instance_config.py"
    assert generator.main(["--check"]) == 0
    production = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    assert "storage" not in yaml.safe_load(root)
    assert yaml.safe_load(root) == {k: v for k, v in production.items() if k != "storage"}


def test_make_dev_creates_each_pool_with_the_default_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh instance gets every DO pool at the default limit; an operator's limit is kept."""
    monkeypatch.delenv("ARCADIA_DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    dev = _load_dev_script()
    dev.write_instance_config(tmp_path)
    pools = ("do_api_sync", "do_api_billing", "do_api_provisioning")
    assert dev.set_pool_limits() == list(pools)
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert {pool: storage.get_concurrency_info(pool).slot_count for pool in pools} == {
            pool: 2 for pool in pools
        }
        storage.set_concurrency_slots("do_api_sync", 1)  # `dagster instance concurrency set`
    assert dev.set_pool_limits() == []
    with dg.DagsterInstance.get() as instance:
        assert instance.event_log_storage.get_concurrency_info("do_api_sync").slot_count == 1

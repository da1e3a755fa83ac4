"""The Dagster instance: the production dagster.yaml on real Postgres, and the embedded one."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import PoolGranularity
from dagster._core.run_coordinator import QueuedRunCoordinator

from tests.conftest import REPO, PostgresServer


def _load_dev_script():
    spec = importlib.util.spec_from_file_location("arcadia_dev", REPO / "scripts" / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

"""`inventory/spaces_buckets`: listed through the simulator's S3 API with the key pair, skipped
(not failed) without one, and the secret never in an event or log."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.inventory.assets import project_resources, projects, spaces_buckets
from arcadia_cloud_core.db.schema import cloud_resources
from arcadia_cloud_core.resources import SpacesResource, spaces_resource
from arcadia_cloud_sim.launcher import SimulatorHandle
from arcadia_cloud_sim.settings import SimSettings
from tests.assets.conftest import resources_for


def _run(
    engine: Engine, sim: SimulatorHandle, spaces: SpacesResource | None = None
) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    resources = resources_for(engine, sim)
    if spaces is not None:
        resources["spaces"] = spaces
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [projects, spaces_buckets, project_resources],
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        logs = [str(e.user_message) for e in instance.all_logs(result.run_id)]
    return result, logs


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [event] = result.asset_materializations_for_node("inventory__spaces_buckets")
    return {k: v.value for k, v in event.metadata.items()}


def _buckets(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    r = cloud_resources
    query = sa.select(r.c.name, r.c.region, r.c.tenant_id).where(
        r.c.kind == "spaces_bucket", r.c.deleted_at.is_(None)
    )
    with engine.connect() as connection:
        return {name: (region, tenant) for name, region, tenant in connection.execute(query)}


def test_buckets_are_listed_with_the_key_pair_and_attributed(
    sqlite_engine: Engine, sim: SimulatorHandle
) -> None:
    result, logs = _run(sqlite_engine, sim)
    assert result.success
    metadata = _metadata(result)
    assert (metadata["skipped"], metadata["discovered"], metadata["requests"]) == (False, 6, 6)
    assert _buckets(sqlite_engine)["globex-raw"] == ("ams3", "globex")
    secret = SimSettings().spaces_secret
    assert not any(secret in str(event) for event in result.all_events)
    assert not any(secret in line for line in logs)


def test_the_key_pair_comes_from_the_environment_through_envvar(
    sqlite_engine: Engine, sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = SimSettings()
    monkeypatch.setenv("ARCADIA_SPACES_KEY", settings.spaces_key)
    monkeypatch.setenv("ARCADIA_SPACES_SECRET", settings.spaces_secret)
    monkeypatch.setenv("ARCADIA_SPACES_REGIONS", "nyc3,ams3")
    monkeypatch.setenv("ARCADIA_SPACES_ENDPOINT", sim.base_url + "/s3/{region}")
    resource = spaces_resource()
    assert isinstance(resource.access_key_id, dg.EnvVar)  # resolved only when a run starts
    result, _ = _run(sqlite_engine, sim, resource)
    assert result.success
    metadata = _metadata(result)
    assert (metadata["discovered"], metadata["requests"]) == (6, 2)
    assert metadata["regions"] == ["nyc3", "ams3"]


def test_without_keys_the_asset_is_skipped_and_urns_keep_the_placeholders(
    sqlite_engine: Engine, sim: SimulatorHandle
) -> None:
    result, logs = _run(sqlite_engine, sim, SpacesResource())
    assert result.success
    assert _metadata(result)["skipped"] is True
    assert any(
        "spaces_buckets skipped: set ARCADIA_SPACES_KEY and ARCADIA_SPACES_SECRET" in line
        for line in logs
    )
    buckets = _buckets(sqlite_engine)
    assert len(buckets) == 6 and buckets["acme-assets"] == (None, "acme")  # placeholders

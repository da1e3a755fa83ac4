"""Spaces buckets through the simulator's S3 API (boto3) into SQLite and Postgres: the listing
takes over the URN placeholders without a false deletion, three strikes delete, bad or missing
keys write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.digitalocean.spaces import DEFAULT_SPACES_REGIONS, SpacesAuthError
from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.resources import SpacesResource
from arcadia_cloud_sim.billing.scenarios import DEFAULT_SPACES_BUCKETS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.assets.conftest import spaces_for
from tests.core.saga.steps.world import client

REGIONS = {bucket: region for bucket, region, _, _ in DEFAULT_SPACES_BUCKETS}
TENANTS = {
    "acme-assets": "acme",
    "acme-backups": "acme",
    "globex-raw": "globex",
    "globex-curated": "globex",
    "platform-artifacts": "platform",
    "platform-logs": "platform",
}


@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with client(sim, purpose="sync", max_attempts=1) as do_client:
        yield do_client


def buckets(engine: Engine) -> dict[str, dict[str, Any]]:
    r = resources_t
    query = sa.select(
        r.c.id, r.c.provider_id, r.c.region, r.c.status, r.c.tenant_id, r.c.attrs, r.c.deleted_at
    ).where(r.c.kind == "spaces_bucket")
    with engine.connect() as connection:
        return {row.provider_id: dict(row._mapping) for row in connection.execute(query)}


def event_types(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(events_t.c.type)
                .join(resources_t, resources_t.c.id == events_t.c.resource_id)
                .where(resources_t.c.kind == "spaces_bucket")
            ).scalars()
        )


def test_buckets_listed_per_region_land_typed_and_a_resync_writes_nothing(
    engine: Engine, sim: SimulatorHandle
) -> None:
    spaces = spaces_for(sim)
    report = sync.sync_spaces_buckets(engine, spaces.list_buckets)
    assert report.requests == len(DEFAULT_SPACES_REGIONS)  # one ListBuckets per region
    assert (report.result.seen, report.result.discovered) == (6, 6)
    rows = buckets(engine)
    assert {name: row["region"] for name, row in rows.items()} == REGIONS
    row = rows["globex-raw"]
    assert row["status"] == "active"
    assert row["attrs"]["discovered_via"] == "spaces_api"
    assert row["attrs"]["urn"] == "do:space:globex-raw"
    assert row["attrs"]["created_at"].endswith("+00:00")

    again = sync.sync_spaces_buckets(engine, spaces.list_buckets)
    assert (again.result.unchanged, again.result.rows_written) == (6, 0)


def test_placeholders_converge_into_the_real_rows_with_no_false_deletion(
    engine: Engine, sim: SimulatorHandle, do: DOClient
) -> None:
    sync.sync_projects_from_do(engine, do)
    sync.sync_project_resources(engine, do)  # no key pair yet: placeholders from URNs
    before = buckets(engine)
    assert {n: r["tenant_id"] for n, r in before.items()} == TENANTS
    assert all(r["region"] is None for r in before.values())

    report = sync.sync_spaces_buckets(engine, spaces_for(sim).list_buckets)
    assert (report.result.discovered, report.result.updated, report.result.deleted) == (0, 6, 0)
    after = buckets(engine)
    assert {n: r["id"] for n, r in after.items()} == {n: r["id"] for n, r in before.items()}
    assert {n: r["tenant_id"] for n, r in after.items()} == TENANTS  # attribution kept
    assert {n: r["region"] for n, r in after.items()} == REGIONS

    # attribution no longer writes placeholders over the listed rows, nor strikes them
    for _ in range(3):
        result, _, _ = sync.sync_project_resources(engine, do)
        placeholders = result.placeholders["spaces_bucket"]
        assert (placeholders.seen, placeholders.struck, placeholders.rows_written) == (0, 0, 0)
    assert buckets(engine) == after
    assert "deleted" not in event_types(engine)
    assert sorted(set(event_types(engine))) == ["discovered", "tagged", "updated"]


def test_a_placeholder_no_listed_region_answers_for_is_never_struck(
    engine: Engine, sim: SimulatorHandle, do: DOClient
) -> None:
    sync.sync_projects_from_do(engine, do)
    sync.sync_project_resources(engine, do)
    nyc3_only = spaces_for(sim, regions="nyc3")
    for _ in range(3):
        report = sync.sync_spaces_buckets(engine, nyc3_only.list_buckets)
        assert (report.result.struck, report.result.deleted) == (0, 0)
        sync.sync_project_resources(engine, do)
    rows = buckets(engine)
    assert all(r["deleted_at"] is None for r in rows.values())
    assert {n for n, r in rows.items() if r["region"] == "nyc3"} == {"acme-assets", "acme-backups"}
    assert rows["globex-raw"]["attrs"]["discovered_via"] == "project_resources"  # still a URN
    assert {n: r["tenant_id"] for n, r in rows.items()} == TENANTS
    assert "deleted" not in event_types(engine)


def test_a_bucket_gone_from_s3_is_deleted_at_the_third_strike(
    engine: Engine, sim: SimulatorHandle, admin: SimAdmin
) -> None:
    spaces = spaces_for(sim)
    sync.sync_spaces_buckets(engine, spaces.list_buckets)
    admin.delete_resource("spaces_bucket", "acme-backups")
    try:
        struck = [sync.sync_spaces_buckets(engine, spaces.list_buckets).result for _ in range(3)]
    finally:
        admin.restore_resource("spaces_bucket", "acme-backups")
    assert [(r.struck, r.deleted) for r in struck] == [(1, 0), (1, 0), (0, 1)]
    assert buckets(engine)["acme-backups"]["deleted_at"] is not None
    assert sync.sync_spaces_buckets(engine, spaces.list_buckets).result.restored == 1


@pytest.mark.parametrize(
    "override", [{"access_key_id": "DO00UNKNOWN"}, {"secret_access_key": "wrong-secret"}]
)
def test_bad_keys_raise_a_typed_error_and_write_nothing(
    engine: Engine, sim: SimulatorHandle, override: dict[str, str]
) -> None:
    sync.sync_spaces_buckets(engine, spaces_for(sim).list_buckets)
    admin_view = buckets(engine)
    with pytest.raises(SpacesAuthError) as caught:
        sync.sync_spaces_buckets(engine, spaces_for(sim, **override).list_buckets)
    assert caught.value.status == 403 and caught.value.region == "nyc3"
    assert "wrong-secret" not in str(caught.value)  # no secret in the message
    assert buckets(engine) == admin_view


def test_missing_keys_are_unconfigured_not_a_listing(sim: SimulatorHandle) -> None:
    for spaces in (SpacesResource(), spaces_for(sim, secret_access_key=None)):
        assert not spaces.configured
        with pytest.raises(ConfigError, match="ARCADIA_SPACES_KEY and ARCADIA_SPACES_SECRET"):
            spaces.list_buckets()
    assert spaces_for(sim, regions=" nyc3, ams3,nyc3 ,").region_list() == ["nyc3", "ams3"]

"""The sync functions against the real simulator: list → normalise → chokepoint, and the figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient, DOServerError
from arcadia_cloud_core.inventory import NormalizedResource, sync, upsert_resources
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.core.saga.steps.world import client

#: What the default scenario holds (see the README's simulator section).
SPACES_BUCKETS = 6


@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with client(sim, purpose="sync", max_attempts=1) as do_client:
        yield do_client


def _live(engine: Engine, kind: str) -> set[str]:
    r = resources_t
    query = sa.select(r.c.provider_id).where(r.c.kind == kind, r.c.deleted_at.is_(None))
    with engine.connect() as connection:
        return set(connection.execute(query).scalars())


def _sync_everything(engine: Engine, do: DOClient) -> None:
    sync.sync_projects_from_do(engine, do)
    for spec in KIND_SPECS.values():
        sync.sync_kind(engine, do, spec)
    sync.sync_droplet_backups(engine, do)


@pytest.mark.parametrize("name", KIND_SPECS)
def test_sync_kind_stores_the_listing_and_a_rerun_writes_nothing(
    sqlite_engine: Engine, do: DOClient, name: str
) -> None:
    spec = KIND_SPECS[name]
    listed = {spec.convert(item).provider_id for item in spec.list(do)}

    first = sync.sync_kind(sqlite_engine, do, spec)
    again = sync.sync_kind(sqlite_engine, do, spec)

    assert listed and _live(sqlite_engine, spec.kind) == listed
    assert (first.result.discovered, first.result.complete) == (len(listed), True)
    assert first.requests >= 1 and first.metadata()["requests"] == first.requests
    assert (again.result.discovered, again.result.rows_written) == (0, 0)
    assert again.result.unchanged == len(listed)


def test_a_failing_listing_raises_and_writes_nothing(
    sqlite_engine: Engine, do: DOClient, admin: SimAdmin
) -> None:
    admin.set_config(fault_rate=1.0, fault_kinds=["500"])
    with pytest.raises(DOServerError):
        sync.sync_kind(sqlite_engine, do, KIND_SPECS["droplets"])
    assert _live(sqlite_engine, "droplet") == set()


def test_backups_are_listed_per_droplet_with_backups_on(
    sqlite_engine: Engine, do: DOClient
) -> None:
    sync.sync_kind(sqlite_engine, do, KIND_SPECS["droplets"])
    with_backups = sync.live_droplets_with_backups(sqlite_engine)
    expected = {
        backup.id for droplet, _ in with_backups for backup in do.list_droplet_backups(droplet)
    }
    # a droplet DO no longer knows (404 on its backups) is passed over, not an error
    gone = NormalizedResource(
        kind="droplet", provider_id="999999", name="gone", attrs={"features": ["backups"]}
    )
    upsert_resources(sqlite_engine, kind="droplet", resources=[gone], complete=False)

    report = sync.sync_droplet_backups(sqlite_engine, do)

    assert with_backups and expected
    assert _live(sqlite_engine, "droplet_backup") == expected
    assert report.result.discovered == len(expected)
    assert report.requests == len(with_backups) + 1  # one listing per droplet, the gone one too


def test_project_resources_attribute_and_add_the_urn_only_kinds(
    sqlite_engine: Engine, do: DOClient
) -> None:
    _sync_everything(sqlite_engine, do)

    result, requests, malformed = sync.sync_project_resources(sqlite_engine, do)

    assert malformed == []
    assert requests >= 1 + len(do.list_projects().items)
    assert result.attributed > 0 and result.unresolved == 0
    assert result.placeholders["spaces_bucket"].discovered == SPACES_BUCKETS
    assert len(_live(sqlite_engine, "spaces_bucket")) == SPACES_BUCKETS
    again, _, _ = sync.sync_project_resources(sqlite_engine, do)
    assert (again.attributed, again.rows_written) == (0, 0)


def test_preview_shows_a_few_live_rows_by_name(sqlite_engine: Engine, do: DOClient) -> None:
    sync.sync_kind(sqlite_engine, do, KIND_SPECS["droplets"])
    rows = sync.preview(sqlite_engine, "droplet", limit=3)
    assert len(rows) == 3
    assert [row["name"] for row in rows] == sorted(row["name"] for row in rows)
    assert set(rows[0]) == {"name", "region", "status", "tenant"}

"""Tombstoning a resource a saga removed: one `deleted` event, idempotent, in the caller's unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_provisioned
from arcadia_cloud_core.drift import forget_provisioned, record_provisioned
from arcadia_cloud_core.inventory import mark_deleted, resource_id_of, upsert_resources
from tests.core.inventory.test_upsert import T0, droplet, event_types, rows, sync

LATER = datetime(2026, 5, 1, 13, 0, tzinfo=UTC)


def spec_count(engine: Engine) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(cloud_provisioned)
        return connection.execute(query).scalar_one()


def test_mark_deleted_tombstones_once_and_a_listing_restores_it(engine: Engine) -> None:
    sync(engine, [droplet("7")])
    payload = {"source": "destroy_droplet", "saga_id": "s-1"}

    assert mark_deleted(engine, kind="droplet", provider_id="7", payload=payload, now=LATER)
    assert not mark_deleted(engine, kind="droplet", provider_id="7", payload=payload, now=LATER)
    assert not mark_deleted(engine, kind="droplet", provider_id="404", payload=payload)

    assert rows(engine)["7"].deleted_at == LATER
    assert event_types(engine, "7") == ["discovered", "deleted"]
    upsert_resources(engine, kind="droplet", resources=[droplet("7")], complete=False, now=LATER)
    assert rows(engine)["7"].deleted_at is None
    assert event_types(engine, "7") == ["discovered", "deleted", "restored"]


def test_tombstone_and_forgetting_the_spec_roll_back_together(engine: Engine) -> None:
    sync(engine, [droplet("8")])
    resource_id = resource_id_of(engine, kind="droplet", provider_id="8")
    assert resource_id is not None
    record_provisioned(engine, resource_id=resource_id, spec={"size_slug": "s-1"}, saga_id="s")

    with pytest.raises(RuntimeError), engine.begin() as connection:
        assert mark_deleted(connection, kind="droplet", provider_id="8", payload={}, now=T0)
        assert forget_provisioned(connection, kind="droplet", provider_id="8")
        raise RuntimeError("crash before commit")

    assert rows(engine)["8"].deleted_at is None
    assert event_types(engine, "8") == ["discovered"]
    assert spec_count(engine) == 1

    with engine.begin() as connection:
        assert mark_deleted(connection, kind="droplet", provider_id="8", payload={}, now=T0)
        assert forget_provisioned(connection, kind="droplet", provider_id="8")
    assert not forget_provisioned(engine, kind="droplet", provider_id="8")
    assert rows(engine)["8"].deleted_at == T0
    assert spec_count(engine) == 0


def test_mark_deleted_refuses_a_naive_timestamp(engine: Engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mark_deleted(engine, kind="droplet", provider_id="1", payload={}, now=datetime(2026, 1, 1))

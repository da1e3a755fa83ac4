"""The upsert chokepoint on SQLite and Postgres: events, no-op re-syncs, three strikes, restores."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_resource_events as ev
from arcadia_cloud_core.db.schema import cloud_resources as res
from arcadia_cloud_core.inventory import NormalizedResource, upsert_resources

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def droplet(
    pid: str, *, name: str | None = None, size: str = "s-1vcpu-1gb", status: str = "active"
):
    return NormalizedResource(
        kind="droplet",
        provider_id=pid,
        name=name or f"web-{pid}",
        region="nyc3",
        status=status,
        attrs={"size_slug": size, "tags": ("a", "b")},
    )


def rows(engine: Engine) -> dict[str, sa.Row]:
    with engine.connect() as connection:
        return {r.provider_id: r for r in connection.execute(sa.select(res))}


def event_types(engine: Engine, pid: str) -> list[str]:
    with engine.connect() as connection:
        query = (
            sa.select(ev.c.type)
            .join(res, res.c.id == ev.c.resource_id)
            .where(res.c.provider_id == pid)
            .order_by(ev.c.id)
        )
        return list(connection.execute(query).scalars())


def count(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def sync(engine: Engine, batch, *, complete: bool = True, now=T0, **kw):
    return upsert_resources(
        engine, kind="droplet", resources=batch, complete=complete, now=now, **kw
    )


def test_first_sync_discovers_each_resource_once(engine: Engine) -> None:
    result = sync(engine, [droplet("1"), droplet("2")])
    assert (result.discovered, result.rows_written, result.events_written) == (2, 2, 2)
    stored = rows(engine)
    assert stored["1"].attrs == {"size_slug": "s-1vcpu-1gb", "tags": ["a", "b"]}
    assert stored["1"].first_seen_at == T0 and stored["1"].deleted_at is None
    assert event_types(engine, "1") == ["discovered"]


def test_resync_without_change_writes_nothing(engine: Engine) -> None:
    sync(engine, [droplet("1"), droplet("2")])
    before_events = count(engine, ev)
    result = sync(engine, [droplet("2"), droplet("1")], now=T0 + timedelta(minutes=1))
    assert (result.unchanged, result.rows_written, result.events_written) == (2, 0, 0)
    assert count(engine, ev) == before_events
    assert rows(engine)["1"].last_seen_at == T0


def test_last_seen_refreshes_once_per_touch_interval(engine: Engine) -> None:
    sync(engine, [droplet("1")])
    later = T0 + timedelta(minutes=15)
    result = sync(engine, [droplet("1")], now=later)
    assert (result.rows_written, result.events_written) == (1, 0)
    assert rows(engine)["1"].last_seen_at == later


def test_meaningful_change_is_one_updated_event_with_before_after(engine: Engine) -> None:
    sync(engine, [droplet("1")])
    result = sync(engine, [droplet("1", size="s-2vcpu-4gb", status="off")], now=T0 + timedelta(1))
    assert (result.updated, result.rows_written, result.events_written) == (1, 1, 1)
    with engine.connect() as connection:
        payload = connection.execute(
            sa.select(ev.c.payload).where(ev.c.type == "updated")
        ).scalar_one()
    assert payload == {
        "changes": {
            "status": {"before": "active", "after": "off"},
            "attrs.size_slug": {"before": "s-1vcpu-1gb", "after": "s-2vcpu-4gb"},
        }
    }
    assert rows(engine)["1"].status == "off"


def test_three_complete_misses_delete_and_a_return_restores(engine: Engine) -> None:
    sync(engine, [droplet("1"), droplet("2")])
    for strike in (1, 2):
        result = sync(engine, [droplet("1")], now=T0 + timedelta(hours=strike))
        assert (result.struck, result.deleted) == (1, 0)
        assert rows(engine)["2"].stale_strike_count == strike
        assert rows(engine)["2"].deleted_at is None
    result = sync(engine, [droplet("1")], now=T0 + timedelta(hours=3))
    assert result.deleted == 1
    assert rows(engine)["2"].deleted_at == T0 + timedelta(hours=3)
    assert event_types(engine, "2") == ["discovered", "deleted"]

    # Further misses do nothing to a tombstone.
    result = sync(engine, [droplet("1")], now=T0 + timedelta(hours=3, minutes=1))
    assert (result.struck, result.deleted, result.rows_written, result.events_written) == (0,) * 4

    result = sync(engine, [droplet("1"), droplet("2")], now=T0 + timedelta(hours=4))
    assert result.restored == 1
    back = rows(engine)["2"]
    assert back.deleted_at is None and back.stale_strike_count == 0
    assert event_types(engine, "2") == ["discovered", "deleted", "restored"]


def test_a_seen_resource_resets_its_strikes(engine: Engine) -> None:
    sync(engine, [droplet("1"), droplet("2")])
    sync(engine, [droplet("1")], now=T0 + timedelta(minutes=1))
    sync(engine, [droplet("1")], now=T0 + timedelta(minutes=2))
    result = sync(engine, [droplet("1"), droplet("2")], now=T0 + timedelta(minutes=3))
    assert rows(engine)["2"].stale_strike_count == 0
    assert result.rows_written == 1 and result.events_written == 0
    for minute in (4, 5):
        sync(engine, [droplet("1")], now=T0 + timedelta(minutes=minute))
    assert rows(engine)["2"].deleted_at is None  # only two consecutive misses since the reset


@pytest.mark.parametrize("mode", ["incomplete", "skipped"])
def test_incomplete_listings_and_skipped_items_never_strike(engine: Engine, mode: str) -> None:
    sync(engine, [droplet("1"), droplet("2")])
    for hour in range(1, 6):
        if mode == "incomplete":
            result = sync(engine, [droplet("1")], complete=False, now=T0 + timedelta(hours=hour))
        else:
            result = sync(engine, [droplet("1")], skipped_ids={"2"}, now=T0 + timedelta(hours=hour))
        assert result.struck == result.deleted == 0
    assert rows(engine)["2"].stale_strike_count == 0
    assert rows(engine)["2"].deleted_at is None


def test_one_call_takes_one_kind(engine: Engine) -> None:
    volume = NormalizedResource(kind="volume", provider_id="v1", name="data")
    with pytest.raises(ValueError, match="one chokepoint call takes one kind"):
        sync(engine, [droplet("1"), volume])
    assert count(engine, res) == 0


def test_naive_now_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="aware"):
        sync(engine, [droplet("1")], now=datetime(2026, 1, 1))


def test_concurrent_syncs_of_one_kind_make_no_duplicates(engine: Engine) -> None:
    batch = [droplet(str(i)) for i in range(300)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sync(engine, batch)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(engine, res) == 300
    with engine.connect() as connection:
        discovered = connection.execute(
            sa.select(sa.func.count()).select_from(ev).where(ev.c.type == "discovered")
        ).scalar_one()
    assert discovered == 300  # each exactly once: none lost, none doubled

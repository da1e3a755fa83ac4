"""A drift's life through repeated sweeps (SQLite and Postgres): open, refreshed, stale, deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.drift import detect_all, list_open_drifts, record_provisioned

from .helpers import (
    T0,
    add_resource,
    drift_rows,
    droplet_attrs,
    events,
    open_pairs,
    table_counts,
    update_resource,
)

SPEC = {
    "size": "s-1vcpu-1gb",
    "image": "ubuntu-24-04-x64",
    "region": "nyc3",
    "tags": ["team:web", "env:prod"],
}


def _provisioned_droplet(engine: Engine, *, spec: dict | None = None, **attrs: object) -> int:
    resource_id = add_resource(engine, attrs=droplet_attrs(**attrs))  # type: ignore[arg-type]
    record_provisioned(engine, resource_id=resource_id, spec=spec or SPEC, saga_id="saga-1")
    return resource_id


def test_repeated_sweeps_keep_one_open_row_and_write_nothing(engine: Engine) -> None:
    drifted = _provisioned_droplet(engine, size="s-2vcpu-2gb", tags=["env:dev"])
    _provisioned_droplet(engine)

    first = detect_all(engine, now=T0)
    assert (first.new, first.open, first.closed_stale) == (2, 2, 0)
    assert first.rows_written == 4  # two drift rows, two events
    assert set(open_pairs(engine)) == {(drifted, "size"), (drifted, "tags")}
    before = table_counts(engine)

    for minutes in (1, 2, 3):
        again = detect_all(engine, now=T0 + timedelta(minutes=minutes))
        assert (again.new, again.updated, again.closed_stale, again.rows_written) == (0, 0, 0, 0)
        assert again.open == 2
        assert [d.since for d in again.open_drifts] == [T0, T0]
    assert table_counts(engine) == before
    assert list_open_drifts(engine) == again.open_drifts
    assert [r["field"] for r in again.inbox_records()] == ["size", "tags"]
    assert again.inbox_records()[0]["since"] == T0.isoformat()


def test_a_drift_detected_event_per_new_drift(engine: Engine) -> None:
    resource_id = _provisioned_droplet(engine, size="s-2vcpu-2gb")
    detect_all(engine, now=T0)
    detect_all(engine, now=T0 + timedelta(minutes=1))

    [event] = events(engine, type="drift_detected")
    [row] = drift_rows(engine)
    assert event["resource_id"] == resource_id
    assert event["occurred_at"] == T0
    assert event["payload"] == {
        "drift_id": row["id"],
        "field": "size",
        "expected": "s-1vcpu-1gb",
        "actual": "s-2vcpu-2gb",
    }


def test_a_moving_live_value_refreshes_the_open_row(engine: Engine) -> None:
    resource_id = _provisioned_droplet(engine, size="s-2vcpu-2gb")
    detect_all(engine, now=T0)
    update_resource(engine, resource_id, attrs=droplet_attrs(size="s-4vcpu-8gb"))

    result = detect_all(engine, now=T0 + timedelta(minutes=5))

    assert (result.new, result.updated, result.rows_written) == (0, 1, 2)
    [row] = drift_rows(engine)
    assert (row["status"], row["actual"], row["detected_at"]) == ("open", "s-4vcpu-8gb", T0)
    assert [e["payload"]["actual"] for e in events(engine, type="drift_detected")] == [
        "s-2vcpu-2gb",
        "s-4vcpu-8gb",
    ]


def test_a_field_that_matches_again_closes_stale_and_history_stays(engine: Engine) -> None:
    resource_id = _provisioned_droplet(engine, size="s-2vcpu-2gb")
    detect_all(engine, now=T0)

    update_resource(engine, resource_id, attrs=droplet_attrs())  # back to the spec
    healed = detect_all(engine, now=T0 + timedelta(minutes=1))
    assert (healed.closed_stale, healed.open, healed.rows_written) == (1, 0, 1)

    update_resource(engine, resource_id, attrs=droplet_attrs(size="s-8vcpu-16gb"))
    again = detect_all(engine, now=T0 + timedelta(minutes=2))
    assert (again.new, again.open) == (1, 1)

    rows = drift_rows(engine)
    assert [(r["status"], r["actual"]) for r in rows] == [
        ("stale", "s-2vcpu-2gb"),
        ("open", "s-8vcpu-16gb"),
    ]
    assert rows[0]["resolved_at"] == T0 + timedelta(minutes=1)
    assert rows[1]["resolved_at"] is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [({**SPEC, "status": "active"}, "active"), (SPEC, "present")],
)
def test_a_resource_deleted_live_drifts_once_on_status(
    engine: Engine, spec: dict, expected: str
) -> None:
    resource_id = _provisioned_droplet(engine, spec=spec, size="s-2vcpu-2gb", tags=["x"])
    detect_all(engine, now=T0)
    assert set(open_pairs(engine)) == {(resource_id, "size"), (resource_id, "tags")}

    update_resource(engine, resource_id, deleted_at=T0 + timedelta(minutes=1), attrs={})
    deleted = detect_all(engine, now=T0 + timedelta(minutes=2))

    assert (deleted.new, deleted.closed_stale, deleted.open) == (1, 2, 1)
    [(key, row)] = open_pairs(engine).items()
    assert key == (resource_id, "status")
    assert (row["expected"], row["actual"]) == (expected, "deleted")
    assert detect_all(engine, now=T0 + timedelta(minutes=3)).rows_written == 0

    update_resource(engine, resource_id, deleted_at=None, attrs=droplet_attrs())
    restored = detect_all(engine, now=T0 + timedelta(minutes=4))
    assert (restored.closed_stale, restored.open) == (1, 0)


def test_a_field_dropped_from_the_spec_closes_its_drift(engine: Engine) -> None:
    resource_id = _provisioned_droplet(engine, size="s-2vcpu-2gb")
    detect_all(engine, now=T0)
    spec = {k: v for k, v in SPEC.items() if k != "size"}
    record_provisioned(engine, resource_id=resource_id, spec=spec, saga_id="saga-2")

    result = detect_all(engine, now=T0 + timedelta(minutes=1))

    assert (result.closed_stale, result.open) == (1, 0)
    assert [r["status"] for r in drift_rows(engine)] == ["stale"]


def test_unprovisioned_resources_never_drift(engine: Engine) -> None:
    add_resource(engine, attrs=droplet_attrs(size="s-2vcpu-2gb"))
    add_resource(engine, attrs=droplet_attrs(), deleted_at=T0)
    result = detect_all(engine, now=T0)
    assert (result.provisioned, result.open, result.rows_written) == (0, 0, 0)


def test_a_naive_timestamp_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="naive"):
        detect_all(engine, now=datetime(2026, 5, 1, 12, 0))

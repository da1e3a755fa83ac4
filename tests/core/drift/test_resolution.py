"""Accepting a drift (the live value becomes desired state) and recording a revert."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.drift import (
    DriftAlreadyClosed,
    DriftNotFound,
    accept_drift,
    close_drift_reverted,
    detect_all,
    record_provisioned,
)

from .helpers import (
    T0,
    add_resource,
    drift_rows,
    droplet_attrs,
    events,
    provisioned,
    table_counts,
    update_resource,
)

SPEC = {"size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "status": "active"}
T1 = T0 + timedelta(minutes=10)


def _drifted(engine: Engine, **attrs: object) -> int:
    resource_id = add_resource(engine, attrs=droplet_attrs(**attrs))  # type: ignore[arg-type]
    record_provisioned(engine, resource_id=resource_id, spec=SPEC, saga_id="saga-1")
    detect_all(engine, now=T0)
    return resource_id


def test_accept_makes_the_live_value_desired(engine: Engine) -> None:
    resource_id = _drifted(engine, size="s-2vcpu-2gb", image_slug="debian-12-x64")
    size_drift, image_drift = sorted(drift_rows(engine), key=lambda r: r["field"], reverse=True)

    accepted = accept_drift(engine, drift_id=size_drift["id"], now=T1)
    assert (accepted.status, accepted.value, accepted.spec_version) == (
        "accepted",
        "s-2vcpu-2gb",
        2,
    )
    by_pair = accept_drift(engine, resource_id=resource_id, field="image", now=T1)
    assert (by_pair.drift_id, by_pair.value, by_pair.spec_version) == (
        image_drift["id"],
        "debian-12-x64",  # the image object's slug: the spec's representation
        3,
    )

    row = provisioned(engine, resource_id)
    assert row["spec"] == {**SPEC, "size": "s-2vcpu-2gb", "image": "debian-12-x64"}
    assert (row["spec_version"], row["updated_at"], row["saga_id"]) == (3, T1, "saga-1")
    rows = {r["field"]: r for r in drift_rows(engine)}
    assert {f: (r["status"], r["resolved_at"]) for f, r in rows.items()} == {
        "size": ("accepted", T1),
        "image": ("accepted", T1),
    }
    assert rows["size"]["actual"] == "s-2vcpu-2gb"  # the detected values stay as history
    accept_events = [e["payload"] for e in events(engine, type="updated")]
    assert accept_events == [
        {
            "source": "drift_accept",
            "drift_id": size_drift["id"],
            "field": "size",
            "before": "s-1vcpu-1gb",
            "after": "s-2vcpu-2gb",
            "spec_version": 2,
        },
        {
            "source": "drift_accept",
            "drift_id": image_drift["id"],
            "field": "image",
            "before": "ubuntu-24-04-x64",
            "after": "debian-12-x64",
            "spec_version": 3,
        },
    ]
    after = detect_all(engine, now=T1 + timedelta(minutes=1))
    assert (after.open, after.rows_written) == (0, 0)


def test_accept_keeps_history_when_the_field_drifts_again(engine: Engine) -> None:
    resource_id = _drifted(engine, size="s-2vcpu-2gb")
    [first] = drift_rows(engine)
    accept_drift(engine, drift_id=first["id"], now=T1)
    update_resource(engine, resource_id, attrs=droplet_attrs(size="s-4vcpu-8gb"))

    detect_all(engine, now=T1 + timedelta(minutes=1))

    assert [(r["status"], r["expected"], r["actual"]) for r in drift_rows(engine)] == [
        ("accepted", "s-1vcpu-1gb", "s-2vcpu-2gb"),
        ("open", "s-2vcpu-2gb", "s-4vcpu-8gb"),
    ]


def test_accepting_a_deletion_stops_the_status_drift(engine: Engine) -> None:
    resource_id = _drifted(engine)
    update_resource(engine, resource_id, deleted_at=T0 + timedelta(minutes=1))
    detect_all(engine, now=T0 + timedelta(minutes=2))
    [status_drift] = [r for r in drift_rows(engine) if r["status"] == "open"]
    assert (status_drift["field"], status_drift["actual"]) == ("status", "deleted")

    accept_drift(engine, drift_id=status_drift["id"], now=T1)

    assert provisioned(engine, resource_id)["spec"]["status"] == "deleted"
    assert detect_all(engine, now=T1 + timedelta(minutes=1)).open == 0


def _snapshot(engine: Engine, resource_id: int) -> tuple[object, ...]:
    return (table_counts(engine), drift_rows(engine), provisioned(engine, resource_id))


def test_accepting_an_unknown_drift_changes_nothing(engine: Engine) -> None:
    resource_id = _drifted(engine, size="s-2vcpu-2gb")
    before = _snapshot(engine, resource_id)

    with pytest.raises(DriftNotFound, match="drift 999999 does not exist") as raised:
        accept_drift(engine, drift_id=999999, now=T1)
    assert raised.value.drift_id == 999999
    with pytest.raises(DriftNotFound, match=rf"resource {resource_id} has no drift on field 'x'"):
        accept_drift(engine, resource_id=resource_id, field="x", now=T1)
    with pytest.raises(DriftNotFound):
        close_drift_reverted(engine, drift_id=999999, now=T1)

    assert _snapshot(engine, resource_id) == before


def test_accepting_a_closed_drift_changes_nothing(engine: Engine) -> None:
    resource_id = _drifted(engine, size="s-2vcpu-2gb", image_slug="debian-12-x64")
    size_drift, image_drift = sorted(drift_rows(engine), key=lambda r: r["field"], reverse=True)
    accept_drift(engine, drift_id=size_drift["id"], now=T1)
    close_drift_reverted(engine, drift_id=image_drift["id"], now=T1)
    before = _snapshot(engine, resource_id)

    with pytest.raises(
        DriftAlreadyClosed, match=rf"drift {size_drift['id']} .*'accepted'"
    ) as raised:
        accept_drift(engine, drift_id=size_drift["id"], now=T1)
    assert (raised.value.drift_id, raised.value.status) == (size_drift["id"], "accepted")
    with pytest.raises(DriftAlreadyClosed, match=rf"drift {image_drift['id']} .*'reverted'"):
        accept_drift(engine, resource_id=resource_id, field="image", now=T1)
    with pytest.raises(DriftAlreadyClosed):
        close_drift_reverted(engine, drift_id=size_drift["id"], now=T1)

    assert _snapshot(engine, resource_id) == before


def test_revert_closes_without_touching_the_spec(engine: Engine) -> None:
    resource_id = _drifted(engine, size="s-2vcpu-2gb")
    [drift] = drift_rows(engine)

    reverted = close_drift_reverted(engine, drift_id=drift["id"], now=T1)

    assert (reverted.status, reverted.value, reverted.spec_version) == (
        "reverted",
        "s-1vcpu-1gb",
        1,
    )
    [row] = drift_rows(engine)
    assert (row["status"], row["resolved_at"]) == ("reverted", T1)
    assert provisioned(engine, resource_id)["spec"] == SPEC
    [event] = events(engine, type="updated")
    assert event["payload"] == {
        "source": "drift_revert",
        "drift_id": drift["id"],
        "field": "size",
        "before": "s-2vcpu-2gb",
        "after": "s-1vcpu-1gb",
    }


@pytest.mark.parametrize(
    "target",
    [{}, {"resource_id": 1}, {"field": "size"}, {"drift_id": 1, "field": "size"}],
)
def test_a_drift_is_named_by_id_or_by_resource_and_field(target: dict[str, object]) -> None:
    never_connected = sa.create_engine("sqlite://")
    with pytest.raises(TypeError, match="drift_id, or by resource_id and field"):
        accept_drift(never_connected, **target)  # type: ignore[arg-type]

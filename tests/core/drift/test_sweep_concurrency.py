"""Two sweeps at once still leave one open row per (resource, field) and one event per drift."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_drift
from arcadia_cloud_core.drift import DriftSweepResult, detect_all, record_provisioned

from .helpers import T0, add_resource, droplet_attrs, events, open_pairs

RESOURCES = 60


def _fleet(engine: Engine) -> set[tuple[int, str]]:
    """RESOURCES droplets, every third one drifted on `size`; returns the drifted pairs."""
    drifted = set()
    with engine.begin() as connection:
        for index in range(RESOURCES):
            size = "s-2vcpu-2gb" if index % 3 == 0 else "s-1vcpu-1gb"
            resource_id = add_resource(
                connection, name=f"web-{index}", attrs=droplet_attrs(size=size)
            )
            spec = {"size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
            record_provisioned(connection, resource_id=resource_id, spec=spec, saga_id="s")
            if index % 3 == 0:
                drifted.add((resource_id, "size"))
    return drifted


def _open_row_counts(engine: Engine) -> list[int]:
    query = (
        sa.select(sa.func.count())
        .select_from(cloud_drift)
        .where(cloud_drift.c.status == "open")
        .group_by(cloud_drift.c.resource_id, cloud_drift.c.field)
    )
    with engine.connect() as connection:
        return [int(n) for n in connection.execute(query).scalars()]


def test_two_sweeps_started_together(engine: Engine) -> None:
    drifted = _fleet(engine)
    barrier = threading.Barrier(2)
    results: list[DriftSweepResult] = []
    errors: list[BaseException] = []

    def sweep(offset: int) -> None:
        try:
            for round_ in range(3):
                barrier.wait(timeout=30)
                results.append(
                    detect_all(engine, now=T0 + timedelta(minutes=round_, seconds=offset))
                )
        except BaseException as exc:  # surfaced below, on the test thread
            errors.append(exc)

    threads = [threading.Thread(target=sweep, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == 6
    assert set(open_pairs(engine)) == drifted
    assert _open_row_counts(engine) == [1] * len(drifted)
    assert sum(result.new for result in results) == len(drifted)
    assert len(events(engine, type="drift_detected")) == len(drifted)


def test_a_sweep_racing_an_uncommitted_sweep_skips_its_rows(engine: Engine) -> None:
    """B reads before A commits, so both try to insert the same rows: ON CONFLICT settles it."""
    drifted = _fleet(engine)
    outcome: dict[str, object] = {}

    def sweep_b() -> None:
        try:
            outcome["result"] = detect_all(engine, now=T0 + timedelta(seconds=1))
        except BaseException as exc:
            outcome["error"] = exc

    with engine.connect() as connection, connection.begin() as transaction:
        result_a = detect_all(connection, now=T0)  # runs in our still-open transaction
        racer = threading.Thread(target=sweep_b)
        racer.start()
        racer.join(timeout=0.5)
        assert racer.is_alive(), "sweep B should wait for sweep A's uncommitted rows"
        transaction.commit()
    racer.join(timeout=30)

    assert "error" not in outcome, outcome
    result_b = outcome["result"]
    assert isinstance(result_b, DriftSweepResult)
    assert result_a.new == len(drifted)
    assert (result_b.new, result_b.open) == (0, len(drifted))
    assert _open_row_counts(engine) == [1] * len(drifted)
    assert len(events(engine, type="drift_detected")) == len(drifted)

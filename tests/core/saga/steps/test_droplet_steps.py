"""provision_droplet and destroy_droplet against the simulator, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_provisioned, cloud_resource_events, cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.saga import SagaStatus, StepStatus
from arcadia_cloud_core.saga.steps import (
    MANAGED_TAG,
    StepServices,
    bind_services,
    destroy_droplet_saga,
    provision_droplet_saga,
    saga_tag,
)
from arcadia_cloud_core.testing.drills import FAULT_ENV
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.helpers import runner_for
from tests.core.saga.steps.world import (
    FAST_POLLING,
    droplets_tagged,
    new_saga_id,
    write_requests,
)

STEPS = provision_droplet_saga().step_names


def provision_inputs(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", **FAST_POLLING, **extra}


@pytest.fixture
def bound(engine: Engine, do: DOClient) -> Iterator[StepServices]:
    """Services on both databases."""
    with bind_services(StepServices(engine=engine, do_client=do)) as services:
        yield services


def _row(engine: Engine, droplet_id: str) -> sa.Row[Any] | None:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(cloud_resources).where(
                cloud_resources.c.kind == "droplet", cloud_resources.c.provider_id == droplet_id
            )
        ).first()


def _spec(engine: Engine, resource_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        spec = connection.execute(
            sa.select(cloud_provisioned.c.spec).where(
                cloud_provisioned.c.resource_id == resource_id
            )
        ).scalar_one_or_none()
    return dict(spec) if spec is not None else None


def _events(engine: Engine, resource_id: int) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(cloud_resource_events.c.type)
                .where(cloud_resource_events.c.resource_id == resource_id)
                .order_by(cloud_resource_events.c.id)
            ).scalars()
        )


def test_provision_creates_waits_and_registers(
    bound: StepServices, engine: Engine, admin: SimAdmin
) -> None:
    saga_id = new_saga_id()
    outcome = runner_for(engine, provision_droplet_saga()).run(
        saga_id, inputs=provision_inputs("prov-ok", tags=["team:web"])
    )

    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    (droplet,) = droplets_tagged(admin, saga_tag(saga_id))
    assert droplet["status"] == "active" and droplet["name"] == "prov-ok"
    assert set(droplet["tags"]) == {saga_tag(saga_id), MANAGED_TAG, "team:web"}
    context = outcome.context
    assert context["droplet"]["id"] == str(droplet["id"]) and not context["droplet"]["adopted"]
    public = [n["ip_address"] for n in droplet["networks"]["v4"] if n["type"] == "public"]
    assert context["droplet_active"]["public_ipv4"] == public[0]
    row = _row(engine, str(droplet["id"]))
    assert row is not None and row.deleted_at is None and row.status == "active"
    assert row.attrs["size"] == "s-1vcpu-1gb" and row.attrs["public_ipv4"] == public[0]
    assert context["inventory"]["resource_id"] == row.id
    assert _spec(engine, row.id) == {
        "size": "s-1vcpu-1gb",
        "region": "nyc3",
        "image": "ubuntu-24-04-x64",
    }
    assert _events(engine, row.id) == ["discovered"]


def test_reentry_adopts_the_droplet_an_earlier_attempt_created(
    bound: StepServices, engine: Engine, admin: SimAdmin, do: DOClient
) -> None:
    saga_id = new_saga_id()
    # As if an earlier attempt POSTed and died before the journal heard of it.
    earlier = do.create_droplet(
        name="prov-adopt",
        region="nyc3",
        size="s-1vcpu-1gb",
        image="ubuntu-24-04-x64",
        tags=[saga_tag(saga_id), MANAGED_TAG],
    )

    outcome = runner_for(engine, provision_droplet_saga()).run(
        saga_id, inputs=provision_inputs("prov-adopt")
    )

    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    assert [d["id"] for d in droplets_tagged(admin, saga_tag(saga_id))] == [
        int(earlier.resource.id)
    ]
    assert outcome.context["droplet"] == {
        **outcome.context["droplet"],
        "id": earlier.resource.id,
        "adopted": True,
    }


#: Every step can fail before its action; the writing steps also right after it.
FAILURE_POINTS = [(step, "before_action") for step in STEPS] + [
    ("create_droplet", "after_action"),
    ("register_droplet", "after_action"),
]


@pytest.mark.parametrize(("failing", "point"), FAILURE_POINTS)
def test_a_failure_at_any_step_rolls_back_everything_before_it(
    services: StepServices,
    admin: SimAdmin,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
    point: str,
) -> None:
    monkeypatch.setenv(FAULT_ENV, f"{failing}:{point}")
    saga_id = new_saga_id()
    runner = runner_for(services.engine, provision_droplet_saga())

    outcome = runner.run(saga_id, inputs=provision_inputs(f"prov-fail-{STEPS.index(failing)}"))

    assert outcome.status is SagaStatus.ROLLED_BACK, outcome.error
    assert f"injected fault at {failing}:{point}" in (outcome.error or "")
    assert droplets_tagged(admin, saga_tag(saga_id)) == []
    ran = STEPS[: STEPS.index(failing) + 1]
    rows = runner.journal.steps(saga_id)
    assert [(r.step_name, r.status) for r in rows] == [(n, StepStatus.COMPENSATED) for n in ran]
    record = runner.journal.get(saga_id)
    assert [e["step"] for e in record.compensation_log] == list(reversed(ran))
    droplet = outcome.context.get("droplet") or {}
    if droplet.get("id"):
        row = _row(services.engine, droplet["id"])
        if row is not None:  # registered, then undone: tombstoned, no desired spec left
            assert row.deleted_at is not None
            assert _spec(services.engine, row.id) is None
            assert _events(services.engine, row.id) == ["discovered", "deleted"]


def test_a_droplet_that_never_becomes_active_times_out_and_is_destroyed(
    services: StepServices, admin: SimAdmin
) -> None:
    admin.set_config(droplet_active_lag=60)
    saga_id = new_saga_id()
    inputs = provision_inputs("prov-slow", wait_timeout_seconds=1, poll_interval_seconds=0.1)

    outcome = runner_for(services.engine, provision_droplet_saga()).run(saga_id, inputs=inputs)

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "StepTimeoutError" in (outcome.error or "") and "active" in (outcome.error or "")
    assert droplets_tagged(admin, saga_tag(saga_id)) == []


def test_a_failed_compensation_is_recorded_and_the_others_still_run(
    services: StepServices, admin: SimAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "register_droplet:after_action,register_droplet:in_compensation")
    saga_id = new_saga_id()
    runner = runner_for(services.engine, provision_droplet_saga())

    outcome = runner.run(saga_id, inputs=provision_inputs("prov-compfail"))

    assert outcome.status is SagaStatus.COMPENSATION_FAILED
    assert "compensation failed: register_droplet" in (outcome.error or "")
    log = [(e["step"], e["result"]) for e in runner.journal.get(saga_id).compensation_log]
    assert log == [
        ("register_droplet", "compensation_failed"),
        ("wait_droplet_active", "no_compensation"),
        ("create_droplet", "compensated"),
    ]
    assert droplets_tagged(admin, saga_tag(saga_id)) == []  # the droplet is gone anyway


def test_invalid_inputs_fail_before_any_do_call(services: StepServices, admin: SimAdmin) -> None:
    admin.reset_stats()
    saga_id = new_saga_id()
    outcome = runner_for(services.engine, provision_droplet_saga()).run(
        saga_id, inputs=provision_inputs("ok-name", region="mars-1")
    )

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "region: unknown DigitalOcean region slug 'mars-1'" in (outcome.error or "")
    assert write_requests(admin) == []  # only the undo looked for droplets with the saga tag
    assert set(admin.stats()["by_path"]) == {"GET /v2/droplets"}


def _provision(services: StepServices, name: str) -> str:
    outcome = runner_for(services.engine, provision_droplet_saga()).run(
        new_saga_id(), inputs=provision_inputs(name)
    )
    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    return str(outcome.context["droplet"]["id"])


def test_destroy_deletes_a_managed_droplet_and_tombstones_it(
    bound: StepServices, engine: Engine, admin: SimAdmin
) -> None:
    droplet_id = _provision(bound, "to-destroy")
    runner = runner_for(engine, destroy_droplet_saga())

    outcome = runner.run(new_saga_id(), inputs={"droplet_id": int(droplet_id), **FAST_POLLING})

    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    assert int(droplet_id) not in {b["id"] for b in admin.resources("droplet")}
    assert outcome.context["destroyed"]["inventory_marked_deleted"] is True
    row = _row(engine, droplet_id)
    assert row is not None and row.deleted_at is not None
    assert _events(engine, row.id) == ["discovered", "deleted"]
    assert _spec(engine, row.id) is None  # destroyed on purpose: no desired state left
    # Destroying it again finds it gone and changes nothing.
    again = runner.run(new_saga_id(), inputs={"droplet_id": int(droplet_id), **FAST_POLLING})
    assert again.status is SagaStatus.COMPLETED
    assert again.context["destroyed"] == {
        "droplet_id": droplet_id,
        "name": None,
        "was_present": False,
        "inventory_marked_deleted": False,
    }


def test_destroy_refuses_an_unmanaged_droplet_unless_forced(
    services: StepServices, admin: SimAdmin
) -> None:
    seeded = next(b for b in admin.resources("droplet") if b["name"] == "platform-ci-1")
    droplet_id = seeded["body"]["id"]
    runner = runner_for(services.engine, destroy_droplet_saga())

    refused = runner.run(new_saga_id(), inputs={"droplet_id": droplet_id, **FAST_POLLING})

    assert refused.status is SagaStatus.ROLLED_BACK
    assert f"no '{MANAGED_TAG}' tag" in (refused.error or "") and "force" in (refused.error or "")
    assert droplet_id in {b["id"] for b in bodies(admin)}
    log = runner.journal.get(refused.saga_id).compensation_log
    assert [(e["step"], e["result"]) for e in log] == [("destroy_droplet", "no_compensation")]

    forced = runner.run(
        new_saga_id(), inputs={"droplet_id": droplet_id, "force": True, **FAST_POLLING}
    )
    assert forced.status is SagaStatus.COMPLETED, forced.error
    assert droplet_id not in {b["id"] for b in bodies(admin)}


def bodies(admin: SimAdmin) -> list[dict[str, Any]]:
    return [row["body"] for row in admin.resources("droplet")]

"""revert_drift: a droplet resized behind our back goes back to its spec; the drift closes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_drift, cloud_resource_events
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.drift import detect_all
from arcadia_cloud_core.inventory import normalize, upsert_resources
from arcadia_cloud_core.saga import SagaStatus
from arcadia_cloud_core.saga.steps import (
    StepServices,
    bind_services,
    provision_droplet_saga,
    revert_drift_saga,
)
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.helpers import runner_for
from tests.core.saga.steps.world import FAST_POLLING, new_saga_id


@pytest.fixture
def bound(engine: Engine, do: DOClient) -> Iterator[StepServices]:
    with bind_services(StepServices(engine=engine, do_client=do)) as services:
        yield services


def drifted_droplet(
    services: StepServices, admin: SimAdmin, do: DOClient, *, name: str, disk: bool = False
) -> tuple[str, int]:
    """A provisioned s-1vcpu-1gb droplet resized to s-1vcpu-2gb behind our back, synced and
    swept: returns (droplet id, open drift id)."""
    outcome = runner_for(services.engine, provision_droplet_saga()).run(
        new_saga_id(), inputs={"name": name, "size": "s-1vcpu-1gb", **FAST_POLLING}
    )
    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    droplet_id = str(outcome.context["droplet"]["id"])
    response = admin.client.post(
        f"/_sim/droplets/{droplet_id}/resize", json={"size": "s-1vcpu-2gb", "disk": disk}
    )
    response.raise_for_status()
    upsert_resources(
        services.engine,
        kind="droplet",
        resources=[normalize.droplet(do.get_droplet(droplet_id))],
        complete=False,
    )
    sweep = detect_all(services.engine)
    (drift,) = [d for d in sweep.open_drifts if d.resource_name == name]
    assert (drift.field, drift.expected, drift.actual) == ("size", "s-1vcpu-1gb", "s-1vcpu-2gb")
    return droplet_id, drift.drift_id


def test_revert_resizes_back_powers_on_and_closes_the_drift(
    bound: StepServices, engine: Engine, admin: SimAdmin, do: DOClient
) -> None:
    droplet_id, drift_id = drifted_droplet(bound, admin, do, name="drifty")
    runner = runner_for(engine, revert_drift_saga())

    outcome = runner.run(new_saga_id(), inputs={"droplet_id": int(droplet_id), **FAST_POLLING})

    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    live = do.get_droplet(droplet_id)
    assert (live.size_slug, live.status) == ("s-1vcpu-1gb", "active")
    actions = [a.type for a in do.list_droplet_actions(droplet_id)]
    assert actions[-3:] == ["power_off", "resize", "power_on"]
    with engine.connect() as connection:
        status = connection.execute(
            sa.select(cloud_drift.c.status).where(cloud_drift.c.id == drift_id)
        ).scalar_one()
        payloads = connection.execute(
            sa.select(cloud_resource_events.c.payload).where(
                cloud_resource_events.c.resource_id == outcome.context["drift"]["resource_id"]
            )
        ).scalars()
        sources = [p.get("source") for p in payloads]
    assert status == "reverted" and "drift_revert" in sources
    assert outcome.context["drift_closed"] == {"drift_id": drift_id, "status": "reverted"}
    assert detect_all(engine).open_drifts == ()  # the inventory was refreshed too


def test_a_revert_that_cannot_shrink_the_disk_fails_and_powers_the_droplet_back_on(
    services: StepServices, admin: SimAdmin, do: DOClient
) -> None:
    droplet_id, drift_id = drifted_droplet(services, admin, do, name="drifty-disk", disk=True)
    runner = runner_for(services.engine, revert_drift_saga())

    outcome = runner.run(new_saga_id(), inputs={"droplet_id": int(droplet_id), **FAST_POLLING})

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "422" in (outcome.error or "") and "disk" in (outcome.error or "")
    live = do.get_droplet(droplet_id)
    assert (live.size_slug, live.status) == ("s-1vcpu-2gb", "active")  # powered back on
    with services.engine.connect() as connection:
        status = connection.execute(
            sa.select(cloud_drift.c.status).where(cloud_drift.c.id == drift_id)
        ).scalar_one()
    assert status == "open"


def test_no_open_size_drift_is_refused_before_any_write(
    services: StepServices, admin: SimAdmin
) -> None:
    outcome = runner_for(services.engine, provision_droplet_saga()).run(
        new_saga_id(), inputs={"name": "steady", **FAST_POLLING}
    )
    droplet_id = int(outcome.context["droplet"]["id"])
    admin.reset_stats()

    refused = runner_for(services.engine, revert_drift_saga()).run(
        new_saga_id(), inputs={"droplet_id": droplet_id, **FAST_POLLING}
    )

    assert refused.status is SagaStatus.ROLLED_BACK
    assert "has no open drift on 'size'" in (refused.error or "")
    assert admin.stats()["total"] == 0

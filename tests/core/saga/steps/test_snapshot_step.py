"""snapshot_droplet against the simulator: lags, re-entry after a lost POST, undo, timeouts."""

from __future__ import annotations

import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.saga import SagaRunner, SagaState, SagaStatus, StepView
from arcadia_cloud_core.saga.steps import StepServices, snapshot_droplet_saga, snapshot_name
from arcadia_cloud_core.saga.steps.snapshot import CreateDropletSnapshot
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.helpers import runner_for
from tests.core.saga.steps.world import FAST_POLLING, new_saga_id, snapshots_named, write_requests


@pytest.fixture
def droplet_id(do: DOClient) -> str:
    """A fresh active droplet to snapshot (one per test: a droplet takes one action at a time)."""
    created = do.create_droplet(
        name="snap-src", region="nyc3", size="s-1vcpu-1gb", image="ubuntu-24-04-x64"
    )
    return created.resource.id


def _runner(services: StepServices) -> SagaRunner:
    return runner_for(services.engine, snapshot_droplet_saga())


def test_snapshot_waits_for_the_action_and_the_listing(
    services: StepServices, admin: SimAdmin, droplet_id: str
) -> None:
    admin.set_config(action_lag=0.3, snapshot_list_lag=0.4)
    saga_id = new_saga_id()
    inputs = {"droplet_id": int(droplet_id), **FAST_POLLING, "poll_interval_seconds": 0.1}

    outcome = _runner(services).run(saga_id, inputs=inputs)

    assert outcome.status is SagaStatus.COMPLETED, outcome.error
    name = snapshot_name(droplet_id, saga_id)
    assert name == f"arcadia-snap-{droplet_id}-{saga_id[:8]}"
    (snapshot,) = snapshots_named(admin, name)
    assert outcome.context["snapshot"]["id"] == snapshot["id"]
    assert outcome.context["snapshot"]["action_id"] is not None
    paths = admin.stats()["by_path"]
    assert paths[f"POST /v2/droplets/{droplet_id}/actions"] == {"201": 1}


def test_reentry_after_a_lost_post_finds_the_snapshot_instead_of_making_another(
    services: StepServices, admin: SimAdmin, do: DOClient, droplet_id: str
) -> None:
    admin.set_config(action_lag=0.2, snapshot_list_lag=0.3)
    saga_id = new_saga_id()
    name = snapshot_name(droplet_id, saga_id)
    do.snapshot_droplet(droplet_id, name=name)  # the POST whose answer the journal never saw
    state = SagaState(
        saga_id=saga_id,
        kind="snapshot_droplet",
        inputs={"droplet_id": int(droplet_id), **FAST_POLLING, "snapshot_find_attempts": 40},
        context={},
        step_idx=0,
        step=StepView(status="running", attempts=1),  # a re-entry, not a first attempt
    )
    admin.reset_stats()

    result = CreateDropletSnapshot().execute(state)

    assert write_requests(admin) == []
    (snapshot,) = snapshots_named(admin, name)
    assert result.context["snapshot"]["id"] == snapshot["id"]


def test_reentry_reuses_a_listed_snapshot(
    services: StepServices, admin: SimAdmin, do: DOClient, droplet_id: str
) -> None:
    saga_id = new_saga_id()
    name = snapshot_name(droplet_id, saga_id)
    do.snapshot_droplet(droplet_id, name=name)
    admin.reset_stats()

    outcome = _runner(services).run(saga_id, inputs={"droplet_id": int(droplet_id), **FAST_POLLING})

    assert outcome.status is SagaStatus.COMPLETED
    assert write_requests(admin) == []
    assert len(snapshots_named(admin, name)) == 1


def test_undo_deletes_the_snapshot_and_a_second_undo_is_harmless(
    services: StepServices, admin: SimAdmin, droplet_id: str
) -> None:
    saga_id = new_saga_id()
    runner = _runner(services)
    outcome = runner.run(saga_id, inputs={"droplet_id": int(droplet_id), **FAST_POLLING})
    name = snapshot_name(droplet_id, saga_id)
    assert len(snapshots_named(admin, name)) == 1
    step = CreateDropletSnapshot()
    state = SagaState(
        saga_id=saga_id,
        kind="snapshot_droplet",
        inputs={"droplet_id": int(droplet_id), **FAST_POLLING},
        context=outcome.context,
        step_idx=0,
    )

    step.compensate(state)
    step.compensate(state)  # 404 counts as deleted

    assert snapshots_named(admin, name) == []


def test_undo_without_a_known_id_waits_for_an_action_in_flight(
    services: StepServices, admin: SimAdmin, do: DOClient, droplet_id: str
) -> None:
    admin.set_config(action_lag=0.3, snapshot_list_lag=0.2)
    saga_id = new_saga_id()
    name = snapshot_name(droplet_id, saga_id)
    do.snapshot_droplet(droplet_id, name=name)  # in flight when the undo starts
    state = SagaState(
        saga_id=saga_id,
        kind="snapshot_droplet",
        inputs={"droplet_id": int(droplet_id), **FAST_POLLING, "snapshot_find_attempts": 40},
        context={},
        step_idx=0,
        step=StepView(status="running", attempts=1),
    )

    CreateDropletSnapshot().compensate(state)

    assert snapshots_named(admin, name) == []


def test_an_action_that_outlasts_the_timeout_fails_and_is_undone(
    services: StepServices, admin: SimAdmin, droplet_id: str
) -> None:
    admin.set_config(action_lag=1.5)
    saga_id = new_saga_id()
    inputs = {
        "droplet_id": int(droplet_id),
        "wait_timeout_seconds": 1,
        "poll_interval_seconds": 0.1,
        "snapshot_find_attempts": 30,
    }

    outcome = _runner(services).run(saga_id, inputs=inputs)

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "still not done after 1s" in (outcome.error or "")
    step = _runner(services).journal.step(saga_id, 0)
    assert step is not None and step.output is not None and step.output["action_id"]
    assert snapshots_named(admin, snapshot_name(droplet_id, saga_id)) == []


def test_a_missing_droplet_fails_permanently(services: StepServices) -> None:
    outcome = _runner(services).run(new_saga_id(), inputs={"droplet_id": 999999999, **FAST_POLLING})
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "404" in (outcome.error or "")

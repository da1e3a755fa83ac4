"""Drift end to end: provision, resize behind our back in the simulator, sync, accept, re-sweep."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_assets.drift.assets import drift
from arcadia_cloud_assets.drift.checks import no_open_drift
from arcadia_cloud_assets.inventory.assets import ASSETS
from arcadia_cloud_core.db.schema import cloud_drift, cloud_provisioned, cloud_resources
from arcadia_cloud_core.drift import record_provisioned
from arcadia_cloud_ops.drift_jobs import accept_drift_job
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.assets.conftest import resources_for

DROPLETS = [a for a in ASSETS if a.key == dg.AssetKey(["inventory", "droplets"])]


def sweep(engine: Engine, sim: SimulatorHandle) -> dict[str, object]:
    result = dg.materialize([*DROPLETS, drift, no_open_drift], resources=resources_for(engine, sim))
    assert result.success
    [event] = result.asset_materializations_for_node("drift__drift")
    return {k: v.value for k, v in event.metadata.items()}


def test_resize_behind_our_back_then_accept(
    engine: Engine, sim: SimulatorHandle, sim_admin: SimAdmin
) -> None:
    dg.materialize(DROPLETS, resources=resources_for(engine, sim))
    with engine.begin() as connection:
        resource_id, droplet_id, size = connection.execute(
            sa.select(
                cloud_resources.c.id,
                cloud_resources.c.provider_id,
                cloud_resources.c.attrs["size"].as_string(),
            ).where(cloud_resources.c.name == "platform-ci-1")
        ).one()
        record_provisioned(
            connection,
            resource_id=resource_id,
            spec={"size": size, "region": "ams3", "image": "ubuntu-24-04-x64"},
            saga_id="saga-test",
        )
    assert sweep(engine, sim)["open"] == 0

    sim_admin.resize_droplet(int(droplet_id), "s-2vcpu-4gb")
    try:
        found = sweep(engine, sim)
        assert (found["open"], found["new"]) == (1, 1)
        [row] = found["inbox"].records
        assert (row.data["field"], row.data["expected"], row.data["actual"]) == (
            "size",
            size,
            "s-2vcpu-4gb",
        )
        assert sweep(engine, sim)["rows_written"] == 0  # still one open row, nothing rewritten

        accepted = accept_drift_job.execute_in_process(
            run_config={"ops": {"accept_drift": {"config": {"drift_id": row.data["drift_id"]}}}},
            resources=resources_for(engine, sim),
        )
        assert accepted.success
        after = sweep(engine, sim)
        assert after["open"] == 0
        with engine.connect() as connection:
            spec, version = connection.execute(
                sa.select(cloud_provisioned.c.spec, cloud_provisioned.c.spec_version)
            ).one()
            statuses = connection.execute(sa.select(cloud_drift.c.status)).scalars().all()
        assert spec["size"] == "s-2vcpu-4gb" and version == 2
        assert statuses == ["accepted"]
    finally:
        sim_admin.resize_droplet(int(droplet_id), size)


def test_accepting_nothing_or_twice_is_a_clear_failure(
    engine: Engine, sim: SimulatorHandle
) -> None:
    result = accept_drift_job.execute_in_process(
        run_config={"ops": {"accept_drift": {"config": {"drift_id": 999_999}}}},
        resources=resources_for(engine, sim),
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "999999" in failure.step_failure_data.error.message

    empty = accept_drift_job.execute_in_process(
        run_config={"ops": {"accept_drift": {"config": {}}}},
        resources=resources_for(engine, sim),
        raise_on_error=False,
    )
    assert not empty.success

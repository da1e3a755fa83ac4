"""The deployment runs itself: real simulator, dagster-webserver and dagster-daemon on Postgres.

Everything goes through Dagster's API, as an operator's script would: runs are submitted to the
queue (the daemon dequeues and launches them), results are read back from run and asset
metadata; the app database and the simulator are then checked for what really happened.
"""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa
from dagster import DagsterRunStatus

from arcadia_cloud_assets.billing.automation import MAX_RUNS_PER_TICK
from arcadia_cloud_assets.definitions import defs as assets_defs
from arcadia_cloud_core.db.schema import (
    cloud_cost_lines,
    cloud_drift,
    cloud_invoices,
    cloud_provisioned,
    cloud_resources,
    metadata,
    saga_runs,
    saga_step_results,
)
from arcadia_cloud_sim.launcher import SimAdmin
from tests.e2e.dagster_api import ASSETS, OPS, DagsterAPI
from tests.e2e.deployment import DEPLOYMENT_TOKEN, Deployment, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: The steps of `inventory_sync_job` that call DigitalOcean (the rest only read the database):
#: projects and every 15-minute kind (attribution, which calls DO too, waits for them and so
#: never runs when they fail).
DO_STEPS = {
    op.name
    for op in assets_defs.resolve_job_def("inventory_sync_job").graph.iterate_op_defs()
    if "do_sync" in op.required_resource_keys and op.name != "inventory__project_resources"
}
SAGA_TARGET_TAG = "arcadia/saga_target"
PROVISIONED_NAME = "e2e-web-1"
INGEST_SENSOR = "invoice_ingest_sensor"
#: How many of the sensor's ingest runs the test lets finish (the rest are cancelled: one run per
#: invoice is minutes of work for 137 invoices on two cores).
INGESTS_KEPT = 2
FINISHED_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


@pytest.fixture
def valid_token(deployment: Deployment) -> Deployment:
    """The deployment's DO token is one the simulator accepts."""
    deployment.set_deployment_token_valid(True)
    return deployment


@pytest.fixture
def sim_admin(valid_token: Deployment, deployment_sim_admin: SimAdmin) -> SimAdmin:
    """Admin access to the simulator behind the deployment, its token valid."""
    return deployment_sim_admin


@pytest.fixture(scope="module")
def synced(deployment: Deployment, api: DagsterAPI) -> str:
    """One successful `inventory_sync_job` run (the 15-minute schedule's job); its run id."""
    deployment.set_deployment_token_valid(True)
    run_id, status = api.run_job("inventory_sync_job", location=ASSETS)
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    return run_id


@pytest.fixture(scope="module")
def provisioned(deployment: Deployment, api: DagsterAPI, synced: str) -> str:
    """A `provision_droplet` run launched as from the Launchpad (config + target tag)."""
    deployment.set_deployment_token_valid(True)
    run_config = {
        "ops": {
            "provision_droplet__create_droplet": {
                "config": {
                    "name": PROVISIONED_NAME,
                    "region": "nyc3",
                    "size": "s-1vcpu-1gb",
                    "poll_interval_seconds": 0.25,
                    "wait_timeout_seconds": 60,
                }
            }
        }
    }
    run_id, status = api.run_job(
        "provision_droplet",
        location=OPS,
        run_config=run_config,
        tags={SAGA_TARGET_TAG: PROVISIONED_NAME},
    )
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    return run_id


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows in every app table."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in metadata.sorted_tables
        }


def saga_status(deployment: Deployment, saga_id: str) -> str | None:
    """The journal's status of a saga (None when there is no such saga)."""
    with deployment.app_engine().connect() as connection:
        return connection.execute(
            sa.select(saga_runs.c.status).where(saga_runs.c.saga_id == saga_id)
        ).scalar_one_or_none()


def test_a_rejected_token_fails_the_sync_with_one_clear_message_and_writes_nothing(
    deployment: Deployment, api: DagsterAPI
) -> None:
    deployment.set_deployment_token_valid(False)
    try:
        engine = deployment.app_engine()
        before = row_counts(engine)

        run_id, status = api.run_job("inventory_sync_job", location=ASSETS)

        assert status is DagsterRunStatus.FAILURE
        failures = api.step_failures(run_id)
        assert {f.step_key for f in failures} == DO_STEPS
        for failure in failures:
            assert failure.error_class == "ConfigError", failure
            assert "refused the 'sync' token" in failure.message
            assert "DO_API_TOKEN_SYNC or DO_API_TOKEN" in failure.message
            assert DEPLOYMENT_TOKEN not in failure.message
        # One message: the steps differ only in the endpoint that met the refusal.
        assert len({re.sub(r"\(HTTP .*?\): ", "", f.message) for f in failures}) == 1
        assert row_counts(engine) == before
        assert deployment.sim is not None
        with SimAdmin(deployment.sim) as admin:
            assert admin.stats()["by_status"].get("401", 0) >= len(DO_STEPS)
    finally:
        deployment.set_deployment_token_valid(True)


def test_schedules_and_sensors_are_on_by_default(api: DagsterAPI) -> None:
    assets = api.automation_status(ASSETS)
    for name in (
        "inventory_sync_schedule",
        "inventory_snapshots_schedule",
        "inventory_backups_schedule",
        "billing_balance_schedule",
        "billing_invoices_schedule",
        INGEST_SENSOR,
        "finance_push_retry_sensor",
    ):
        assert assets[name] == "RUNNING", assets
    ops = api.automation_status(OPS)
    assert ops["saga_recovery_sensor"] == "RUNNING", ops


def test_the_sync_reports_inventory_counts_in_asset_metadata(
    api: DagsterAPI, synced: str, sim_admin: SimAdmin
) -> None:
    materialized = api.run_materializations(synced)
    assert {"inventory/droplets", "inventory/summary", "drift/drift"} <= set(materialized)
    droplets = materialized["inventory/droplets"].metadata
    live_droplets = [d for d in sim_admin.resources("droplet") if d["deleted_at"] is None]
    # the default scenario's droplets: 5 plus the DOKS cluster's 3 nodes
    assert droplets["discovered"] == len(live_droplets) == 8
    assert len(droplets["preview"]) == 8
    assert {row["name"] for row in droplets["preview"]} == {d["name"] for d in live_droplets}
    domains = materialized["inventory/domains"].metadata
    assert domains["discovered"] == len(sim_admin.resources("domain"))


def test_the_tenant_summary_matches_the_inventory(
    api: DagsterAPI, synced: str, deployment: Deployment
) -> None:
    summary = api.run_materializations(synced)["inventory/summary"].metadata
    tenant = sa.func.coalesce(cloud_resources.c.tenant_id, "(unattributed)")
    query = (
        sa.select(tenant, cloud_resources.c.kind, sa.func.count())
        .where(cloud_resources.c.deleted_at.is_(None))
        .group_by(tenant, cloud_resources.c.kind)
    )
    with deployment.app_engine().connect() as connection:
        expected = {(t, k): n for t, k, n in connection.execute(query)}
    shown = {
        (row["tenant"], row["kind"]): row["resources"] for row in summary["by_tenant_and_kind"]
    }
    assert shown == expected
    assert summary["live_resources"] == sum(expected.values())
    assert {"acme", "globex", "platform"} <= {t for t, _ in shown}  # tenant:<id> of DO projects
    assert summary["tenants"] == len({t for t, _ in shown})


def test_the_drift_inbox_starts_empty(api: DagsterAPI, synced: str) -> None:
    drift = api.run_materializations(synced)["drift/drift"].metadata
    assert drift["open"] == 0
    assert drift["inbox"] == []


def test_a_failing_saga_demo_rolls_back(api: DagsterAPI, deployment: Deployment) -> None:
    run_config = {"ops": {"demo__echo_1": {"config": {"message": "e2e", "fail_at": "echo_2"}}}}
    run_id, status = api.run_job("saga_demo", location=OPS, run_config=run_config)

    assert status is DagsterRunStatus.FAILURE
    failures = api.step_failures(run_id)
    assert [f.step_key for f in failures] == ["demo__echo_2"]
    assert "echo_2" in failures[0].message
    with deployment.app_engine().connect() as connection:
        saga = connection.execute(
            sa.select(saga_runs.c.status, saga_runs.c.kind).where(saga_runs.c.saga_id == run_id)
        ).one()
        steps = dict(
            connection.execute(
                sa.select(saga_step_results.c.step_name, saga_step_results.c.status).where(
                    saga_step_results.c.saga_id == run_id
                )
            ).all()
        )
    assert (saga.kind, saga.status) == ("demo", "rolled_back")
    # Every step that ran is compensated in reverse (the failed one too: it may have half-acted);
    # echo_3 never ran.
    assert steps == {"echo_1": "compensated", "echo_2": "compensated"}


def test_a_saga_left_for_resume_completes_when_its_run_is_reexecuted_from_failure(
    api: DagsterAPI, deployment: Deployment
) -> None:
    config = {
        "message": "e2e resume",
        "fail_at": "echo_2",
        "fail_mode": "resumable",
        "fail_times": 1,  # the cause goes away: the next attempt of echo_2 succeeds
        "on_failure": "leave_for_resume",
    }
    first, status = api.run_job(
        "saga_demo", location=OPS, run_config={"ops": {"demo__echo_1": {"config": config}}}
    )
    assert status is DagsterRunStatus.FAILURE
    assert saga_status(deployment, first) == "failed"  # kept, not rolled back

    resumed = api.reexecute_from_failure(first)
    assert api.wait_for_run(resumed) is DagsterRunStatus.SUCCESS, api.step_failures(resumed)
    # The re-execution ran only the failed step and those after it, on the same saga.
    assert api.step_statuses(resumed) == {"demo__echo_2": "SUCCESS", "demo__echo_3": "SUCCESS"}
    with deployment.app_engine().connect() as connection:
        steps = dict(
            connection.execute(
                sa.select(saga_step_results.c.step_name, saga_step_results.c.status).where(
                    saga_step_results.c.saga_id == first
                )
            ).all()
        )
    assert saga_status(deployment, first) == "completed"
    assert steps == {"echo_1": "completed", "echo_2": "completed", "echo_3": "completed"}
    assert saga_status(deployment, resumed) is None  # no second saga


def test_provision_droplet_creates_the_droplet_at_do_and_in_the_inventory(
    provisioned: str, deployment: Deployment, sim_admin: SimAdmin
) -> None:
    at_do = sim_admin.resources("droplet", name=PROVISIONED_NAME)
    assert len(at_do) == 1
    droplet = at_do[0]
    with deployment.app_engine().connect() as connection:
        row = connection.execute(
            sa.select(cloud_resources).where(
                cloud_resources.c.kind == "droplet",
                cloud_resources.c.provider_id == str(droplet["id"]),
            )
        ).one()
        spec = connection.execute(
            sa.select(cloud_provisioned.c.spec, cloud_provisioned.c.saga_id).where(
                cloud_provisioned.c.resource_id == row.id
            )
        ).one()
        saga_status = connection.execute(
            sa.select(saga_runs.c.status).where(saga_runs.c.saga_id == provisioned)
        ).scalar_one()
    assert row.name == PROVISIONED_NAME and row.deleted_at is None
    assert spec.saga_id == provisioned
    assert spec.spec["size"] == "s-1vcpu-1gb"
    assert saga_status == "completed"


def test_drift_behind_our_back_reaches_the_inbox_and_is_accepted_from_the_launchpad(
    provisioned: str, api: DagsterAPI, deployment: Deployment, sim_admin: SimAdmin
) -> None:
    droplet = sim_admin.resources("droplet", name=PROVISIONED_NAME)[0]
    sim_admin.resize_droplet(droplet["id"], "s-2vcpu-2gb")  # someone resized it in DO's console

    run_id, status = api.run_job("inventory_sync_job", location=ASSETS)
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    drift = api.run_materializations(run_id)["drift/drift"].metadata
    assert drift["open"] == 1
    (entry,) = drift["inbox"]
    assert (entry["resource_name"], entry["field"]) == (PROVISIONED_NAME, "size")
    assert (entry["expected"], entry["actual"]) == ("s-1vcpu-1gb", "s-2vcpu-2gb")

    accept = {"ops": {"accept_drift": {"config": {"drift_id": entry["drift_id"]}}}}
    accept_run, status = api.run_job("accept_drift_job", location=OPS, run_config=accept)
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(accept_run)
    with deployment.app_engine().connect() as connection:
        closed = connection.execute(
            sa.select(cloud_drift.c.status).where(cloud_drift.c.id == entry["drift_id"])
        ).scalar_one()
        spec = connection.execute(
            sa.select(cloud_provisioned.c.spec)
            .join(cloud_drift, cloud_drift.c.resource_id == cloud_provisioned.c.resource_id)
            .where(cloud_drift.c.id == entry["drift_id"])
        ).scalar_one()
    assert closed == "accepted"
    assert spec["size"] == "s-2vcpu-2gb"


def do_invoices(deployment: Deployment) -> dict[str, int]:
    """``{invoice uuid: amount in cents}`` as DigitalOcean (the simulator) lists them."""
    assert deployment.sim is not None
    response = httpx.get(
        deployment.sim.base_url + "/v2/customers/my/invoices",
        params={"per_page": 200},
        headers={"Authorization": f"Bearer {DEPLOYMENT_TOKEN}"},
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    assert body["meta"]["total"] == len(body["invoices"]), "more than one page of invoices"
    return {item["invoice_uuid"]: int(Decimal(item["amount"]) * 100) for item in body["invoices"]}


def cancel_other_ingests(api: DagsterAPI, *, keep: set[str]) -> list[dict]:
    """Cancel every unfinished ingest run but ``keep``; returns the runs seen."""
    runs = api.runs(job="invoice_ingest_job")
    api.terminate(
        [
            r["runId"]
            for r in runs
            if r["runId"] not in keep and r["status"] not in FINISHED_STATUSES
        ]
    )
    return runs


def test_the_sensor_ingests_each_invoice_in_its_own_run_with_its_match_rate(
    api: DagsterAPI, valid_token: Deployment
) -> None:
    deployment = valid_token
    run_id, status = api.run_job("billing_invoices_job", location=ASSETS)
    assert status is DagsterRunStatus.SUCCESS, api.step_failures(run_id)
    at_do = do_invoices(deployment)
    assert api.run_materializations(run_id)["billing/invoices"].metadata["invoices"] == len(at_do)

    with deployment.app_engine().connect() as connection:
        oldest_first = list(
            connection.execute(
                sa.select(cloud_invoices.c.invoice_uuid).order_by(
                    cloud_invoices.c.invoice_period, cloud_invoices.c.invoice_uuid
                )
            ).scalars()
        )
    assert sorted(oldest_first) == sorted(at_do)

    # The daemon evaluates the sensor every 30 s; its tick queues one run per invoice, oldest
    # first. The test follows the two oldest and cancels the rest (minutes of work on 2 cores).
    def oldest_runs() -> dict[str, str] | None:
        by_partition = {
            run["tags"].get("dagster/partition"): run["runId"]
            for run in api.runs(job="invoice_ingest_job")
        }
        wanted = oldest_first[:INGESTS_KEPT]
        if not all(uuid in by_partition for uuid in wanted):
            return None
        return {by_partition[uuid]: uuid for uuid in wanted}

    kept = wait_until(oldest_runs, timeout=120, what=f"{INGEST_SENSOR}'s runs")
    assert api.stop_sensor(INGEST_SENSOR, location=ASSETS) == "STOPPED"  # no further ticks

    def kept_finished() -> bool:
        # The tick may still be queueing runs: keep cancelling all but the two we follow.
        runs = cancel_other_ingests(api, keep=set(kept))
        return all(r["status"] in FINISHED_STATUSES for r in runs if r["runId"] in kept)

    wait_until(kept_finished, timeout=150, interval=2, what="the two oldest invoices' ingests")
    for kept_run, invoice_uuid in kept.items():
        assert api.client.get_run_status(kept_run) is DagsterRunStatus.SUCCESS, api.step_failures(
            kept_run
        )
        cost_lines = api.run_materializations(kept_run)
        lines = cost_lines[f"billing/invoice_cost_lines[{invoice_uuid}]"].metadata
        assert f"billing/finance_push[{invoice_uuid}]" in cost_lines
        with deployment.app_engine().connect() as connection:
            invoice = connection.execute(
                sa.select(cloud_invoices).where(cloud_invoices.c.invoice_uuid == invoice_uuid)
            ).one()
            stored, matched = connection.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.count().filter(cloud_cost_lines.c.match_method.is_not(None)),
                ).where(cloud_cost_lines.c.invoice_id == invoice.id)
            ).one()
        assert lines["lines"] == stored > 0
        assert lines["invoice_amount_cents"] == at_do[invoice_uuid]
        assert lines["reconciled"] is True and lines["total_cents"] == at_do[invoice_uuid]
        assert lines["matched"] == matched
        attributable = lines["attributable"]
        assert lines["match_rate"] == round(matched / attributable if attributable else 1.0, 4)
        assert invoice.ingest_status == "ingested"
        assert invoice.pushed_to_finance_at is not None  # FINANCE_URL points at the simulator

    # The first tick with runs asked for the oldest invoices, at most a tick's worth, one run each.
    first_tick = wait_until(
        lambda: next(
            (t for t in reversed(api.sensor_ticks(INGEST_SENSOR, location=ASSETS)) if t["runIds"]),
            None,
        ),
        timeout=120,
        what=f"the first tick of {INGEST_SENSOR} to finish",
    )
    first = [run["tags"]["dagster/partition"] for run in api.runs(run_ids=first_tick["runIds"])]
    assert len(first) == len(set(first)) == min(MAX_RUNS_PER_TICK, len(at_do))
    assert set(first) == set(oldest_first[: len(first)])

    # Every run the sensor requested is one invoice partition, tagged with its invoice.
    runs = cancel_other_ingests(api, keep=set(kept))
    partitions = [run["tags"]["dagster/partition"] for run in runs]
    assert len(partitions) == len(set(partitions))
    assert set(partitions) <= set(at_do)
    for run in runs:
        assert run["tags"]["arcadia/invoice"] == run["tags"]["dagster/partition"]
        assert run["tags"]["arcadia/job_kind"] == "invoice_ingest"

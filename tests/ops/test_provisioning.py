"""The provisioning jobs through Dagster: definitions, config, the target tag, resume, cancel."""

from __future__ import annotations

import itertools
import logging
import os
from datetime import timedelta
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._utils.tags import TagConcurrencyLimitsCounter
from pydantic import ValidationError

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.saga import SagaJournal, SagaState, SagaStatus, StepStatus
from arcadia_cloud_core.saga.steps import saga_tag
from arcadia_cloud_core.testing.drills import FAULT_ENV
from arcadia_cloud_ops.definitions import saga_definitions
from arcadia_cloud_ops.provisioning import PROVISIONING_JOBS, launch_request
from arcadia_cloud_ops.provisioning_config import (
    ProvisionDropletConfig,
    UpsertDnsRecordConfig,
)
from arcadia_cloud_ops.recovery import recover_sagas
from arcadia_cloud_ops.saga_jobs import SAGA_POOL, TARGET_TAG
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.conftest import REPO
from tests.core.saga.steps.world import (
    FAST_WAITS,
    droplets_tagged,
    ops_definitions,
    records,
)
from tests.ops.jobs import run_and_cancel

JOBS = [spec.saga().kind for spec in PROVISIONING_JOBS]
SIM_URL_SETTING = "ARCADIA_TEST_SIM_URL"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@pytest.fixture
def defs(app_db_url: str, sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> dg.Definitions:
    """The code location with its DO resources pointed at the simulator."""
    monkeypatch.setenv(SIM_URL_SETTING, sim.base_url)
    return ops_definitions(db_url=app_db_url, base_url=sim.base_url)


def provision_droplet_job() -> dg.JobDefinition:
    """For `dg.reconstructable`: the job wired from the environment at call time."""
    definitions = ops_definitions(
        db_url=os.environ[DATABASE_URL_SETTING], base_url=os.environ[SIM_URL_SETTING]
    )
    return definitions.get_job_def("provision_droplet")


def first_op(job: dg.JobDefinition) -> str:
    return next(iter(job.run_config["ops"]))


def run_config(job: dg.JobDefinition, **config: Any) -> dict[str, Any]:
    return {"ops": {first_op(job): {"config": config}}, **QUIET}


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    (event,) = result.get_step_failure_events()
    error = event.step_failure_data.error
    assert error is not None
    parts = [error.message]
    while error.cause is not None:
        error = error.cause
        parts.append(error.message)
    return "\n".join(parts)


# ---- definitions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", JOBS)
def test_every_provisioning_job_is_a_factory_job_with_a_documented_launchpad_example(
    ops_defs: dg.Definitions, name: str
) -> None:
    job = ops_defs.get_job_def(name)
    spec = next(s for s in PROVISIONING_JOBS if s.saga().kind == name)
    saga = spec.saga()
    ops = [f"{name}__{step}" for step in saga.step_names]
    assert {node.name for node in job.graph.nodes} == set(ops)
    upstream = {
        getattr(node, "name", node): {key: dep.node for key, dep in deps.items()}
        for node, deps in job.graph.dependencies.items()
    }
    for before, after in itertools.pairwise(ops):
        assert upstream[after] == {"state": before}  # one chain: step after step
    for node in job.graph.nodes:
        assert node.definition.pool == SAGA_POOL
        assert node.definition.required_resource_keys >= {"database", "do_provisioning"}
    assert {hook.name for hook in job.hook_defs} == {f"{name}_saga_on_failure"}
    assert job.executor_def is dg.in_process_executor
    assert TARGET_TAG in (job.description or "")
    example = job.run_config["ops"][first_op(job)]["config"]
    assert example == spec.example.model_dump(exclude_none=True)
    fields = spec.config_cls.model_fields
    assert all(field.description for field in fields.values()), name
    assert not any("token" in key or "crash" in key or "fault" in key for key in fields)
    assert name in {s.kind for s in saga_definitions()}  # compensate_saga knows the kind


def test_provisioning_defaults_are_the_documented_ones() -> None:
    config = ProvisionDropletConfig(name="web-1")
    assert (config.region, config.size, config.image) == (
        "nyc3",
        "s-1vcpu-1gb",
        "ubuntu-24-04-x64",
    )
    assert config.saga_inputs()["saga_target"] == "web-1"


def test_launchpad_schema_shows_the_validated_fields_as_plain_typed_fields(
    defs: dg.Definitions,
) -> None:
    """`Annotated` validators leave Dagster's schema as it was: type, default, description."""
    job = defs.get_job_def("provision_droplet")
    schema = job.graph.node_named(first_op(job)).definition.config_schema
    fields = schema.as_field().config_type.fields
    shown = {
        name: (fields[name].config_type.key, fields[name].is_required, fields[name].default_value)
        for name in ("region", "size", "image", "tags")
    }
    assert shown == {
        "region": ("Noneable.StringSourceType", False, "nyc3"),
        "size": ("Noneable.StringSourceType", False, "s-1vcpu-1gb"),
        "image": ("Noneable.StringSourceType", False, "ubuntu-24-04-x64"),
        "tags": ("Noneable.Array.StringSourceType", False, []),
    }
    assert fields["name"].config_type.key == "StringSourceType" and fields["name"].is_required
    assert fields["name"].description.startswith("Droplet hostname")


# ---- run config validation --------------------------------------------------------------------


WWW = {"domain": "example.com", "type": "A", "name": "www", "data": "203.0.113.1"}
WEB = {"name": "web-1"}
#: Bad values, each failing with the field named. Every one is checked by the config class; the
#: first of each job also through a real run, to show it fails before the saga or DO is touched.
INVALID = [
    ("provision_droplet", {**WEB, "region": "nyc9"}, "region: unknown DigitalOcean region slug"),
    ("provision_droplet", {**WEB, "size": "s-1vcpu-1tb"}, "size: unknown DigitalOcean size slug"),
    ("provision_droplet", {"name": "web_1/../x"}, "name: 'web_1/../x' is not a valid droplet"),
    ("provision_droplet", {**WEB, "tags": ["arcadia-saga-x"]}, "tags: tags starting with"),
    ("snapshot_droplet", {"droplet_id": 0}, "droplet_id\n  Input should be greater than"),
    ("upsert_dns_record", {**WWW, "ttl": 20}, "ttl: 20 is out of range 30..86400"),
    ("upsert_dns_record", {**WWW, "ttl": 90000}, "ttl: 90000 is out of range"),
    ("upsert_dns_record", {**WWW, "type": "SPF"}, "type: unknown record type 'SPF'"),
    ("upsert_dns_record", {**WWW, "name": "a..b"}, "name: 'a..b' is not a valid record name"),
    ("upsert_dns_record", {**WWW, "domain": "exa mple.com"}, "domain: 'exa mple.com' is not a"),
    ("upsert_dns_record", {**WWW, "data": "300.1.1.1"}, "data: '300.1.1.1' is not an IPv4"),
    ("delete_dns_record", {**WWW, "domain": "example.com/../account"}, "is not a domain name"),
    ("revert_drift", {"droplet_id": 5, "poll_interval_seconds": 0}, "poll_interval_seconds"),
    ("destroy_droplet", {"droplet_id": -3}, "droplet_id\n  Input should be greater than"),
]
CONFIG_CLASSES = {spec.saga().kind: spec.config_cls for spec in PROVISIONING_JOBS}


@pytest.mark.parametrize(("job_name", "config", "message"), INVALID)
def test_invalid_values_are_refused_by_the_config_naming_the_field(
    job_name: str, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        CONFIG_CLASSES[job_name](**config)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("job_name", "config", "message"),
    [
        next(case for case in INVALID if case[0] == job)
        for job in dict.fromkeys(j for j, *_ in INVALID)
    ],
)
def test_invalid_run_config_fails_the_run_before_any_do_call(
    defs: dg.Definitions,
    admin: SimAdmin,
    journal: SagaJournal,
    job_name: str,
    config: dict[str, Any],
    message: str,
) -> None:
    job = defs.get_job_def(job_name)
    admin.reset_stats()

    result = job.execute_in_process(
        run_config=run_config(job, **config), tags={TARGET_TAG: "x"}, raise_on_error=False
    )

    assert not result.success
    assert message in step_failure(result)
    assert admin.stats()["total"] == 0
    assert journal.unsettled() == [] and journal.find(result.run_id) is None


def test_a_non_integer_droplet_id_is_refused_at_launch(defs: dg.Definitions) -> None:
    job = defs.get_job_def("destroy_droplet")
    with pytest.raises(dg.DagsterInvalidConfigError, match="droplet_id"):
        job.execute_in_process(run_config=run_config(job, droplet_id="12/../../account"))


# ---- the target tag ---------------------------------------------------------------------------


def test_a_run_without_the_target_tag_fails_before_the_saga_starts(
    defs: dg.Definitions, admin: SimAdmin, journal: SagaJournal
) -> None:
    job = defs.get_job_def("provision_droplet")
    admin.reset_stats()
    config = run_config(job, name="untagged", **FAST_WAITS)

    missing = job.execute_in_process(run_config=config, raise_on_error=False)
    wrong = job.execute_in_process(
        run_config=config, tags={TARGET_TAG: "another"}, raise_on_error=False
    )

    for result, found in ((missing, "None"), (wrong, "'another'")):
        assert not result.success
        text = step_failure(result)
        assert f"must carry the tag {TARGET_TAG}=untagged (it has {found})" in text
        assert journal.find(result.run_id) is None
    assert admin.stats()["total"] == 0


def test_launch_request_carries_the_target_tag_and_the_config() -> None:
    config = UpsertDnsRecordConfig(domain="Example.com", type="a", name="www", data="192.0.2.1")
    request = launch_request(config, run_key="k")
    assert request.job_name == "upsert_dns_record"
    assert request.tags == {TARGET_TAG: "example.com"}
    ops = request.run_config["ops"]
    expected = config.model_dump(exclude_none=True)
    assert ops == {"upsert_dns_record__read_dns_records": {"config": expected}}


def test_the_instance_runs_one_saga_per_target_at_a_time() -> None:
    """dagster.yaml's limit, applied by Dagster's own queue counter to runs tagged as we tag."""
    instance_config = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    limits = instance_config["concurrency"]["runs"]["tag_concurrency_limits"]

    def run(target: str) -> dg.DagsterRun:
        return dg.DagsterRun(job_name="snapshot_droplet", tags={TARGET_TAG: target})

    counter = TagConcurrencyLimitsCounter(limits, [run("101")])
    assert counter.is_blocked(run("101"))  # same droplet: waits in the queue
    assert not counter.is_blocked(run("202"))  # another droplet: runs now
    counter.update_counters_with_launched_item(run("202"))
    assert counter.is_blocked(run("202"))


# ---- end to end -------------------------------------------------------------------------------


def test_provision_droplet_job_succeeds_and_journals_each_step(
    defs: dg.Definitions, admin: SimAdmin, journal: SagaJournal
) -> None:
    config = ProvisionDropletConfig(name="dg-web-1", **FAST_WAITS)
    job = defs.get_job_def("provision_droplet")

    result = job.execute_in_process(
        run_config=launch_request(config).run_config, tags=launch_request(config).tags
    )

    assert result.success
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.COMPLETED
    assert record.inputs["saga_target"] == "dg-web-1"
    (droplet,) = droplets_tagged(admin, saga_tag(result.run_id))
    assert str(droplet["id"]) == record.context["droplet"]["id"]
    last = result.output_for_node("provision_droplet__register_droplet")
    assert isinstance(last, SagaState) and last.step_idx == 3
    assert last.context["inventory"]["spec"] == {
        "image": "ubuntu-24-04-x64",
        "region": "nyc3",
        "size": "s-1vcpu-1gb",
    }


def test_upsert_dns_record_job_creates_the_record(
    defs: dg.Definitions, admin: SimAdmin, journal: SagaJournal
) -> None:
    config = UpsertDnsRecordConfig(
        domain="platform-ci.dev", type="CNAME", name="ci", data="builds.example.net", ttl=300
    )
    request = launch_request(config)
    result = defs.get_job_def("upsert_dns_record").execute_in_process(
        run_config=request.run_config, tags=request.tags
    )
    assert result.success
    (record,) = records(admin, "platform-ci.dev", "CNAME", "ci")
    assert (record["data"], record["ttl"]) == ("builds.example.net.", 300)
    assert journal.get(result.run_id).context["dns_record"]["outcome"] == "created"


def test_a_failed_run_resumes_by_reexecution_from_failure_without_a_second_droplet(
    defs: dg.Definitions,
    admin: SimAdmin,
    journal: SagaJournal,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = ProvisionDropletConfig(name="dg-resume", on_failure="leave_for_resume", **FAST_WAITS)
    request = launch_request(config)
    job = dg.reconstructable(provision_droplet_job)
    monkeypatch.setenv(FAULT_ENV, "register_droplet:after_action")

    first = dg.execute_job(job, instance=instance, run_config=request.run_config, tags=request.tags)

    assert not first.success
    record = journal.get(first.run_id)
    assert record.status is SagaStatus.FAILED and record.after_failure == "resume"
    monkeypatch.delenv(FAULT_ENV)
    from_failure = dg.ReexecutionOptions.from_failure(first.run_id, instance)

    untagged = dg.execute_job(
        job, instance=instance, run_config=request.run_config, reexecution_options=from_failure
    )

    assert not untagged.success  # refused before the saga was touched
    record = journal.get(first.run_id)
    assert record.status is SagaStatus.FAILED and record.dagster_run_id == first.run_id

    second = dg.execute_job(
        job,
        instance=instance,
        run_config=request.run_config,
        tags=request.tags,
        reexecution_options=from_failure,
    )

    assert second.success
    assert [e.step_key for e in second.get_step_success_events()] == [
        "provision_droplet__register_droplet"
    ]
    record = journal.get(first.run_id)
    assert record.status is SagaStatus.COMPLETED
    assert len(droplets_tagged(admin, saga_tag(first.run_id))) == 1
    attempts = {row.step_name: row.attempts for row in journal.steps(first.run_id)}
    assert attempts == {"create_droplet": 1, "wait_droplet_active": 1, "register_droplet": 2}


def test_cancel_mid_saga_rolls_back_the_droplet(
    defs: dg.Definitions, admin: SimAdmin, journal: SagaJournal
) -> None:
    admin.set_config(droplet_active_lag=1.0)
    config = ProvisionDropletConfig(
        name="dg-cancel", **{**FAST_WAITS, "poll_interval_seconds": 0.05}
    )
    request = launch_request(config)
    job = defs.get_job_def("provision_droplet")
    result = run_and_cancel(
        defs,
        journal,
        lambda: job.execute_in_process(
            run_config=request.run_config, tags=request.tags, raise_on_error=False
        ),
        when=lambda saga: saga.current_step_idx == 1,  # polling for the droplet to be active
    )
    assert not result.success
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.ROLLED_BACK and "cancelled" in (record.error or "")
    steps = {row.step_name: row.status for row in journal.steps(result.run_id)}
    assert steps == {
        "create_droplet": StepStatus.COMPENSATED,
        "wait_droplet_active": StepStatus.COMPENSATED,
    }
    assert droplets_tagged(admin, saga_tag(result.run_id)) == []


def test_the_recovery_sensor_tags_the_undo_with_the_saga_target(
    app_db_url: str, instance: dg.DagsterInstance
) -> None:
    journal = SagaJournal(open_database(app_db_url))
    saga_id = "0badc0de-0000-4000-8000-000000000000"
    journal.create(
        saga_id=saga_id,
        kind="snapshot_droplet",
        step_names=["create_droplet_snapshot"],
        inputs={"droplet_id": 7, "saga_target": "7"},
        on_failure="compensate",
    )
    journal.transition(saga_id, SagaStatus.FAILED, meta={"after_failure": "compensate"})

    (request,) = recover_sagas(
        instance=instance,
        journal=journal,
        stale_after=timedelta(0),
        log=logging.getLogger("test"),
    )

    assert request.tags[TARGET_TAG] == "7"
    assert request.run_key == f"compensate:{saga_id}:none"

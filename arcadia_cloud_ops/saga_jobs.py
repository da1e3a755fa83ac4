"""The one saga-job factory: a `SagaDefinition` + a `SagaConfig` class -> a Dagster op job.

One op per step, chained (each op hands the `SagaState` to the next, so the UI shows every step);
the ops run in one process (``in_process_executor``), in the ``do_api_provisioning`` pool, with a
failure hook on every op. The saga id is the Dagster root run id (`saga_id_for_run`), so
**re-executing a failed run from failure resumes the same saga** at the failed step, with the
context the journal saved; the op that runs first in a run enters the saga (starts it, or resumes
it when it is ``failed``). The journal, not the IO manager, is the source of truth: each op runs its
step from the journal's view, and the state passed between ops is for lineage and the UI.

Where compensation and resume meet (the policy; see `arcadia_cloud_core.saga.runner`):

- ``on_failure: compensate`` (default). A step that fails inside a live run is rolled back at once
  by the failure hook — unless it raised a `ResumableStepError`, which keeps the saga ``failed``.
  A rolled-back saga is final: re-executing its run is refused (launch a new run instead).
- ``on_failure: leave_for_resume``. A failed step keeps the saga ``failed``: fix the cause, then
  re-execute the run *from failure* (completed steps are skipped), or launch ``compensate_saga``
  with its saga id to roll it back.
- A run that dies (killed, terminated from the UI, lost host) runs no hook: the recovery sensor
  (`recovery`) finds the saga with a dead Dagster run or a stale heartbeat, marks the run failed,
  and launches ``compensate_saga`` — or, under ``leave_for_resume``, only marks the saga failed
  so an operator can resume it.
- A cancel request (``request_saga_cancel``) stops the saga before its next step and rolls it
  back, whatever the policy.

Serialising sagas on one resource: a config that names its target (`SagaConfig.saga_target`: a
droplet id, a domain) makes every run of the job require the run tag
``arcadia/saga_target=<target>``; the instance's ``concurrency.runs.tag_concurrency_limits``
(dagster.yaml) runs one run per tag value at a time, queueing the others. Dagster 1.13 has no
hook that derives run tags from run config, so the launcher sets the tag — `saga_run_request`
for sensors and code, ``--tags`` for ``dagster job launch``, "Edit tags" in the Launchpad — and
the first op fails, before the saga starts or calls DO, when the tag is missing or names another
target. Re-executions inherit it from the parent run (the UI copies the parent's tags).

Every op binds the step services (`arcadia_cloud_core.saga.steps.services`): the database and
the ``do_provisioning`` client, opened only when a step calls DO: the resource's
`DigitalOceanResource.shared_client`, kept for the process, so a run worker's ops, hook and
retries share one connection pool.
"""

# No `from __future__ import annotations` here: Dagster reads the op signatures' annotations at
# definition time, and the first op's config class is only known inside the factory.

from collections.abc import Mapping
from typing import Any, Literal

import dagster as dg
from pydantic import Field

from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource, do_pool
from arcadia_cloud_core.saga import (
    DEFAULT_HEARTBEAT_SECONDS,
    SagaDefinition,
    SagaJournal,
    SagaNotFoundError,
    SagaRunner,
    SagaState,
    SagaStatus,
    saga_id_for_run,
)
from arcadia_cloud_core.saga.runner import describe_error
from arcadia_cloud_core.saga.state import thaw
from arcadia_cloud_core.saga.steps.services import StepServices, bind_services

#: The pool every saga op runs in: the provisioning token's DO rate budget.
SAGA_POOL = do_pool("provisioning")
SAGA_KIND_TAG = "arcadia/saga_kind"
JOB_KIND_TAG = "arcadia/job_kind"
STEP_TAG = "arcadia/saga_step"
#: The run tag that serialises sagas on one resource (dagster.yaml tag_concurrency_limits).
TARGET_TAG = "arcadia/saga_target"
#: The saga input that keeps the target (for resumes and the recovery sensor).
TARGET_INPUT = "saga_target"


class SagaConfig(dg.Config):
    """Run config shared by every saga job; subclass it with the saga's own inputs."""

    on_failure: Literal["compensate", "leave_for_resume"] = Field(
        default="compensate",
        description=(
            "compensate: roll back at once when a step fails; leave_for_resume: keep the saga "
            "failed so that re-executing the run from failure resumes it."
        ),
    )

    def saga_target(self) -> str | None:
        """The resource the saga works on (runs need the tag ``arcadia/saga_target=<it>``).

        None (the default) for sagas that touch no shared resource: no tag is required.
        """
        return None

    def saga_inputs(self) -> dict[str, Any]:
        """The saga's immutable inputs: every field but the failure policy, and the target."""
        inputs = {k: v for k, v in self.model_dump().items() if k != "on_failure"}
        target = self.saga_target()
        if target is not None:
            inputs[TARGET_INPUT] = target
        return inputs


def saga_run_tags(config: SagaConfig) -> dict[str, str]:
    """The run tags a launch of ``config`` needs (the saga target tag, if it has a target)."""
    target = config.saga_target()
    return {TARGET_TAG: target} if target is not None else {}


def saga_run_config(saga: SagaDefinition, config: SagaConfig) -> dg.RunConfig:
    """The run config of a saga job for ``config`` (it belongs to the first step's op)."""
    return dg.RunConfig(ops={step_op_name(saga.kind, saga.steps[0].name): config})


def saga_run_request(
    saga: SagaDefinition,
    config: SagaConfig,
    *,
    run_key: str | None = None,
    job_name: str | None = None,
) -> dg.RunRequest:
    """A `RunRequest` (for sensors) that launches the saga's job with the right tags."""
    return dg.RunRequest(
        run_key=run_key,
        job_name=job_name,
        run_config=saga_run_config(saga, config),
        tags=saga_run_tags(config),
    )


def step_op_name(kind: str, step_name: str) -> str:
    """The op name of a step (op names are unique per code location)."""
    return f"{kind}__{step_name}"


def saga_id_of(context: dg.OpExecutionContext) -> str:
    """The saga id of the run an op executes in."""
    return saga_id_for_run(context.run_id, context.run.root_run_id)


def step_services(database: DatabaseResource, do: DigitalOceanResource) -> StepServices:
    """The services saga steps use: the app database and the provisioning DO client (lazy)."""
    return StepServices(engine=database.engine(), open_do=do.shared_client)


def _check_target_tag(
    context: dg.OpExecutionContext, journal: SagaJournal, saga_id: str, config: SagaConfig | None
) -> None:
    """Fail (before the saga starts or resumes, so before any DO call) unless the run carries
    the target tag; ``config`` is None for the ops after the first (their target is journalled).
    """
    if config is not None:
        target = config.saga_target()
    else:
        record = journal.find(saga_id)
        if record is None or record.dagster_run_id == context.run_id:
            return  # an earlier op of this run checked (or there is no saga to resume)
        target = record.inputs.get(TARGET_INPUT)
    if target is None:
        return
    tag = context.run.tags.get(TARGET_TAG)
    if tag != target:
        raise dg.Failure(
            description=(
                f"this run must carry the tag {TARGET_TAG}={target} (it has "
                f"{tag!r}): the tag is what keeps two sagas on {target} from running at once "
                "(dagster.yaml tag_concurrency_limits). Add it when launching (Launchpad: "
                "Edit tags; CLI: --tags; sensors: saga_run_request) and launch again."
            ),
            metadata={"expected_tag": f"{TARGET_TAG}={target}", "found": str(tag)},
        )


def _run_step_op(
    context: dg.OpExecutionContext,
    database: DatabaseResource,
    do_provisioning: DigitalOceanResource,
    *,
    saga: SagaDefinition,
    step_idx: int,
    config: SagaConfig | None,
    heartbeat_seconds: float,
) -> SagaState:
    saga_id = saga_id_of(context)
    services = step_services(database, do_provisioning)
    runner = SagaRunner(
        SagaJournal(services.engine), saga, heartbeat_seconds=heartbeat_seconds, logger=context.log
    )
    # A run's first op enters the saga (starts it, or resumes it in a re-execution, whose first
    # op may be any step). Later ops of a first run need not: `run_step` itself refuses a saga
    # that is not running under this Dagster run.
    if config is not None or context.run.parent_run_id is not None:
        _check_target_tag(context, runner.journal, saga_id, config)
        runner.enter(
            saga_id,
            inputs=config.saga_inputs() if config is not None else None,
            on_failure=config.on_failure if config is not None else "compensate",
            dagster_run_id=context.run_id,
        )
    with bind_services(services):
        state = runner.run_step(saga_id, step_idx, dagster_run_id=context.run_id)
    if step_idx == len(saga.steps) - 1:
        runner.finish(saga_id)
    row = runner.last_step
    context.add_output_metadata(
        {
            "saga_id": saga_id,
            "step": saga.steps[step_idx].name,
            "attempts": row.attempts if row is not None else 0,
            "output": dg.MetadataValue.json(thaw(row.output) if row and row.output else {}),
        }
    )
    return state


def _step_op(
    saga: SagaDefinition,
    step_idx: int,
    *,
    config_cls: type[SagaConfig],
    heartbeat_seconds: float,
) -> dg.OpDefinition:
    step = saga.steps[step_idx]
    settings: dict[str, Any] = {
        "name": step_op_name(saga.kind, step.name),
        "description": step.description or f"Saga {saga.kind}: step {step.name}.",
        "out": dg.Out(SagaState, description="The saga state after this step."),
        "pool": SAGA_POOL,
        "tags": {STEP_TAG: step.name, SAGA_KIND_TAG: saga.kind},
    }
    options = {"saga": saga, "step_idx": step_idx, "heartbeat_seconds": heartbeat_seconds}

    if step_idx == 0:

        def first(
            context: dg.OpExecutionContext,
            config: SagaConfig,
            database: DatabaseResource,
            do_provisioning: DigitalOceanResource,
        ) -> SagaState:
            return _run_step_op(context, database, do_provisioning, config=config, **options)

        # Dagster builds the op's config schema from this annotation: the saga's own class.
        first.__annotations__["config"] = config_cls
        return dg.op(**settings)(first)

    def following(
        context: dg.OpExecutionContext,
        state: SagaState,
        database: DatabaseResource,
        do_provisioning: DigitalOceanResource,
    ) -> SagaState:
        return _run_step_op(context, database, do_provisioning, config=None, **options)

    return dg.op(
        ins={"state": dg.In(SagaState, description="The saga state after the previous step.")},
        **settings,
    )(following)


def _failure_hook(saga: SagaDefinition, *, heartbeat_seconds: float) -> dg.HookDefinition:
    @dg.failure_hook(
        name=f"{saga.kind}_saga_on_failure",
        required_resource_keys={"database", "do_provisioning"},
    )
    def on_failure(context: dg.HookContext) -> None:
        """Apply the saga's failure policy: compensate now, or keep it for resume."""
        run = context.instance.get_run_by_id(context.run_id)
        saga_id = saga_id_for_run(context.run_id, run.root_run_id if run is not None else None)
        error = (
            describe_error(context.op_exception)
            if context.op_exception is not None
            else f"op {context.op.name} failed"
        )
        services = step_services(context.resources.database, context.resources.do_provisioning)
        runner = SagaRunner(
            SagaJournal(services.engine),
            saga,
            heartbeat_seconds=heartbeat_seconds,
            logger=context.log,
        )
        try:
            with bind_services(services):
                record = runner.handle_failure(saga_id, error=error, dagster_run_id=context.run_id)
        except SagaNotFoundError:
            context.log.warning(f"saga {saga_id}: not journalled (it never started); nothing to do")
            return
        if record.status is SagaStatus.COMPENSATION_FAILED:
            context.log.error(f"saga {saga_id}: compensation failed: {record.error}")
        else:
            context.log.info(f"saga {saga_id}: {record.status} after {error}")

    return on_failure


def build_saga_job(
    saga: SagaDefinition,
    *,
    config_cls: type[SagaConfig],
    example: SagaConfig,
    description: str,
    name: str | None = None,
    tags: Mapping[str, str] | None = None,
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
) -> dg.JobDefinition:
    """The op job of ``saga``: one op per step, a failure hook, ``example`` as default config.

    ``example`` (an instance of ``config_cls``) is the job's default run config, shown (and
    editable) in the Launchpad. When the config names a target, runs need the target tag (see
    the module docstring).
    """
    if not issubclass(config_cls, SagaConfig):
        raise TypeError(f"{config_cls.__name__} must subclass SagaConfig")
    if not isinstance(example, config_cls):
        raise TypeError(f"example must be a {config_cls.__name__}")
    ops = [
        _step_op(saga, idx, config_cls=config_cls, heartbeat_seconds=heartbeat_seconds)
        for idx in range(len(saga.steps))
    ]
    hook = _failure_hook(saga, heartbeat_seconds=heartbeat_seconds)

    @dg.job(
        name=name or f"{saga.kind}_saga",
        description=description,
        tags={JOB_KIND_TAG: "saga", SAGA_KIND_TAG: saga.kind, **(tags or {})},
        config=dg.RunConfig(ops={ops[0].name: example}),
        executor_def=dg.in_process_executor,
        hooks={hook},
    )
    def saga_job() -> None:
        state = ops[0]()
        for op in ops[1:]:
            state = op(state)

    return saga_job

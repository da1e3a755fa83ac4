"""saga_demo through Dagster: success, hook compensation, resume by re-execution, cancel."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.saga import SagaJournal, SagaState, SagaStatus, StepStatus
from arcadia_cloud_ops.compensation import compensate_run_config
from arcadia_cloud_ops.saga_jobs import SAGA_POOL
from tests.ops.jobs import run_and_cancel, saga_demo_job

OPS = ("demo__echo_1", "demo__echo_2", "demo__echo_3")


def demo_config(**config: Any) -> dict[str, Any]:
    return {"ops": {OPS[0]: {"config": config}}}


def _steps(journal: SagaJournal, saga_id: str) -> dict[str, tuple[StepStatus, int]]:
    return {row.step_name: (row.status, row.attempts) for row in journal.steps(saga_id)}


def _succeeded_ops(result: dg.ExecutionResult) -> list[str]:
    return sorted(event.step_key for event in result.get_step_success_events())


def test_saga_demo_is_one_op_per_step_with_hooks_pool_tags_and_launchpad_config(
    ops_defs: dg.Definitions,
) -> None:
    job = ops_defs.get_job_def("saga_demo")
    upstream = {
        getattr(node, "name", node): {name: dep.node for name, dep in deps.items()}
        for node, deps in job.graph.dependencies.items()
    }
    assert {node.name for node in job.graph.nodes} == set(OPS)
    assert upstream.get(OPS[0], {}) == {}
    assert upstream[OPS[1]] == {"state": OPS[0]} and upstream[OPS[2]] == {"state": OPS[1]}
    for name in OPS:
        assert job.graph.node_named(name).definition.pool == SAGA_POOL
    assert {hook.name for hook in job.hook_defs} == {"demo_saga_on_failure"}
    assert job.tags["arcadia/saga_kind"] == "demo" and job.description
    # The Launchpad opens with a ready example (the job's default run config).
    example = job.run_config["ops"][OPS[0]]["config"]
    assert example["message"] == "hello from the Launchpad"
    assert example["on_failure"] == "compensate"
    assert (
        ops_defs.get_job_def("compensate_saga")
        .graph.node_named("compensate_saga_steps")
        .definition.pool
        == SAGA_POOL
    )


def test_saga_demo_succeeds_and_journals_every_step(any_db_url: str) -> None:
    from arcadia_cloud_ops.definitions import build_definitions

    job = build_definitions().get_job_def("saga_demo")
    result = job.execute_in_process(run_config=demo_config(message="hi"))

    assert result.success
    journal = SagaJournal(open_database(any_db_url))
    record = journal.get(result.run_id)  # first run: saga id = its own run id
    assert record.status is SagaStatus.COMPLETED and record.dagster_run_id == result.run_id
    assert record.inputs["message"] == "hi" and "on_failure" not in record.inputs
    assert record.on_failure == "compensate"
    assert dict(record.context) == {f"echo_{n}": {"echo": "hi", "attempt": 1} for n in range(1, 4)}
    assert _steps(journal, result.run_id) == {
        f"echo_{n}": (StepStatus.COMPLETED, 1) for n in range(1, 4)
    }
    last = result.output_for_node(OPS[2])
    assert isinstance(last, SagaState) and last.step_idx == 3 and "echo_3" in last.context


def test_a_failing_step_is_compensated_by_the_failure_hook(any_db_url: str) -> None:
    job = saga_demo_job()
    result = job.execute_in_process(run_config=demo_config(fail_at="echo_2"), raise_on_error=False)

    assert not result.success
    hooks = [e for e in result.all_events if e.event_type == dg.DagsterEventType.HOOK_COMPLETED]
    assert [e.step_key for e in hooks] == [OPS[1]]
    journal = SagaJournal(open_database(any_db_url))
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.ROLLED_BACK
    assert "step echo_2 failed" in (record.error or "")
    assert [(e["step"], e["result"]) for e in record.compensation_log] == [
        ("echo_2", "compensated"),
        ("echo_1", "compensated"),
    ]
    assert _steps(journal, result.run_id) == {
        "echo_1": (StepStatus.COMPENSATED, 1),
        "echo_2": (StepStatus.COMPENSATED, 1),
    }  # echo_3 never ran


def test_a_failed_compensation_is_journalled_and_the_rest_still_run(journal: SagaJournal) -> None:
    result = saga_demo_job().execute_in_process(
        run_config=demo_config(fail_at="echo_3", fail_compensation_of=["echo_2"]),
        raise_on_error=False,
    )
    assert not result.success
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.COMPENSATION_FAILED
    assert "compensation failed: echo_2" in (record.error or "")
    assert {k: v[0] for k, v in _steps(journal, result.run_id).items()} == {
        "echo_1": StepStatus.COMPENSATED,
        "echo_2": StepStatus.COMPENSATION_FAILED,
        "echo_3": StepStatus.COMPENSATED,
    }


def test_a_retryable_failure_is_retried_inside_the_step(journal: SagaJournal) -> None:
    result = saga_demo_job().execute_in_process(
        run_config=demo_config(fail_at="echo_2", fail_times=2, fail_mode="retryable"),
    )
    assert result.success
    assert _steps(journal, result.run_id)["echo_2"] == (StepStatus.COMPLETED, 3)


def test_reexecution_from_failure_resumes_the_same_saga(
    journal: SagaJournal, instance: dg.DagsterInstance
) -> None:
    config = demo_config(on_failure="leave_for_resume", fail_at="echo_2", fail_times=1)
    job = dg.reconstructable(saga_demo_job)
    first = dg.execute_job(job, instance=instance, run_config=config)

    assert not first.success
    saga_id = first.run_id
    record = journal.get(saga_id)
    assert record.status is SagaStatus.FAILED and record.after_failure == "resume"
    assert record.compensation_log == []  # kept for resume: nothing undone
    assert _steps(journal, saga_id) == {
        "echo_1": (StepStatus.COMPLETED, 1),
        "echo_2": (StepStatus.FAILED, 1),
    }

    second = dg.execute_job(
        job,
        instance=instance,
        run_config=config,
        reexecution_options=dg.ReexecutionOptions.from_failure(first.run_id, instance),
    )

    assert second.success
    assert second.dagster_run.root_run_id == saga_id
    assert _succeeded_ops(second) == [OPS[1], OPS[2]]  # only the failed step and after
    record = journal.get(saga_id)
    assert record.status is SagaStatus.COMPLETED
    assert record.dagster_run_id == second.run_id and record.meta["resumes"] == 1
    assert journal.find(second.run_id) is None  # no second saga
    assert _steps(journal, saga_id) == {
        "echo_1": (StepStatus.COMPLETED, 1),  # not re-run
        "echo_2": (StepStatus.COMPLETED, 2),
        "echo_3": (StepStatus.COMPLETED, 1),
    }
    assert dict(record.context)["echo_2"] == {"echo": "hello", "attempt": 2}
    assert dict(record.context)["echo_1"] == {"echo": "hello", "attempt": 1}  # restored


def test_reexecuting_a_rolled_back_saga_is_refused(
    journal: SagaJournal, instance: dg.DagsterInstance
) -> None:
    config = demo_config(fail_at="echo_2", fail_times=1)
    job = dg.reconstructable(saga_demo_job)
    first = dg.execute_job(job, instance=instance, run_config=config)
    assert journal.get(first.run_id).status is SagaStatus.ROLLED_BACK

    second = dg.execute_job(
        job,
        instance=instance,
        run_config=config,
        reexecution_options=dg.ReexecutionOptions.from_failure(first.run_id, instance),
    )
    assert not second.success
    failure = second.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None and failure.cause is not None
    assert "rolled_back" in failure.cause.message
    record = journal.get(first.run_id)
    assert record.status is SagaStatus.ROLLED_BACK  # untouched: the hook found nothing to do
    assert len(record.compensation_log) == 2


def test_a_resumable_error_waits_and_compensate_saga_rolls_it_back(
    journal: SagaJournal, ops_defs: dg.Definitions
) -> None:
    result = saga_demo_job().execute_in_process(
        run_config=demo_config(fail_at="echo_3", fail_mode="resumable"),
        raise_on_error=False,
    )
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.FAILED and record.after_failure == "resume"

    compensated = ops_defs.get_job_def("compensate_saga").execute_in_process(
        run_config=compensate_run_config(result.run_id)
    )
    assert compensated.success
    record = journal.get(result.run_id)
    assert record.status is SagaStatus.ROLLED_BACK
    assert record.dagster_run_id == compensated.run_id
    assert [e["step"] for e in record.compensation_log] == ["echo_3", "echo_2", "echo_1"]


def test_cancel_stops_before_the_next_step_and_rolls_back(
    journal: SagaJournal, ops_defs: dg.Definitions
) -> None:
    result = run_and_cancel(
        ops_defs,
        journal,
        lambda: saga_demo_job().execute_in_process(
            run_config=demo_config(sleep_seconds=0.4), raise_on_error=False
        ),
    )
    assert not result.success
    record = journal.get(result.run_id)
    assert record.cancel_requested and record.status is SagaStatus.ROLLED_BACK
    assert "cancelled before step" in (record.error or "")
    assert "echo_3" not in _steps(journal, result.run_id)
    assert [e["step"] for e in record.compensation_log] == list(
        reversed(list(_steps(journal, result.run_id)))
    )


def test_cancel_of_a_finished_saga_is_refused(
    journal: SagaJournal, ops_defs: dg.Definitions
) -> None:
    done = saga_demo_job().execute_in_process()
    cancel = ops_defs.get_job_def("request_saga_cancel").execute_in_process(
        run_config={"ops": {"request_saga_cancel_op": {"config": {"saga_id": done.run_id}}}},
        raise_on_error=False,
    )
    assert not cancel.success
    assert journal.get(done.run_id).cancel_requested is False


@pytest.mark.parametrize("job_name", ["saga_demo", "compensate_saga", "request_saga_cancel"])
def test_every_job_resolves(ops_defs: dg.Definitions, job_name: str) -> None:
    job = ops_defs.get_job_def(job_name)
    assert job.description and job.executor_def is dg.in_process_executor

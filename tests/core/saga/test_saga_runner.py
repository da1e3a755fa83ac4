"""The saga engine on both databases: success, rollback, failed compensations, cancel, resume."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.saga import (
    FunctionStep,
    IllegalTransitionError,
    OnFailure,
    PermanentStepError,
    ResumableStepError,
    RetryableStepError,
    SagaBusyError,
    SagaCancelledError,
    SagaDefinition,
    SagaJournal,
    SagaRunner,
    SagaStatus,
    StepStatus,
    Worker,
)
from arcadia_cloud_core.saga.runner import retry_delay
from tests.core.saga.helpers import Recorder, runner_for

STEPS = ("reserve", "create", "attach", "announce")


def _fail_at(name: str, target: str, error: BaseException | None = None):
    return lambda state: (error or PermanentStepError(f"{name} broke")) if name == target else None


def _runner(engine: Engine, recorder: Recorder, *steps, **kwargs) -> SagaRunner:
    return runner_for(engine, recorder.saga(*steps), **kwargs)


def test_success_journals_every_step_and_the_context(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(engine, rec, *(rec.step(name) for name in STEPS))

    outcome = runner.run("saga-ok", inputs={"region": "ams3", "size": "s-1vcpu-1gb"})

    assert outcome.status is SagaStatus.COMPLETED
    assert rec.done("do") == list(STEPS) and rec.done("undo") == []
    record = runner.journal.get("saga-ok")
    assert record.status is SagaStatus.COMPLETED and record.error is None
    assert dict(record.context) == {name: f"done:{name}" for name in STEPS}
    assert record.inputs == {"region": "ams3", "size": "s-1vcpu-1gb"}
    assert record.step_names == STEPS and record.current_step_idx == len(STEPS)
    assert record.worker_pid == os.getpid() and record.heartbeat_at is not None
    rows = runner.journal.steps("saga-ok")
    assert [(r.step_name, r.status, r.attempts) for r in rows] == [
        (name, StepStatus.COMPLETED, 1) for name in STEPS
    ]
    for row in rows:
        assert row.output == {row.step_name: f"done:{row.step_name}"}  # the step's own delta
        assert row.started_at is not None and row.finished_at is not None
        assert row.started_at <= row.finished_at
    # Each step saw the context of the steps before it, and the immutable inputs.
    assert dict(rec.states["attach"].context) == {
        "reserve": "done:reserve",
        "create": "done:create",
    }
    assert rec.states["attach"].inputs["region"] == "ams3"


def test_failure_at_every_step_rolls_back_in_reverse(engine: Engine) -> None:
    for fail_idx, target in enumerate(STEPS):
        rec = Recorder()
        runner = _runner(engine, rec, *(rec.step(n, fail=_fail_at(n, target)) for n in STEPS))
        saga_id = f"saga-fail-{fail_idx}"

        outcome = runner.run(saga_id, inputs={})

        assert outcome.status is SagaStatus.ROLLED_BACK, target
        assert f"step {target} failed" in (outcome.error or "")
        ran = list(STEPS[: fail_idx + 1])
        assert rec.done("do") == ran  # nothing after the failed step ran
        assert rec.done("undo") == list(reversed(ran))  # the failed step too: it may have acted
        record = runner.journal.get(saga_id)
        assert [entry["step"] for entry in record.compensation_log] == list(reversed(ran))
        assert {entry["result"] for entry in record.compensation_log} == {"compensated"}
        rows = runner.journal.steps(saga_id)
        assert [r.step_name for r in rows] == ran
        assert {r.status for r in rows} == {StepStatus.COMPENSATED}
        assert "broke" in (rows[-1].error or "")
        # The compensations saw the context the completed steps left.
        undo_state = rec.states[f"undo:{STEPS[0]}"]
        assert set(undo_state.context) == set(STEPS[:fail_idx])


def test_a_failed_compensation_is_recorded_and_the_rest_still_run(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(
        engine,
        rec,
        rec.step("reserve"),
        rec.step("create", compensate_fail=RuntimeError("DO said 500 on delete")),
        rec.step("attach"),
        rec.step("announce", fail=_fail_at("announce", "announce")),
    )

    outcome = runner.run("saga-cf", inputs={})

    assert outcome.status is SagaStatus.COMPENSATION_FAILED
    assert rec.done("undo") == ["announce", "attach", "create", "reserve"]
    assert "step announce failed" in (outcome.error or "")
    assert "compensation failed: create: RuntimeError: DO said 500 on delete" in (
        outcome.error or ""
    )
    statuses = {r.step_name: r.status for r in runner.journal.steps("saga-cf")}
    assert statuses == {
        "reserve": StepStatus.COMPENSATED,
        "create": StepStatus.COMPENSATION_FAILED,
        "attach": StepStatus.COMPENSATED,
        "announce": StepStatus.COMPENSATED,
    }
    log = runner.journal.get("saga-cf").compensation_log
    assert [(e["step"], e["result"]) for e in log] == [
        ("announce", "compensated"),
        ("attach", "compensated"),
        ("create", "compensation_failed"),
        ("reserve", "compensated"),
    ]

    # Retrying the compensation (after the operator fixed DO) only re-runs the failed one.
    fixed = Recorder()
    retry = _runner(engine, fixed, *(fixed.step(n) for n in STEPS))
    record = retry.compensate("saga-cf")
    assert record.status is SagaStatus.ROLLED_BACK
    assert fixed.done("undo") == ["create"]
    assert "compensation failed" not in (record.error or "")


def test_a_step_without_compensation_is_logged_as_such(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(
        engine,
        rec,
        rec.step("reserve"),
        rec.step("notify", compensable=False),
        rec.step("attach", fail=_fail_at("attach", "attach")),
    )

    outcome = runner.run("saga-nc", inputs={})

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert rec.done("undo") == ["attach", "reserve"]
    log = runner.journal.get("saga-nc").compensation_log
    assert [(e["step"], e["result"]) for e in log] == [
        ("attach", "compensated"),
        ("notify", "no_compensation"),
        ("reserve", "compensated"),
    ]


def test_cancel_is_honoured_between_steps_and_compensates(engine: Engine) -> None:
    rec = Recorder()
    journal = SagaJournal(engine)
    runner = _runner(
        engine,
        rec,
        rec.step("reserve"),
        # An operator cancels while `create` runs: it finishes, nothing after it starts.
        rec.step("create", during=lambda state: journal.request_cancel(state.saga_id)),
        rec.step("attach"),
    )

    outcome = runner.run("saga-cancel", inputs={})

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert rec.done("do") == ["reserve", "create"]
    assert rec.done("undo") == ["create", "reserve"]
    record = journal.get("saga-cancel")
    assert record.cancel_requested is True
    assert "cancelled before step attach" in (record.error or "")
    assert [r.step_name for r in journal.steps("saga-cancel")] == ["reserve", "create"]


def test_cancel_wins_over_leave_for_resume(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(
        engine,
        rec,
        rec.step("reserve", during=lambda s: SagaJournal(engine).request_cancel(s.saga_id)),
        rec.step("create"),
    )
    outcome = runner.run("saga-cancel-2", inputs={}, on_failure=OnFailure.LEAVE_FOR_RESUME)
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert rec.done("undo") == ["reserve"]


def test_resume_skips_completed_steps_and_reuses_the_context(engine: Engine) -> None:
    first = Recorder()

    def fail_first_time(state):
        if state.step.is_first_attempt:
            return PermanentStepError("droplet create timed out", output={"droplet_id": "42"})
        return None

    steps = lambda r: (  # noqa: E731 - the same step list for both "processes"
        r.step("reserve"),
        r.step("create"),
        r.step("attach", fail=fail_first_time),
        r.step("announce"),
    )
    runner = _runner(engine, first, *steps(first))
    outcome = runner.run("saga-resume", inputs={"n": 1}, on_failure=OnFailure.LEAVE_FOR_RESUME)

    assert outcome.status is SagaStatus.FAILED  # kept for resume: nothing compensated
    assert first.done("undo") == []
    record = runner.journal.get("saga-resume")
    assert record.after_failure == "resume" and record.current_step_idx == 2
    failed = runner.journal.step("saga-resume", 2)
    assert failed is not None and failed.status is StepStatus.FAILED
    assert failed.output == {"droplet_id": "42"}

    # A new process (new runner, same saga id) resumes.
    second = Recorder()
    resumed = _runner(engine, second, *steps(second))
    outcome = resumed.run("saga-resume", inputs={"n": 999})

    assert outcome.status is SagaStatus.COMPLETED
    assert second.done("do") == ["attach", "announce"]  # completed steps skipped
    attach = second.states["attach"]
    assert dict(attach.context) == {"reserve": "done:reserve", "create": "done:create"}
    assert attach.inputs == {"n": 1}  # the journal's inputs, not the new caller's
    assert attach.step.attempts == 1 and attach.step.status == StepStatus.FAILED
    assert dict(attach.step.output or {}) == {"droplet_id": "42"}
    rows = {r.step_name: r for r in resumed.journal.steps("saga-resume")}
    assert rows["attach"].attempts == 2 and rows["reserve"].attempts == 1
    assert resumed.journal.get("saga-resume").meta["resumes"] == 1


def test_a_resumable_error_keeps_the_saga_even_when_the_policy_compensates(
    engine: Engine,
) -> None:
    rec = Recorder()
    quota = ResumableStepError("droplet limit reached: raise the quota, then resume")
    runner = _runner(engine, rec, rec.step("reserve"), rec.step("create", fail=lambda s: quota))
    outcome = runner.run("saga-quota", inputs={})
    assert outcome.status is SagaStatus.FAILED
    assert runner.journal.get("saga-quota").after_failure == "resume"
    assert rec.done("undo") == []
    # The operator decides to roll back instead.
    assert runner.compensate("saga-quota").status is SagaStatus.ROLLED_BACK
    assert rec.done("undo") == ["create", "reserve"]


def test_retryable_errors_are_retried_with_backoff_then_succeed(engine: Engine) -> None:
    rec = Recorder()
    waits: list[float] = []

    def flaky(state):
        return RetryableStepError("429 from DO") if state.step.attempts < 2 else None

    runner = _runner(
        engine,
        rec,
        rec.step("reserve", fail=flaky, max_attempts=3),
        sleep=waits.append,
    )
    outcome = runner.run("saga-retry", inputs={})
    assert outcome.status is SagaStatus.COMPLETED
    assert rec.done("do") == ["reserve"] * 3
    assert waits == [0.01, 0.02]  # doubled each time
    row = runner.journal.step("saga-retry", 0)
    assert row is not None and row.attempts == 3 and row.status is StepStatus.COMPLETED


def test_retries_are_bounded_and_permanent_errors_are_not_retried(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(
        engine,
        rec,
        rec.step("reserve", fail=lambda s: RetryableStepError("503"), max_attempts=2),
        rec.step("create"),
        sleep=lambda _: None,
    )
    assert runner.run("saga-exhaust", inputs={}).status is SagaStatus.ROLLED_BACK
    assert rec.done("do") == ["reserve", "reserve"]

    rec2 = Recorder()
    runner2 = _runner(
        engine,
        rec2,
        rec2.step("reserve", fail=lambda s: ValueError("bug"), max_attempts=5),
        sleep=lambda _: None,
    )
    outcome = runner2.run("saga-bug", inputs={})
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert rec2.done("do") == ["reserve"]  # a plain exception is never retried
    assert "ValueError: bug" in (outcome.error or "")


def test_a_step_returning_non_json_context_fails_the_step(engine: Engine) -> None:
    rec = Recorder()
    bad = rec.step("reserve")
    bad._execute = lambda state: state.with_context(when=object())  # type: ignore[attr-defined]
    runner = _runner(engine, rec, bad)
    outcome = runner.run("saga-json", inputs={})
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "JSON-serialisable" in (outcome.error or "")


def test_a_crash_after_the_action_is_still_compensated(engine: Engine) -> None:
    """The step is journalled running before its action: a worker that died there is undone."""
    rec = Recorder()
    runner = _runner(engine, rec, rec.step("reserve"), rec.step("create"), rec.step("attach"))
    runner.enter("saga-crash", inputs={})
    runner.run_step("saga-crash", 0)
    # The worker journals `create` running, does the DO write, and is killed before completing.
    runner.journal.start_step("saga-crash", 1, "create", worker=Worker.current())
    assert runner.journal.get("saga-crash").status is SagaStatus.RUNNING

    with pytest.raises(SagaBusyError):  # a plain re-entry does not steal a running saga
        runner.enter("saga-crash")
    record = runner.mark_failed("saga-crash", error="worker died")
    assert record.status is SagaStatus.FAILED and record.after_failure == "compensate"
    assert runner.compensate("saga-crash").status is SagaStatus.ROLLED_BACK
    assert rec.done("undo") == ["create", "reserve"]


def test_finished_sagas_are_never_re_entered(engine: Engine) -> None:
    rec = Recorder()
    runner = _runner(
        engine, rec, rec.step("reserve"), rec.step("create", fail=lambda s: KeyError())
    )
    assert runner.run("saga-done", inputs={}).status is SagaStatus.ROLLED_BACK
    with pytest.raises(IllegalTransitionError, match="rolled_back"):
        runner.enter("saga-done")
    assert runner.compensate("saga-done").status is SagaStatus.ROLLED_BACK  # idempotent no-op
    assert rec.done("undo") == ["create", "reserve"]


def test_a_run_never_resumes_its_own_failed_saga(engine: Engine) -> None:
    """A run the recovery sensor declared dead must not carry on: only a new run resumes."""
    rec = Recorder()
    runner = _runner(engine, rec, rec.step("reserve"), rec.step("create"))
    runner.enter("saga-own", inputs={}, dagster_run_id="run-1")
    runner.run_step("saga-own", 0, dagster_run_id="run-1")
    runner.mark_failed("saga-own", error="declared dead", expected_run_id="run-1")

    with pytest.raises(IllegalTransitionError, match="never resumes its own"):
        runner.enter("saga-own", dagster_run_id="run-1")
    record = runner.enter("saga-own", dagster_run_id="run-2")  # the re-execution
    assert record.status is SagaStatus.RUNNING and record.dagster_run_id == "run-2"
    runner.run_step("saga-own", 1, dagster_run_id="run-2")
    assert runner.finish("saga-own").status is SagaStatus.COMPLETED
    assert rec.done("do") == ["reserve", "create"]


def test_retry_delay_is_the_one_rule_for_steps_and_compensations() -> None:
    step = FunctionStep("s", lambda state: state, max_attempts=3, retry_delay_seconds=0.5)
    transient = RetryableStepError("503")
    assert [retry_delay(step, transient, n) for n in (1, 2, 3)] == [0.5, 1.0, None]
    assert retry_delay(step, PermanentStepError("no"), 1) is None
    assert retry_delay(step, ValueError("bug"), 1) is None
    assert retry_delay(step, SagaCancelledError("stop"), 1) is None
    assert retry_delay(step, PermanentStepError("flagged", retryable=True), 2) == 1.0


def test_a_retryable_compensation_is_retried_with_the_steps_backoff(engine: Engine) -> None:
    waits: list[float] = []
    undo_attempts: list[int] = []

    def undo(state) -> None:
        undo_attempts.append(len(undo_attempts) + 1)
        if len(undo_attempts) < 3:
            raise RetryableStepError("DO 503 on delete")

    def broke(state):
        raise PermanentStepError("attach broke")

    saga = SagaDefinition(
        "test",
        [
            FunctionStep(
                "create", lambda state: state, undo, max_attempts=3, retry_delay_seconds=0.01
            ),
            FunctionStep("attach", broke),
        ],
    )
    runner = runner_for(engine, saga, sleep=waits.append)
    outcome = runner.run("saga-undo-retry", inputs={})
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert undo_attempts == [1, 2, 3]
    assert waits == [0.01, 0.02]

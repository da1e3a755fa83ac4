"""Pure parts of the saga engine: state machines, state, definitions, ids, the demo steps."""

from __future__ import annotations

import pickle

import pytest

from arcadia_cloud_core.db.schema import SAGA_STATUSES, SAGA_STEP_STATUSES
from arcadia_cloud_core.saga import (
    FunctionStep,
    IllegalTransitionError,
    OnFailure,
    PermanentStepError,
    ResumableStepError,
    RetryableStepError,
    SagaCancelledError,
    SagaDefinition,
    SagaDefinitionError,
    SagaState,
    SagaStatus,
    StepStatus,
    StepView,
    decide_after_failure,
    saga_id_for_run,
)
from arcadia_cloud_core.saga.status import (
    SAGA_TRANSITIONS,
    STEP_TRANSITIONS,
    check_saga_transition,
    check_step_transition,
)
from arcadia_cloud_core.testing.demo_saga import DemoOptions, EchoStep, demo_saga


def test_the_enums_are_the_schema_vocabulary() -> None:
    assert tuple(SagaStatus) == SAGA_STATUSES
    assert tuple(StepStatus) == SAGA_STEP_STATUSES
    assert set(SAGA_TRANSITIONS) == set(SagaStatus)
    assert set(STEP_TRANSITIONS) == {None, *StepStatus}


@pytest.mark.parametrize("current", list(SagaStatus))
@pytest.mark.parametrize("requested", list(SagaStatus))
def test_saga_transition_table_is_enforced(current: SagaStatus, requested: SagaStatus) -> None:
    legal = {
        ("pending", "running"),
        ("pending", "failed"),
        ("running", "completed"),
        ("running", "failed"),
        ("failed", "running"),
        ("failed", "compensating"),
        ("compensating", "compensating"),
        ("compensating", "rolled_back"),
        ("compensating", "compensation_failed"),
        ("compensation_failed", "compensating"),
    }
    if (current.value, requested.value) in legal:
        check_saga_transition(current, requested, saga_id="s")
    else:
        with pytest.raises(IllegalTransitionError):
            check_saga_transition(current, requested, saga_id="s")


def test_step_transitions() -> None:
    check_step_transition(None, StepStatus.RUNNING, saga_id="s", step_idx=0)
    check_step_transition(StepStatus.RUNNING, StepStatus.RUNNING, saga_id="s", step_idx=0)
    check_step_transition(StepStatus.FAILED, StepStatus.COMPENSATED, saga_id="s", step_idx=0)
    for current, requested in [
        (None, StepStatus.COMPLETED),
        (StepStatus.COMPLETED, StepStatus.RUNNING),
        (StepStatus.COMPENSATED, StepStatus.RUNNING),
        (StepStatus.COMPENSATED, StepStatus.COMPENSATION_FAILED),
    ]:
        with pytest.raises(IllegalTransitionError):
            check_step_transition(current, requested, saga_id="s", step_idx=0)


def test_state_is_deeply_immutable_and_picklable() -> None:
    state = SagaState(
        saga_id="s",
        kind="k",
        inputs={"tags": ["a"], "spec": {"size": "s-1"}},
        context={"droplet": {"id": "1"}},
        step_idx=1,
        step=StepView(status="failed", attempts=2, output={"id": "1"}),
    )
    with pytest.raises(TypeError):
        state.inputs["spec"]["size"] = "huge"  # type: ignore[index]
    with pytest.raises(TypeError):
        state.context["x"] = 1  # type: ignore[index]
    assert state.inputs["tags"] == ("a",)
    later = state.with_context(ip="10.0.0.1")
    assert "ip" not in state.context and later.context["ip"] == "10.0.0.1"
    with pytest.raises(KeyError):
        state.with_context(_saga={})
    copy = pickle.loads(pickle.dumps(later))
    assert copy == later and copy.step.attempts == 2


def test_definitions_are_validated() -> None:
    noop = lambda s: s  # noqa: E731
    with pytest.raises(SagaDefinitionError, match="no steps"):
        SagaDefinition("k", [])
    with pytest.raises(SagaDefinitionError, match="repeat"):
        SagaDefinition("k", [FunctionStep("a", noop), FunctionStep("a", noop)])
    with pytest.raises(SagaDefinitionError, match="must match"):
        SagaDefinition("k", [FunctionStep("Bad-Name", noop)])
    with pytest.raises(SagaDefinitionError, match="must match"):
        SagaDefinition("Kind!", [FunctionStep("a", noop)])
    saga = SagaDefinition("k", [FunctionStep("a", noop), FunctionStep("b", noop, noop)])
    assert saga.step_names == ("a", "b")
    assert [s.has_compensation for s in saga.steps] == [False, True]
    assert EchoStep("x").has_compensation


def test_saga_id_is_the_root_run_id() -> None:
    assert saga_id_for_run("run-2", "run-1") == "run-1"
    assert saga_id_for_run("run-1", None) == "run-1"
    with pytest.raises(ValueError):
        saga_id_for_run("", None)


@pytest.mark.parametrize(
    ("on_failure", "error", "expected"),
    [
        (OnFailure.COMPENSATE, PermanentStepError("x"), "compensate"),
        (OnFailure.COMPENSATE, RuntimeError("x"), "compensate"),
        (OnFailure.COMPENSATE, None, "compensate"),
        (OnFailure.COMPENSATE, ResumableStepError("x"), "resume"),
        (OnFailure.LEAVE_FOR_RESUME, PermanentStepError("x"), "resume"),
        (OnFailure.LEAVE_FOR_RESUME, SagaCancelledError("x"), "compensate"),
    ],
)
def test_failure_policy(on_failure: str, error: BaseException | None, expected: str) -> None:
    assert decide_after_failure(on_failure, error) == expected


def test_error_flags() -> None:
    assert RetryableStepError("x").retryable and not RetryableStepError("x").resumable
    assert ResumableStepError("x").resumable and not PermanentStepError("x").retryable
    assert PermanentStepError("x", retryable=True).retryable  # explicit wins


def test_demo_options_and_steps() -> None:
    saga = demo_saga()
    assert saga.kind == "demo" and saga.step_names == ("echo_1", "echo_2", "echo_3")
    options = DemoOptions.from_inputs({"fail_at": "echo_2", "fail_compensation_of": ["echo_1"]})
    assert options.fail_compensation_of == ("echo_1",) and options.crash_at is None
    with pytest.raises(PermanentStepError):
        DemoOptions.from_inputs({"fail_mode": "sometimes"})
    state = SagaState(saga_id="s", kind="demo", inputs={"message": "hi"}, context={}, step_idx=0)
    assert dict(saga.steps[0].execute(state).context) == {"echo_1": {"echo": "hi", "attempt": 1}}
    failing = SagaState(
        saga_id="s",
        kind="demo",
        inputs={"fail_at": "echo_1", "fail_times": 1, "fail_mode": "retryable"},
        context={},
        step_idx=0,
    )
    with pytest.raises(RetryableStepError):
        saga.steps[0].execute(failing)
    second = SagaState(
        saga_id="s",
        kind="demo",
        inputs=failing.inputs,
        context={},
        step_idx=0,
        step=StepView(status="failed", attempts=1),
    )
    assert saga.steps[0].execute(second).context["echo_1"]["attempt"] == 2

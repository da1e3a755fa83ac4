"""The saga engine: forward steps, failure policy, reverse compensation, resume and cancel.

`SagaRunner` drives one `SagaDefinition` against the journal. It works step by step (the Dagster
factory calls `enter` + `run_step` from one op per step, and `handle_failure` from the failure
hook) or all at once (`run`, for plain Python callers, the tests and the benchmark).

Failure policy (``on_failure``, chosen when a saga starts and kept in the journal):

- ``compensate`` (default): a failed saga is rolled back at once — every step that ran, in
  reverse — unless the step raised a *resumable* error (`ResumableStepError`), which keeps it
  ``failed`` for an operator to fix and resume.
- ``leave_for_resume``: every failure keeps the saga ``failed``; an operator either resumes it
  (re-enters: completed steps are skipped, the failed step runs again with the saved context) or
  rolls it back (`compensate`).
- A cancelled saga (``cancel_requested``, honoured between steps) is always rolled back.

What was decided is journalled with the failure (``after_failure``: ``compensate`` or
``resume``), so whoever finds the saga later — the hook, the recovery sensor, an operator — does
the same thing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

from arcadia_cloud_core.saga.errors import (
    IllegalTransitionError,
    SagaBusyError,
    SagaCancelledError,
    SagaDefinitionError,
    SagaNotFoundError,
    StepError,
)
from arcadia_cloud_core.saga.heartbeat import DEFAULT_HEARTBEAT_SECONDS, Heartbeat
from arcadia_cloud_core.saga.journal import (
    KEEP,
    SagaJournal,
    SagaRecord,
    StepRecord,
    Worker,
    clip_error,
)
from arcadia_cloud_core.saga.state import SagaState, StepView, check_json, context_delta
from arcadia_cloud_core.saga.status import SagaStatus, StepStatus
from arcadia_cloud_core.saga.step import SagaDefinition, Step
from arcadia_cloud_core.testing.drills import (
    AFTER_SAVE,
    BEFORE_ACTION,
    IN_COMPENSATION,
    drill_point,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class OnFailure(StrEnum):
    """The failure policy of a saga (see the module docstring)."""

    COMPENSATE = "compensate"
    LEAVE_FOR_RESUME = "leave_for_resume"


class AfterFailure(StrEnum):
    """What was decided when a saga failed."""

    COMPENSATE = "compensate"
    RESUME = "resume"


@dataclass(frozen=True)
class SagaOutcome:
    """How a saga ended (for `SagaRunner.run`)."""

    saga_id: str
    status: SagaStatus
    context: Mapping[str, Any]
    error: str | None

    @classmethod
    def of(cls, record: SagaRecord) -> SagaOutcome:
        return cls(record.saga_id, record.status, record.context, record.error)


def describe_error(error: BaseException) -> str:
    """One line for the journal: the error's type and message."""
    text = str(error).strip()
    name = type(error).__name__
    return clip_error(f"{name}: {text}" if text else name)


def decide_after_failure(on_failure: str, error: BaseException | None) -> AfterFailure:
    """Compensate or keep for resume, by the saga's policy and the error's flags."""
    if isinstance(error, SagaCancelledError):
        return AfterFailure.COMPENSATE
    if on_failure == OnFailure.LEAVE_FOR_RESUME:
        return AfterFailure.RESUME
    if isinstance(error, StepError) and error.resumable:
        return AfterFailure.RESUME
    return AfterFailure.COMPENSATE


def retry_delay(step: Step, error: BaseException, attempt: int) -> float | None:
    """Seconds to wait before trying ``step`` again after ``error`` ended attempt ``attempt``;
    ``None`` when it is not retried (not a retryable `StepError`, or no attempts left)."""
    if not (isinstance(error, StepError) and error.retryable and attempt < step.max_attempts):
        return None
    return step.retry_delay_seconds * 2 ** (attempt - 1)


def fail_running_saga(
    journal: SagaJournal,
    saga_id: str,
    *,
    error: str,
    expected_run_id: str | None = KEEP,
    error_obj: BaseException | None = None,
) -> SagaRecord:
    """``running`` -> ``failed`` with the policy's decision journalled (for crashes and cancels).

    Needs no step list, so the recovery sensor can use it for any kind of saga.
    """
    record = journal.get(saga_id)
    after = decide_after_failure(record.on_failure, error_obj)
    return journal.transition(
        saga_id,
        SagaStatus.FAILED,
        allowed_from={SagaStatus.RUNNING},
        expected_run_id=expected_run_id,
        error=error,
        meta={"after_failure": after.value},
    )


def _view(row: StepRecord | None) -> StepView:
    if row is None:
        return StepView()
    return StepView(status=row.status, attempts=row.attempts, output=row.output, error=row.error)


class SagaRunner:
    """Runs (and rolls back) sagas of one definition against the journal."""

    def __init__(
        self,
        journal: SagaJournal,
        definition: SagaDefinition,
        *,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.journal = journal
        self.definition = definition
        self.heartbeat_seconds = heartbeat_seconds
        self.log = logger or log
        self._sleep = sleep
        #: The journal row of the step `run_step` last ran (or skipped).
        self.last_step: StepRecord | None = None

    # ---- forward -------------------------------------------------------------------------

    def enter(
        self,
        saga_id: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        on_failure: str = OnFailure.COMPENSATE,
        dagster_run_id: str | None = None,
    ) -> SagaRecord:
        """Start the saga (when new) or resume it (when ``failed``); return its record.

        A saga already ``running`` under the same Dagster run is returned as is (every op of a
        run enters). The inputs of an existing saga are the journal's; ``inputs`` only matter
        for a new one.
        """
        record = self.journal.find(saga_id)
        if record is None:
            if inputs is None:
                raise SagaNotFoundError(f"saga {saga_id} is not in the journal and has no inputs")
            record, _ = self.journal.create(
                saga_id=saga_id,
                kind=self.definition.kind,
                step_names=self.definition.step_names,
                inputs=inputs,
                on_failure=OnFailure(on_failure).value,
            )
        self._check_definition(record)
        worker = Worker.current(dagster_run_id=dagster_run_id)
        if record.status is SagaStatus.PENDING:
            self.log.info("saga %s (%s): started", saga_id, record.kind)
            return self.journal.transition(
                saga_id, SagaStatus.RUNNING, allowed_from={SagaStatus.PENDING}, worker=worker
            )
        if record.status is SagaStatus.RUNNING:
            if dagster_run_id is not None and record.dagster_run_id == dagster_run_id:
                return record
            raise SagaBusyError(
                f"saga {saga_id} is running (Dagster run {record.dagster_run_id}, pid "
                f"{record.worker_pid} on {record.worker_host}, heartbeat {record.heartbeat_at}); "
                "if that run is dead, the recovery sensor marks it failed first"
            )
        if record.status is SagaStatus.FAILED:
            if dagster_run_id is not None and record.dagster_run_id == dagster_run_id:
                raise IllegalTransitionError(
                    f"saga {saga_id} failed in this run ({record.error}); a run never resumes "
                    "its own failed saga: re-execute the run from failure",
                    current=record.status,
                    requested=SagaStatus.RUNNING,
                )
            self.log.info(
                "saga %s: resuming at step %s after: %s",
                saga_id,
                record.current_step_idx,
                record.error,
            )
            return self.journal.transition(
                saga_id,
                SagaStatus.RUNNING,
                allowed_from={SagaStatus.FAILED},
                worker=worker,
                error=None,
                meta={"after_failure": None, "resumes": int(record.meta.get("resumes", 0)) + 1},
            )
        raise IllegalTransitionError(
            f"saga {saga_id} is {record.status}: it cannot be started or resumed"
            + (
                " (a finished saga is never re-run: launch a new run, not a re-execution)"
                if record.status in (SagaStatus.COMPLETED, SagaStatus.ROLLED_BACK)
                else " (it is being rolled back)"
            ),
            current=record.status,
            requested=SagaStatus.RUNNING,
        )

    def run_step(
        self, saga_id: str, step_idx: int, *, dagster_run_id: str | None = None
    ) -> SagaState:
        """Run one step of a ``running`` saga; return the state at the next step.

        A step the journal shows ``completed`` is skipped (its saved context is reused). The step
        is journalled ``running`` before its action; a retryable error is retried up to the
        step's ``max_attempts``; any other failure fails the saga (journalled with the decision
        of `decide_after_failure`) and is raised again. A cancel request fails the saga (to be
        rolled back) instead of starting the step. `last_step` is the step's row afterwards.
        """
        step = self.definition.steps[step_idx]
        worker = Worker.current(dagster_run_id=dagster_run_id)
        return self._retrying(
            step,
            saga_id,
            f"step {step.name}",
            lambda attempt: self._attempt_step(saga_id, step_idx, worker, attempt=attempt),
        )

    def _attempt_step(
        self, saga_id: str, step_idx: int, worker: Worker, *, attempt: int
    ) -> SagaState:
        step = self.definition.steps[step_idx]
        try:
            start = self.journal.start_step(
                saga_id, step_idx, step.name, worker=worker, kind=self.definition.kind
            )
        except SagaCancelledError as cancelled:
            self.mark_failed(saga_id, error=describe_error(cancelled), error_obj=cancelled)
            raise
        saga = start.saga
        if start.started is None:
            self.log.info("saga %s: step %s already completed, skipped", saga_id, step.name)
            self.last_step = start.prior
            return self._state(saga, step_idx + 1)
        started = start.started
        state = SagaState(
            saga_id=saga_id,
            kind=saga.kind,
            inputs=saga.inputs,
            context=saga.context,
            step_idx=step_idx,
            step=_view(start.prior),
        )
        try:
            with Heartbeat(self.journal, saga_id, worker, interval_seconds=self.heartbeat_seconds):
                drill_point(step.name, BEFORE_ACTION)
                result = step.execute(state)
            self._check_result(step, state, result)
        except BaseException as exc:
            self._journal_step_failure(saga, step_idx, exc, attempt=attempt)
            raise
        output_delta = context_delta(state.context, result.context)
        self.journal.complete_step(saga_id, step_idx, output=output_delta, context=result.context)
        drill_point(step.name, AFTER_SAVE)
        self.last_step = replace(started, status=StepStatus.COMPLETED, output=output_delta)
        self.log.info("saga %s: step %s completed", saga_id, step.name)
        return replace(result, step_idx=step_idx + 1, step=StepView())

    def _journal_step_failure(
        self, saga: SagaRecord, step_idx: int, error: BaseException, *, attempt: int
    ) -> None:
        """Journal a failed attempt; when it is not retried, the saga's failure and decision."""
        step = self.definition.steps[step_idx]
        message = describe_error(error)
        output = error.output if isinstance(error, StepError) else None
        if retry_delay(step, error, attempt) is not None:
            self.journal.fail_step(saga.saga_id, step_idx, error=message, output=output)
            return
        after = decide_after_failure(saga.on_failure, error)
        self.log.error(
            "saga %s: step %s failed (%s); next: %s", saga.saga_id, step.name, message, after
        )
        self.journal.fail_step(
            saga.saga_id,
            step_idx,
            error=message,
            output=output,
            saga_error=f"step {step.name} failed: {message}",
            after_failure=after.value,
        )

    def finish(self, saga_id: str) -> SagaRecord:
        """Mark the saga ``completed``; every step must be journalled completed."""
        rows = {row.step_idx: row for row in self.journal.steps(saga_id)}
        for idx, name in enumerate(self.definition.step_names):
            row = rows.get(idx)
            if row is None or row.status is not StepStatus.COMPLETED:
                status = row.status if row is not None else "not started"
                raise IllegalTransitionError(
                    f"saga {saga_id}: step {name} is {status}; the saga cannot complete",
                    current=SagaStatus.RUNNING,
                    requested=SagaStatus.COMPLETED,
                )
        record = self.journal.transition(
            saga_id, SagaStatus.COMPLETED, allowed_from={SagaStatus.RUNNING}, error=None
        )
        self.log.info("saga %s: completed", saga_id)
        return record

    def run(
        self,
        saga_id: str,
        *,
        inputs: Mapping[str, Any],
        on_failure: str = OnFailure.COMPENSATE,
    ) -> SagaOutcome:
        """Run (or resume) the whole saga in this process, compensating per the policy."""
        self.enter(saga_id, inputs=inputs, on_failure=on_failure)
        try:
            for idx in range(len(self.definition.steps)):
                self.run_step(saga_id, idx)
        except Exception:
            record = self.journal.get(saga_id)
            if record.status is SagaStatus.FAILED and record.after_failure == "compensate":
                record = self.compensate(saga_id)
            return SagaOutcome.of(record)
        return SagaOutcome.of(self.finish(saga_id))

    # ---- failure -------------------------------------------------------------------------

    def mark_failed(
        self,
        saga_id: str,
        *,
        error: str,
        expected_run_id: str | None = KEEP,
        error_obj: BaseException | None = None,
    ) -> SagaRecord:
        """Fail a ``running`` saga whose step could not journal its own failure (crash, cancel).

        ``expected_run_id`` guards against failing a saga another run claimed in the meantime.
        """
        return fail_running_saga(
            self.journal,
            saga_id,
            error=error,
            expected_run_id=expected_run_id,
            error_obj=error_obj,
        )

    def handle_failure(
        self, saga_id: str, *, error: str, dagster_run_id: str | None = None
    ) -> SagaRecord:
        """After a failure inside a live run: make sure it is journalled, then apply the policy.

        Returns the saga's record afterwards (``rolled_back``/``compensation_failed`` when it was
        compensated, ``failed`` when it is kept for resume).
        """
        record = self.journal.get(saga_id)
        if record.status is SagaStatus.RUNNING and (
            dagster_run_id is None or record.dagster_run_id == dagster_run_id
        ):
            record = self.mark_failed(saga_id, error=error, expected_run_id=record.dagster_run_id)
        if record.status is SagaStatus.FAILED and record.after_failure == "compensate":
            return self.compensate(saga_id, dagster_run_id=dagster_run_id)
        if record.status is SagaStatus.FAILED:
            self.log.warning(
                "saga %s: kept failed for resume (re-execute the run from failure, "
                "or launch compensate_saga to roll it back): %s",
                saga_id,
                record.error,
            )
        return record

    # ---- compensation --------------------------------------------------------------------

    def compensate(self, saga_id: str, *, dagster_run_id: str | None = None) -> SagaRecord:
        """Roll the saga back: every step that ran, in reverse, each compensation once.

        A compensation that fails is journalled and the others still run; the saga ends
        ``compensation_failed`` (with the reasons) or ``rolled_back``. Re-entering a saga left
        ``compensating`` (crash) or ``compensation_failed`` skips steps already compensated.
        """
        record = self.journal.get(saga_id)
        self._check_definition(record)
        if record.status is SagaStatus.ROLLED_BACK:
            return record
        worker = Worker.current(dagster_run_id=dagster_run_id)
        failure = record.meta.get("failure") or record.error or "saga failed"
        record = self.journal.transition(
            saga_id,
            SagaStatus.COMPENSATING,
            allowed_from={
                SagaStatus.FAILED,
                SagaStatus.COMPENSATING,
                SagaStatus.COMPENSATION_FAILED,
            },
            worker=worker,
            meta={"failure": failure},
        )
        self.log.info("saga %s: compensating (%s)", saga_id, failure)
        failures: list[str] = []
        for row in reversed(self.journal.steps(saga_id)):
            if row.status is StepStatus.COMPENSATED:
                continue
            step = self.definition.steps[row.step_idx]
            if not step.has_compensation:
                self.log.info("saga %s: step %s has no compensation", saga_id, step.name)
                self.journal.record_compensation(saga_id, row.step_idx, result="no_compensation")
                continue
            state = SagaState(
                saga_id=saga_id,
                kind=record.kind,
                inputs=record.inputs,
                context=record.context,
                step_idx=row.step_idx,
                step=_view(row),
            )
            try:
                with Heartbeat(
                    self.journal, saga_id, worker, interval_seconds=self.heartbeat_seconds
                ):
                    drill_point(step.name, IN_COMPENSATION)
                    self._retrying(
                        step,
                        saga_id,
                        f"compensation of {step.name}",
                        lambda _attempt, s=step, st=state: s.compensate(st),
                    )
            except Exception as exc:
                message = describe_error(exc)
                self.log.error(
                    "saga %s: compensation of %s failed: %s", saga_id, step.name, message
                )
                failures.append(f"{step.name}: {message}")
                self.journal.record_compensation(
                    saga_id, row.step_idx, result="compensation_failed", error=message
                )
                continue
            self.log.info("saga %s: step %s compensated", saga_id, step.name)
            self.journal.record_compensation(saga_id, row.step_idx, result="compensated")
        if failures:
            return self.journal.transition(
                saga_id,
                SagaStatus.COMPENSATION_FAILED,
                error=f"{failure}; compensation failed: {'; '.join(failures)}",
            )
        self.log.info("saga %s: rolled back", saga_id)
        return self.journal.transition(saga_id, SagaStatus.ROLLED_BACK, error=failure)

    # ---- cancel --------------------------------------------------------------------------

    def request_cancel(self, saga_id: str) -> SagaRecord:
        """Ask the saga to stop; it is rolled back before its next step runs."""
        return self.journal.request_cancel(saga_id)

    # ---- helpers -------------------------------------------------------------------------

    def _retrying(self, step: Step, saga_id: str, what: str, attempt: Callable[[int], T]) -> T:
        """The one retry loop: ``attempt(n)`` for n = 1, 2, … until it succeeds or
        `retry_delay` says stop (then its error is raised)."""
        n = 0
        while True:
            n += 1
            try:
                return attempt(n)
            except StepError as exc:
                delay = retry_delay(step, exc, n)
                if delay is None:
                    raise
                self.log.warning(
                    "saga %s: %s attempt %s failed (%s); retrying in %.2fs",
                    saga_id,
                    what,
                    n,
                    describe_error(exc),
                    delay,
                )
                self._sleep(delay)

    def _check_definition(self, record: SagaRecord) -> None:
        if record.kind != self.definition.kind or record.step_names != self.definition.step_names:
            raise SagaDefinitionError(
                f"saga {record.saga_id} is a {record.kind!r} saga with steps "
                f"{list(record.step_names)}; this runner runs {self.definition.kind!r} "
                f"with {list(self.definition.step_names)}"
            )

    @staticmethod
    def _check_result(step: Step, state: SagaState, result: object) -> None:
        if not isinstance(result, SagaState) or result.saga_id != state.saga_id:
            raise SagaDefinitionError(
                f"step {step.name} must return the SagaState it was given (updated), "
                f"got {type(result).__name__}"
            )
        if result.inputs != state.inputs:
            raise SagaDefinitionError(f"step {step.name} changed the saga's inputs")
        check_json(result.context, what=f"the context step {step.name} returned")

    def _state(self, record: SagaRecord, step_idx: int) -> SagaState:
        return SagaState(
            saga_id=record.saga_id,
            kind=record.kind,
            inputs=record.inputs,
            context=record.context,
            step_idx=step_idx,
        )

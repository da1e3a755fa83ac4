"""The journal on both databases: legal transitions only, heartbeats, claims, cancel requests."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import saga_runs
from arcadia_cloud_core.saga import (
    FunctionStep,
    Heartbeat,
    IllegalTransitionError,
    SagaBusyError,
    SagaCancelledError,
    SagaDefinition,
    SagaDefinitionError,
    SagaJournal,
    SagaNotFoundError,
    SagaRunner,
    SagaStatus,
    StepStatus,
    Worker,
)


def _new_saga(journal: SagaJournal, saga_id: str = "s-1") -> None:
    journal.create(
        saga_id=saga_id,
        kind="test",
        step_names=["a", "b"],
        inputs={"x": 1},
        on_failure="compensate",
    )


def _status_in_db(engine: Engine, saga_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(saga_runs.c.status).where(saga_runs.c.saga_id == saga_id)
        ).scalar_one()


def test_create_is_idempotent_and_starts_pending(engine: Engine) -> None:
    journal = SagaJournal(engine)
    record, created = journal.create(
        saga_id="s-1", kind="test", step_names=["a", "b"], inputs={"x": 1}, on_failure="compensate"
    )
    again, created_again = journal.create(
        saga_id="s-1", kind="test", step_names=["a"], inputs={"x": 2}, on_failure="compensate"
    )
    assert created and not created_again
    assert record.status is SagaStatus.PENDING and again.inputs == {"x": 1}
    assert record.created_at.tzinfo is not None and record.on_failure == "compensate"
    assert journal.find("nope") is None
    with pytest.raises(SagaNotFoundError):
        journal.get("nope")


ILLEGAL_SAGA_MOVES = [
    ((), SagaStatus.COMPLETED),  # pending -> completed
    ((), SagaStatus.COMPENSATING),  # pending -> compensating (it must fail first)
    ((SagaStatus.RUNNING,), SagaStatus.ROLLED_BACK),
    ((SagaStatus.RUNNING,), SagaStatus.COMPENSATING),
    ((SagaStatus.RUNNING, SagaStatus.COMPLETED), SagaStatus.RUNNING),
    ((SagaStatus.RUNNING, SagaStatus.COMPLETED), SagaStatus.COMPENSATING),
    ((SagaStatus.RUNNING, SagaStatus.FAILED), SagaStatus.COMPLETED),
    ((SagaStatus.FAILED, SagaStatus.COMPENSATING, SagaStatus.ROLLED_BACK), SagaStatus.RUNNING),
    ((SagaStatus.FAILED, SagaStatus.COMPENSATING), SagaStatus.RUNNING),
]


def test_illegal_saga_transitions_are_refused_and_change_nothing(engine: Engine) -> None:
    journal = SagaJournal(engine)
    for n, (path, illegal) in enumerate(ILLEGAL_SAGA_MOVES):
        saga_id = f"s-{n}"
        _new_saga(journal, saga_id)
        for status in path:
            journal.transition(saga_id, status)
        before = _status_in_db(engine, saga_id)
        with pytest.raises(IllegalTransitionError) as info:
            journal.transition(saga_id, illegal)
        assert info.value.requested == illegal
        assert _status_in_db(engine, saga_id) == before


def test_illegal_step_transitions_are_refused(engine: Engine) -> None:
    journal = SagaJournal(engine)
    _new_saga(journal)
    worker = Worker.current()
    with pytest.raises(IllegalTransitionError, match="pending"):
        journal.start_step("s-1", 0, "a", worker=worker)  # the saga is not running yet
    journal.transition("s-1", SagaStatus.RUNNING, worker=worker)
    with pytest.raises(IllegalTransitionError, match="never started"):
        journal.complete_step("s-1", 0, output={}, context={})
    journal.start_step("s-1", 0, "a", worker=worker)
    journal.complete_step("s-1", 0, output={"a": 1}, context={"a": 1})
    again = journal.start_step("s-1", 0, "a", worker=worker)  # a completed step never reruns
    assert again.started is None and again.prior is not None and again.prior.attempts == 1
    with pytest.raises(IllegalTransitionError, match="completed -> failed"):
        journal.fail_step("s-1", 0, error="late")
    with pytest.raises(IllegalTransitionError, match="running, not compensating"):
        journal.record_compensation("s-1", 0, result="compensated")
    row = journal.step("s-1", 0)
    assert row is not None and row.status is StepStatus.COMPLETED and row.output == {"a": 1}
    assert row.attempts == 1


def test_the_step_names_must_match_the_journal(engine: Engine) -> None:
    journal = SagaJournal(engine)
    _new_saga(journal)
    journal.transition("s-1", SagaStatus.RUNNING)
    other = SagaDefinition("test", [FunctionStep("a", lambda s: s), FunctionStep("z", lambda s: s)])
    with pytest.raises(SagaDefinitionError, match="steps"):
        SagaRunner(journal, other).run_step("s-1", 1)


def test_expected_run_id_guards_a_claim(engine: Engine) -> None:
    journal = SagaJournal(engine)
    _new_saga(journal)
    journal.transition("s-1", SagaStatus.RUNNING, worker=Worker.current(dagster_run_id="run-b"))
    with pytest.raises(SagaBusyError, match="run-b"):
        journal.transition("s-1", SagaStatus.FAILED, expected_run_id="run-a")
    record = journal.transition("s-1", SagaStatus.FAILED, expected_run_id="run-b", error="dead")
    assert record.status is SagaStatus.FAILED and record.error == "dead"
    assert record.dagster_run_id == "run-b"


def test_heartbeat_thread_refreshes_the_saga_while_a_step_runs(engine: Engine) -> None:
    seen: list[datetime | None] = []
    journal = SagaJournal(engine)

    def slow(state):
        for _ in range(4):
            seen.append(journal.get(state.saga_id).heartbeat_at)
            time.sleep(0.12)
        return state

    runner = SagaRunner(
        journal,
        SagaDefinition("test", [FunctionStep("slow", slow)]),
        heartbeat_seconds=0.03,
    )
    assert runner.run("s-hb", inputs={}).status is SagaStatus.COMPLETED
    stamps = [stamp for stamp in seen if stamp is not None]
    assert len(stamps) == 4 and stamps == sorted(stamps)
    assert len(set(stamps)) >= 3  # it advanced while the step ran
    record = journal.get("s-hb")
    assert record.heartbeat_at is not None and record.heartbeat_at >= stamps[-1]


def test_heartbeat_context_manager_beats_until_exit_and_only_for_live_sagas(
    engine: Engine,
) -> None:
    journal = SagaJournal(engine)
    _new_saga(journal)
    worker = Worker(pid=4242, host="worker-7")
    journal.transition("s-1", SagaStatus.RUNNING, worker=Worker.current())
    first = journal.get("s-1").heartbeat_at
    with Heartbeat(journal, "s-1", worker, interval_seconds=0.03) as beat:
        time.sleep(0.25)
    assert beat.beats >= 3
    record = journal.get("s-1")
    assert record.heartbeat_at is not None and first is not None and record.heartbeat_at > first
    assert (record.worker_pid, record.worker_host) == (4242, "worker-7")
    time.sleep(0.1)
    assert journal.get("s-1").heartbeat_at == record.heartbeat_at  # stopped at exit
    assert not any(t.name.startswith("saga-heartbeat") for t in threading.enumerate())

    journal.transition("s-1", SagaStatus.COMPLETED)
    assert journal.heartbeat("s-1", worker) is False  # a finished saga has no heartbeat


def test_request_cancel_only_for_live_sagas(engine: Engine) -> None:
    journal = SagaJournal(engine)
    _new_saga(journal)
    assert journal.request_cancel("s-1").cancel_requested is True
    journal.transition("s-1", SagaStatus.RUNNING)
    with pytest.raises(SagaCancelledError):  # checked under the lock; nothing is written
        journal.start_step("s-1", 0, "a", worker=Worker.current())
    assert journal.step("s-1", 0) is None
    journal.transition("s-1", SagaStatus.COMPLETED)
    with pytest.raises(IllegalTransitionError, match="nothing to cancel"):
        journal.request_cancel("s-1")


def test_unsettled_lists_running_failed_and_compensating(engine: Engine) -> None:
    clock_at = datetime(2026, 1, 1, tzinfo=UTC)
    journal = SagaJournal(engine, clock=lambda: clock_at)
    statuses = {
        "s-pending": (),
        "s-running": (SagaStatus.RUNNING,),
        "s-failed": (SagaStatus.RUNNING, SagaStatus.FAILED),
        "s-comp": (SagaStatus.FAILED, SagaStatus.COMPENSATING),
        "s-done": (SagaStatus.RUNNING, SagaStatus.COMPLETED),
    }
    for saga_id, path in statuses.items():
        _new_saga(journal, saga_id)
        for status in path:
            journal.transition(saga_id, status)
        clock_at += timedelta(seconds=1)
    assert [r.saga_id for r in journal.unsettled()] == ["s-running", "s-failed", "s-comp"]
    assert journal.get("s-done").updated_at == datetime(2026, 1, 1, 0, 0, 4, tzinfo=UTC)

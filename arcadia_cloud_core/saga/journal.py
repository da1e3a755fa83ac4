"""The saga journal: `saga_runs` + `saga_step_results`, one small transaction per write.

Every status change goes through `status.check_saga_transition` / `check_step_transition` while
the saga row is locked (``SELECT … FOR UPDATE`` on Postgres, ``BEGIN IMMEDIATE`` on SQLite), so two
processes racing on one saga (a resume and the recovery sensor, say) cannot both win.

The engine's own bookkeeping (failure policy, what to do after the failure, the compensation log)
lives in the context document under the reserved key ``"_saga"``; `SagaRecord.context` is the
steps' context without it, `SagaRecord.meta` the bookkeeping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import saga_runs, saga_step_results
from arcadia_cloud_core.saga.errors import (
    IllegalTransitionError,
    SagaBusyError,
    SagaCancelledError,
    SagaDefinitionError,
    SagaNotFoundError,
)
from arcadia_cloud_core.saga.state import ENGINE_CONTEXT_KEY, check_json, thaw
from arcadia_cloud_core.saga.status import (
    UNSETTLED_SAGA_STATUSES,
    SagaStatus,
    StepStatus,
    check_saga_transition,
    check_step_transition,
)

#: Longest error text we journal (a traceback belongs in the Dagster logs, not in the row).
MAX_ERROR_CHARS = 2000


def utc_now() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Worker:
    """Who is executing a saga: the process (pid, host) and the Dagster run, when there is one."""

    pid: int
    host: str
    dagster_run_id: str | None = None

    @classmethod
    def current(cls, *, dagster_run_id: str | None = None) -> Worker:
        """This process."""
        return cls(pid=os.getpid(), host=socket.gethostname(), dagster_run_id=dagster_run_id)


@dataclass(frozen=True)
class SagaRecord:
    """One `saga_runs` row."""

    saga_id: str
    kind: str
    status: SagaStatus
    step_names: tuple[str, ...]
    current_step_idx: int
    inputs: Mapping[str, Any]
    context: Mapping[str, Any]
    meta: Mapping[str, Any]
    cancel_requested: bool
    error: str | None
    dagster_run_id: str | None
    worker_pid: int | None
    worker_host: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def on_failure(self) -> str:
        """The failure policy chosen when the saga started (`runner.OnFailure`)."""
        return str(self.meta.get("on_failure", "compensate"))

    @property
    def after_failure(self) -> str | None:
        """What was decided when it failed: ``"compensate"`` or ``"resume"`` (None: no failure)."""
        value = self.meta.get("after_failure")
        return str(value) if value is not None else None

    @property
    def compensation_log(self) -> list[dict[str, Any]]:
        """One entry per compensation attempt, in the order they ran."""
        return [dict(entry) for entry in self.meta.get("compensations", [])]

    @classmethod
    def from_row(cls, row: sa.Row[Any] | Mapping[str, Any]) -> SagaRecord:
        """From a `saga_runs` row (or a mapping of its columns)."""
        values = row._mapping if isinstance(row, sa.Row) else row
        document = dict(values["context"] or {})
        meta = dict(document.pop(ENGINE_CONTEXT_KEY, None) or {})
        return cls(
            saga_id=values["saga_id"],
            kind=values["kind"],
            status=SagaStatus(values["status"]),
            step_names=tuple(values["steps"] or ()),
            current_step_idx=values["current_step_idx"],
            inputs=dict(values["inputs"] or {}),
            context=document,
            meta=meta,
            cancel_requested=bool(values["cancel_requested"]),
            error=values["error"],
            dagster_run_id=values["dagster_run_id"],
            worker_pid=values["worker_pid"],
            worker_host=values["worker_host"],
            heartbeat_at=values["heartbeat_at"],
            created_at=values["created_at"],
            updated_at=values["updated_at"],
        )


@dataclass(frozen=True)
class StepRecord:
    """One `saga_step_results` row."""

    saga_id: str
    step_idx: int
    step_name: str
    status: StepStatus
    output: Mapping[str, Any] | None
    error: str | None
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> StepRecord:
        return cls(
            saga_id=row.saga_id,
            step_idx=row.step_idx,
            step_name=row.step_name,
            status=StepStatus(row.status),
            output=row.output,
            error=row.error,
            attempts=row.attempts,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@dataclass(frozen=True)
class StepStart:
    """What `SagaJournal.start_step` found and did.

    ``saga`` is the saga as it was locked (its context is the one the step must see), ``prior``
    the step's row before this attempt, ``started`` the row now — None when the step had already
    completed and nothing was written.
    """

    saga: SagaRecord
    prior: StepRecord | None
    started: StepRecord | None


class _Keep:
    """Sentinel: leave the column as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def clip_error(text: str) -> str:
    """An error message short enough to journal."""
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


@dataclass
class SagaJournal:
    """Reads and writes the journal of sagas; each write is its own short transaction."""

    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)

    # ---- reads ---------------------------------------------------------------------------

    def find(self, saga_id: str) -> SagaRecord | None:
        """The saga, or None when it was never started."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(saga_runs).where(saga_runs.c.saga_id == saga_id)).first()
        return SagaRecord.from_row(row) if row is not None else None

    def get(self, saga_id: str) -> SagaRecord:
        """The saga; `SagaNotFoundError` when it is not in the journal."""
        record = self.find(saga_id)
        if record is None:
            raise SagaNotFoundError(f"saga {saga_id} is not in the journal")
        return record

    def steps(self, saga_id: str) -> list[StepRecord]:
        """The saga's step rows in step order (only steps that were started have one)."""
        query = (
            sa.select(saga_step_results)
            .where(saga_step_results.c.saga_id == saga_id)
            .order_by(saga_step_results.c.step_idx)
        )
        with self.engine.connect() as conn:
            return [StepRecord.from_row(row) for row in conn.execute(query)]

    def step(self, saga_id: str, step_idx: int) -> StepRecord | None:
        """One step's row, or None when the step never started."""
        with self.engine.connect() as conn:
            row = self._step_row(conn, saga_id, step_idx)
        return StepRecord.from_row(row) if row is not None else None

    def unsettled(self) -> list[SagaRecord]:
        """Sagas that are running, compensating, or failed and waiting (oldest first)."""
        query = (
            sa.select(saga_runs)
            .where(saga_runs.c.status.in_([s.value for s in UNSETTLED_SAGA_STATUSES]))
            .order_by(saga_runs.c.created_at)
        )
        with self.engine.connect() as conn:
            return [SagaRecord.from_row(row) for row in conn.execute(query)]

    # ---- saga writes ---------------------------------------------------------------------

    def create(
        self,
        *,
        saga_id: str,
        kind: str,
        step_names: Sequence[str],
        inputs: Mapping[str, Any],
        on_failure: str,
    ) -> tuple[SagaRecord, bool]:
        """Insert a `pending` saga; returns (record, created): an existing one is returned as is."""
        check_json(inputs, what=f"saga {saga_id} inputs")
        now = self.clock()
        values = {
            "saga_id": saga_id,
            "kind": kind,
            "status": SagaStatus.PENDING.value,
            "steps": list(step_names),
            "current_step_idx": 0,
            "inputs": thaw(inputs),
            "context": {ENGINE_CONTEXT_KEY: {"on_failure": on_failure, "compensations": []}},
            "cancel_requested": False,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(saga_runs.insert().values(**values))
        except sa.exc.IntegrityError:
            return self.get(saga_id), False
        columns = {column.name: None for column in saga_runs.columns}
        return SagaRecord.from_row({**columns, **values}), True

    def transition(
        self,
        saga_id: str,
        to: SagaStatus,
        *,
        allowed_from: Collection[SagaStatus] | None = None,
        expected_run_id: str | _Keep | None = KEEP,
        error: str | _Keep | None = KEEP,
        worker: Worker | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> SagaRecord:
        """Change the saga's status (checked), optionally claiming it for ``worker``.

        ``allowed_from`` narrows the legal starting statuses for this call; ``expected_run_id``
        refuses the change (`SagaBusyError`) when another Dagster run has claimed the saga since.
        ``meta`` entries are merged into the engine bookkeeping.
        """
        with self.engine.begin() as conn:
            row = self._lock(conn, saga_id)
            current = SagaStatus(row.status)
            if allowed_from is not None and current not in allowed_from:
                allowed = ", ".join(sorted(s.value for s in allowed_from))
                raise IllegalTransitionError(
                    f"saga {saga_id} is {current}; -> {to} is only allowed from {allowed} here",
                    current=current,
                    requested=to,
                )
            if not isinstance(expected_run_id, _Keep) and row.dagster_run_id != expected_run_id:
                raise SagaBusyError(
                    f"saga {saga_id} now belongs to Dagster run {row.dagster_run_id}, "
                    f"not {expected_run_id}"
                )
            check_saga_transition(current, to, saga_id=saga_id)
            values: dict[str, Any] = {"status": to.value, "updated_at": self.clock()}
            if not isinstance(error, _Keep):
                values["error"] = clip_error(error) if error is not None else None
            if worker is not None:
                values.update(self._claim_values(worker))
            if meta:
                values["context"] = _with_meta(row.context, meta)
            conn.execute(saga_runs.update().where(saga_runs.c.saga_id == saga_id).values(values))
        return SagaRecord.from_row({**row._mapping, **values})

    def heartbeat(self, saga_id: str, worker: Worker) -> bool:
        """Refresh ``heartbeat_at`` (and the worker) while the saga runs or compensates.

        Returns False when the saga is no longer in one of those statuses.
        """
        active = [SagaStatus.RUNNING.value, SagaStatus.COMPENSATING.value]
        with self.engine.begin() as conn:
            result = conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id, saga_runs.c.status.in_(active))
                .values(heartbeat_at=self.clock(), worker_pid=worker.pid, worker_host=worker.host)
            )
        return result.rowcount > 0

    def request_cancel(self, saga_id: str) -> SagaRecord:
        """Ask a pending, running or failed saga to stop: it is rolled back before its next step."""
        cancellable = {SagaStatus.PENDING, SagaStatus.RUNNING, SagaStatus.FAILED}
        with self.engine.begin() as conn:
            row = self._lock(conn, saga_id)
            if SagaStatus(row.status) not in cancellable:
                raise IllegalTransitionError(
                    f"saga {saga_id} is {row.status}: there is nothing to cancel",
                    current=row.status,
                    requested="cancel",
                )
            conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id)
                .values(cancel_requested=True, updated_at=self.clock())
            )
        return self.get(saga_id)

    # ---- step writes ---------------------------------------------------------------------

    def start_step(
        self,
        saga_id: str,
        step_idx: int,
        step_name: str,
        *,
        worker: Worker,
        kind: str | None = None,
    ) -> StepStart:
        """Journal the step ``running`` (attempts + 1) before its action runs.

        In one transaction, with the saga locked: the saga must be ``running`` (and of ``kind``,
        and owned by the worker's Dagster run when it has one); a step already ``completed`` is
        left alone (``started`` is None: skip it); a cancel request raises `SagaCancelledError`
        before anything is written.
        """
        with self.engine.begin() as conn:
            saga = self._lock(conn, saga_id)
            self._require(saga, SagaStatus.RUNNING, f"start step {step_idx} ({step_name})")
            names = list(saga.steps or ())
            if (kind is not None and saga.kind != kind) or (
                step_idx >= len(names) or names[step_idx] != step_name
            ):
                raise SagaDefinitionError(
                    f"saga {saga_id} is a {saga.kind!r} saga with steps {names}; "
                    f"step {step_idx} is not {step_name!r}" + (f" of {kind!r}" if kind else "")
                )
            run_id = worker.dagster_run_id
            if run_id is not None and saga.dagster_run_id != run_id:
                raise SagaBusyError(
                    f"saga {saga_id} belongs to Dagster run {saga.dagster_run_id}, not {run_id}"
                )
            row = self._step_row(conn, saga_id, step_idx)
            prior = StepRecord.from_row(row) if row is not None else None
            record = SagaRecord.from_row(saga)
            if prior is not None and prior.status is StepStatus.COMPLETED:
                return StepStart(saga=record, prior=prior, started=None)
            if saga.cancel_requested:
                raise SagaCancelledError(f"saga {saga_id} was cancelled before step {step_name}")
            check_step_transition(
                prior.status if prior else None,
                StepStatus.RUNNING,
                saga_id=saga_id,
                step_idx=step_idx,
            )
            now = self.clock()
            if prior is None:
                conn.execute(
                    saga_step_results.insert().values(
                        saga_id=saga_id,
                        step_idx=step_idx,
                        step_name=step_name,
                        status=StepStatus.RUNNING.value,
                        attempts=1,
                        started_at=now,
                    )
                )
            else:
                conn.execute(
                    self._step_update(saga_id, step_idx).values(
                        status=StepStatus.RUNNING.value,
                        attempts=prior.attempts + 1,
                        started_at=now,
                        finished_at=None,
                        error=None,
                    )
                )
            conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id)
                .values(current_step_idx=step_idx, updated_at=now, **self._claim_values(worker))
            )
        started = StepRecord(
            saga_id=saga_id,
            step_idx=step_idx,
            step_name=step_name,
            status=StepStatus.RUNNING,
            output=prior.output if prior is not None else None,
            error=None,
            attempts=prior.attempts + 1 if prior is not None else 1,
            started_at=now,
            finished_at=None,
        )
        return StepStart(saga=record, prior=prior, started=started)

    def complete_step(
        self,
        saga_id: str,
        step_idx: int,
        *,
        output: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> None:
        """Journal the step ``completed`` with its output, and save the saga's new context."""
        check_json(output, what=f"saga {saga_id} step {step_idx} output")
        check_json(context, what=f"saga {saga_id} context after step {step_idx}")
        with self.engine.begin() as conn:
            saga = self._lock(conn, saga_id)
            self._require(saga, SagaStatus.RUNNING, f"complete step {step_idx}")
            self._set_step(conn, saga_id, step_idx, StepStatus.COMPLETED, output=output, error=None)
            meta = (saga.context or {}).get(ENGINE_CONTEXT_KEY, {})
            now = self.clock()
            conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id)
                .values(
                    context={**thaw(context), ENGINE_CONTEXT_KEY: meta},
                    current_step_idx=step_idx + 1,
                    heartbeat_at=now,
                    updated_at=now,
                )
            )

    def fail_step(
        self,
        saga_id: str,
        step_idx: int,
        *,
        error: str,
        output: Mapping[str, Any] | None = None,
        saga_error: str | None = None,
        after_failure: str | None = None,
    ) -> None:
        """Journal a failed attempt; with ``saga_error`` the saga fails too (same transaction)."""
        if output is not None:
            check_json(output, what=f"saga {saga_id} step {step_idx} partial output")
        with self.engine.begin() as conn:
            saga = self._lock(conn, saga_id)
            self._require(saga, SagaStatus.RUNNING, f"fail step {step_idx}")
            self._set_step(
                conn,
                saga_id,
                step_idx,
                StepStatus.FAILED,
                output=output if output is not None else KEEP,
                error=error,
            )
            if saga_error is None:
                return
            check_saga_transition(SagaStatus.RUNNING, SagaStatus.FAILED, saga_id=saga_id)
            conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id)
                .values(
                    status=SagaStatus.FAILED.value,
                    error=clip_error(saga_error),
                    context=_with_meta(saga.context, {"after_failure": after_failure}),
                    updated_at=self.clock(),
                )
            )

    def record_compensation(
        self,
        saga_id: str,
        step_idx: int,
        *,
        result: str,
        error: str | None = None,
    ) -> None:
        """Journal one compensation: ``result`` is compensated, no_compensation or failed.

        The step row becomes ``compensated`` (also when there was nothing to undo) or
        ``compensation_failed``; an entry is appended to the saga's compensation log.
        """
        status = StepStatus.COMPENSATION_FAILED if error is not None else StepStatus.COMPENSATED
        with self.engine.begin() as conn:
            saga = self._lock(conn, saga_id)
            self._require(saga, SagaStatus.COMPENSATING, f"compensate step {step_idx}")
            row = self._set_step(
                conn,
                saga_id,
                step_idx,
                status,
                error=f"compensation failed: {error}" if error is not None else KEEP,
            )
            now = self.clock()
            meta = dict((saga.context or {}).get(ENGINE_CONTEXT_KEY) or {})
            entry = {
                "step_idx": step_idx,
                "step": row.step_name,
                "result": result,
                "error": clip_error(error) if error is not None else None,
                "at": now.isoformat(),
            }
            meta["compensations"] = [*meta.get("compensations", []), entry]
            conn.execute(
                saga_runs.update()
                .where(saga_runs.c.saga_id == saga_id)
                .values(
                    context={**dict(saga.context or {}), ENGINE_CONTEXT_KEY: meta},
                    heartbeat_at=now,
                    updated_at=now,
                )
            )

    # ---- helpers -------------------------------------------------------------------------

    def _lock(self, conn: sa.Connection, saga_id: str) -> sa.Row[Any]:
        query = sa.select(saga_runs).where(saga_runs.c.saga_id == saga_id).with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise SagaNotFoundError(f"saga {saga_id} is not in the journal")
        return row

    @staticmethod
    def _require(saga: sa.Row[Any], status: SagaStatus, action: str) -> None:
        if saga.status != status.value:
            raise IllegalTransitionError(
                f"saga {saga.saga_id} is {saga.status}, not {status}: cannot {action}",
                current=saga.status,
                requested=status,
            )

    @staticmethod
    def _step_row(conn: sa.Connection, saga_id: str, step_idx: int) -> sa.Row[Any] | None:
        query = sa.select(saga_step_results).where(
            saga_step_results.c.saga_id == saga_id, saga_step_results.c.step_idx == step_idx
        )
        return conn.execute(query).first()

    @staticmethod
    def _step_update(saga_id: str, step_idx: int) -> sa.Update:
        return saga_step_results.update().where(
            saga_step_results.c.saga_id == saga_id, saga_step_results.c.step_idx == step_idx
        )

    def _set_step(
        self,
        conn: sa.Connection,
        saga_id: str,
        step_idx: int,
        status: StepStatus,
        *,
        output: Mapping[str, Any] | _Keep | None = KEEP,
        error: str | _Keep | None = KEEP,
    ) -> sa.Row[Any]:
        row = self._step_row(conn, saga_id, step_idx)
        if row is None:
            raise IllegalTransitionError(
                f"saga {saga_id} step {step_idx} never started: cannot mark it {status}",
                current=None,
                requested=status,
            )
        check_step_transition(StepStatus(row.status), status, saga_id=saga_id, step_idx=step_idx)
        values: dict[str, Any] = {"status": status.value}
        if status in (StepStatus.COMPLETED, StepStatus.FAILED):
            values["finished_at"] = self.clock()
        if not isinstance(output, _Keep):
            values["output"] = thaw(output) if output is not None else None
        if not isinstance(error, _Keep):
            values["error"] = clip_error(error) if error is not None else None
        conn.execute(self._step_update(saga_id, step_idx).values(values))
        return row

    def _claim_values(self, worker: Worker) -> dict[str, Any]:
        values: dict[str, Any] = {
            "worker_pid": worker.pid,
            "worker_host": worker.host,
            "heartbeat_at": self.clock(),
        }
        if worker.dagster_run_id is not None:
            values["dagster_run_id"] = worker.dagster_run_id
        return values


def _with_meta(document: Mapping[str, Any] | None, updates: Mapping[str, Any]) -> dict[str, Any]:
    """The context document with ``updates`` merged into the engine's bookkeeping."""
    context = dict(document or {})
    meta = dict(context.get(ENGINE_CONTEXT_KEY) or {})
    meta.update(updates)
    context[ENGINE_CONTEXT_KEY] = meta
    return context

"""Liveness: a background thread refreshes the saga's heartbeat while a step (or compensation) runs.

The recovery sensor compares ``heartbeat_at`` (and, on the same host, whether ``worker_pid`` is
still alive) to tell a dead run from a slow one.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from arcadia_cloud_core.saga.journal import SagaJournal, Worker

log = logging.getLogger(__name__)

#: How often a running step refreshes the heartbeat.
DEFAULT_HEARTBEAT_SECONDS = 5.0


class Heartbeat:
    """A context manager: beats every ``interval_seconds`` until exit.

    The journal write that starts a step (or compensation) is its first beat.

    A failed beat (database briefly unreachable) is logged and retried on the next tick; it never
    fails the step.
    """

    def __init__(
        self,
        journal: SagaJournal,
        saga_id: str,
        worker: Worker,
        *,
        interval_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("heartbeat interval must be positive")
        self.journal = journal
        self.saga_id = saga_id
        self.worker = worker
        self.interval_seconds = interval_seconds
        self.beats = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Write one heartbeat now."""
        try:
            if self.journal.heartbeat(self.saga_id, self.worker):
                self.beats += 1
        except Exception as exc:  # a missed beat must not fail the step
            log.warning("saga %s: heartbeat failed: %s", self.saga_id, exc)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            self.beat()

    def __enter__(self) -> Heartbeat:
        self._thread = threading.Thread(
            target=self._run, name=f"saga-heartbeat-{self.saga_id[:8]}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.interval_seconds))

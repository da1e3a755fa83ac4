"""A watchdog that makes a run worker honour a cancel request its executor left pending.

Why (issue 17, checked in dagster 1.13.27): a step waiting for a pool slot waits inside the
in-process executor's plan loop (``dagster/_core/execution/plan/execute_plan.py``), in no step's
user code. The worker captures SIGINT/SIGTERM (``capture_interrupts``) and raises them only on
entering user code; that loop never checks for them (the multiprocess executor does), so a
cancel from the UI (which interrupts the worker) or a SIGTERM is ignored until a slot frees. It
also never sleeps: ``InstanceConcurrencyContext.interval_to_next_pending_claim_check`` returns
``min([0, …])``, never positive, so the loop spins at full CPU while blocked.

The watchdog polls whether the run was asked to stop; if that request is still pending after a
grace period (Dagster would have acted on it within a second in user code), it raises the
interrupt exception in the thread that executes the run, as the signal would have: the executor
unwinds, drops its queued slot claims and reports the run canceled. No Dagster import here (the
``resources`` module wires it in).
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 2.0
DEFAULT_GRACE_SECONDS = 6.0


def raise_in_thread(thread_id: int, exception: type[BaseException]) -> bool:
    """Raise ``exception`` asynchronously in the thread ``thread_id`` (at its next bytecode)."""
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception)
    )
    if changed > 1:  # more than one thread state touched: undo (CPython's documented contract)
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
        return False
    return changed == 1


class CancelWatchdog:
    """Interrupts ``thread_id`` once ``stop_requested()`` has held for ``grace_seconds``."""

    def __init__(
        self,
        *,
        stop_requested: Callable[[], bool],
        interrupt: type[BaseException],
        thread_id: int | None = None,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
        name: str = "run",
    ) -> None:
        self._stop_requested = stop_requested
        self._interrupt = interrupt
        self._thread_id = thread_id if thread_id is not None else threading.get_ident()
        self._poll_seconds = poll_seconds
        self._grace_seconds = grace_seconds
        self._name = name
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name=f"cancel-watchdog-{name}", daemon=True
        )
        self.fired = False

    def start(self) -> CancelWatchdog:
        """Start watching (a daemon thread: it never keeps the process alive)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (the run is over)."""
        self._done.set()

    def _watch(self) -> None:
        requested_since: float | None = None
        while not self._done.wait(self._poll_seconds):
            try:
                requested = self._stop_requested()
            except Exception as exc:  # the database may be briefly unreachable: look again
                log.debug("cancel watchdog of %s: no run status: %s", self._name, exc)
                continue
            if not requested:
                requested_since = None
                continue
            now = time.monotonic()
            if requested_since is None:
                requested_since = now
                continue
            if now - requested_since >= self._grace_seconds and not self._done.is_set():
                log.warning(
                    "%s was asked to stop %.0f s ago and is still running (a step waiting for "
                    "a pool slot ignores the interrupt): interrupting it",
                    self._name,
                    now - requested_since,
                )
                self.fired = raise_in_thread(self._thread_id, self._interrupt)
                return

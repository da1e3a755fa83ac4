"""CancelWatchdog: a thread that ignores a stop request is interrupted after the grace period,
and only then; a watchdog stopped in time never fires."""

from __future__ import annotations

import threading
import time

from arcadia_cloud_core.cancel_watchdog import CancelWatchdog


class Interrupted(Exception):
    """Stands in for Dagster's DagsterExecutionInterruptedError."""


def _spin(flag: dict[str, object], ready: threading.Event, seconds: float) -> None:
    """Busy-loop (like Dagster's blocked plan loop) until interrupted or ``seconds`` pass."""
    flag["ident"] = threading.get_ident()
    ready.set()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            pass
        flag["outcome"] = "ran out"
    except Interrupted:
        flag["outcome"] = "interrupted"
        flag["at"] = time.monotonic()


def _start_spinner(seconds: float) -> tuple[threading.Thread, dict[str, object]]:
    flag: dict[str, object] = {}
    ready = threading.Event()
    thread = threading.Thread(target=_spin, args=(flag, ready, seconds))
    thread.start()
    ready.wait(5)
    return thread, flag


def test_a_pending_stop_request_interrupts_the_run_thread_after_the_grace() -> None:
    thread, flag = _start_spinner(10.0)
    requested_at = time.monotonic()
    watchdog = CancelWatchdog(
        stop_requested=lambda: True,
        interrupt=Interrupted,
        thread_id=int(flag["ident"]),  # type: ignore[call-overload]
        poll_seconds=0.05,
        grace_seconds=0.3,
    ).start()
    thread.join(5)
    assert flag["outcome"] == "interrupted" and watchdog.fired
    waited = float(flag["at"]) - requested_at  # type: ignore[arg-type]
    assert 0.3 <= waited < 2.0


def test_no_request_or_a_stopped_watchdog_never_interrupts() -> None:
    thread, flag = _start_spinner(0.8)
    requested = {"value": False}
    quiet = CancelWatchdog(
        stop_requested=lambda: requested["value"],
        interrupt=Interrupted,
        thread_id=int(flag["ident"]),  # type: ignore[call-overload]
        poll_seconds=0.05,
        grace_seconds=0.2,
    ).start()
    stopped = CancelWatchdog(
        stop_requested=lambda: True,
        interrupt=Interrupted,
        thread_id=int(flag["ident"]),  # type: ignore[call-overload]
        poll_seconds=0.05,
        grace_seconds=0.5,
    ).start()
    time.sleep(0.2)
    stopped.stop()  # the run ended before the grace ran out
    thread.join(5)
    assert flag["outcome"] == "ran out"
    assert not quiet.fired and not stopped.fired

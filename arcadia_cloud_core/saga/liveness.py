"""Is the run working on a saga alive? The journal's heartbeat and worker pid, plus what the
orchestrator says of the run, decide (see `arcadia_cloud_ops.recovery` for the sensor that acts).

- run ended (success, failure, cancelled): dead — its hook, if any, did not settle the saga;
- run executing (started, cancelling): alive while the heartbeat is fresh, or — on this host —
  while the worker pid still exists (slow, not dead); otherwise dead, and the run must be
  marked failed;
- run waiting (queued, starting): alive (the orchestrator handles a start that hangs);
- no run known: the heartbeat (and pid) alone decide.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from arcadia_cloud_core.saga.journal import SagaRecord

__all__ = ["Liveness", "RunPhase", "RunView", "assess_liveness", "pid_alive"]


class RunPhase(StrEnum):
    """Where the orchestrator's run is, as far as liveness cares."""

    ENDED = "ended"
    EXECUTING = "executing"
    WAITING = "waiting"


@dataclass(frozen=True)
class RunView:
    """The orchestrator's run of a saga: its phase, and its own status name (for reasons)."""

    phase: RunPhase
    status: str


@dataclass(frozen=True)
class Liveness:
    """Whether a saga's run is alive, why, and whether its run must be marked failed."""

    alive: bool
    reason: str
    mark_run_failed: bool = False


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def assess_liveness(
    record: SagaRecord,
    run: RunView | None,
    *,
    now: datetime,
    stale_after: timedelta,
    host: str,
    is_pid_alive: Callable[[int], bool] = pid_alive,
) -> Liveness:
    """Decide whether the run working on ``record`` is alive (see the module docstring)."""
    if run is not None and run.phase is RunPhase.ENDED:
        return Liveness(False, f"its Dagster run ended {run.status}")
    if run is not None and run.phase is RunPhase.WAITING:
        return Liveness(True, f"its Dagster run is {run.status}")
    age = now - (record.heartbeat_at or record.updated_at)
    if age <= stale_after:
        return Liveness(True, f"heartbeat {age.total_seconds():.0f}s ago")
    if record.worker_host == host and record.worker_pid and is_pid_alive(record.worker_pid):
        return Liveness(True, f"heartbeat stale but worker pid {record.worker_pid} is alive")
    where = f"pid {record.worker_pid} on {record.worker_host}"
    return Liveness(
        False,
        f"no heartbeat for {age.total_seconds():.0f}s and the worker ({where}) is gone",
        mark_run_failed=run is not None,
    )

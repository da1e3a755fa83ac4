"""Module-level job loaders for `dg.reconstructable` (execute_job needs an importable target),
and running a saga job while it is cancelled."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import dagster as dg

from arcadia_cloud_core.saga import SagaJournal, SagaRecord, SagaStatus
from arcadia_cloud_ops.definitions import build_definitions


def saga_demo_job() -> dg.JobDefinition:
    """``saga_demo`` with the resources bound, reading ARCADIA_DATABASE_URL at call time."""
    return build_definitions().get_job_def("saga_demo")


def run_and_cancel(
    defs: dg.Definitions,
    journal: SagaJournal,
    launch: Callable[[], dg.ExecuteInProcessResult],
    *,
    when: Callable[[SagaRecord], bool] = lambda _record: True,
    timeout: float = 20.0,
) -> dg.ExecuteInProcessResult:
    """Run ``launch`` on a thread; once its saga is running and ``when`` holds for it, request
    its cancellation through the ``request_saga_cancel`` job; the run's result."""
    outcome: dict[str, dg.ExecuteInProcessResult] = {}
    worker = threading.Thread(target=lambda: outcome.update(result=launch()))
    worker.start()
    deadline = time.monotonic() + timeout
    saga = None
    while saga is None and time.monotonic() < deadline:
        running = (r for r in journal.unsettled() if r.status is SagaStatus.RUNNING and when(r))
        saga = next(running, None)
        time.sleep(0.02)
    assert saga is not None, f"no saga was running within {timeout} s"
    cancel = defs.get_job_def("request_saga_cancel").execute_in_process(
        run_config={"ops": {"request_saga_cancel_op": {"config": {"saga_id": saga.saga_id}}}}
    )
    assert cancel.success
    worker.join(timeout=30)
    return outcome["result"]

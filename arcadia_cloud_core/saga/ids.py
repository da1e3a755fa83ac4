"""Saga ids: one saga per Dagster root run, so a re-execution resumes the same saga."""

from __future__ import annotations


def saga_id_for_run(run_id: str, root_run_id: str | None) -> str:
    """The saga id of a Dagster run: its root run id, or its own id for a first run.

    Re-executing a run (from failure, or all steps) creates a new run whose ``root_run_id`` is the
    first run's id, so every re-execution journals into the same saga.
    """
    if not run_id:
        raise ValueError("run_id is required")
    return root_run_id or run_id

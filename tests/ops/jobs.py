"""Module-level job loaders for `dg.reconstructable` (execute_job needs an importable target)."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_ops.definitions import build_definitions


def saga_demo_job() -> dg.JobDefinition:
    """``saga_demo`` with the resources bound, reading ARCADIA_DATABASE_URL at call time."""
    return build_definitions().get_job_def("saga_demo")

"""The `arcadia_cloud_ops` code location: provisioning sagas as op jobs."""

from __future__ import annotations

import dagster as dg

from arcadia_cloud_core.resources import shared_resources


def build_definitions() -> dg.Definitions:
    """The saga jobs, their sensors and the shared resources."""
    return dg.Definitions(resources=shared_resources())


defs = build_definitions()

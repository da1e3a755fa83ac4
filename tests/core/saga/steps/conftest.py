"""Fixtures for the step tests: one zero-lag simulator per module, a client, bound services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.saga.steps.services import StepServices, bind_services
from arcadia_cloud_sim.launcher import SimulatorHandle
from tests.core.saga.steps.world import client, zero_lag_admin, zero_lag_sim  # noqa: F401


@pytest.fixture(scope="module")
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    """A provisioning client against the simulator."""
    with client(sim) as do_client:
        yield do_client


@pytest.fixture
def services(sqlite_engine: Engine, do: DOClient) -> Iterator[StepServices]:
    """Step services bound for the test (SQLite app database)."""
    with bind_services(StepServices(engine=sqlite_engine, do_client=do)) as bound:
        yield bound

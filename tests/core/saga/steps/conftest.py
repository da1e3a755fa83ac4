"""Fixtures for the step tests: one zero-lag simulator per module, a client, bound services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.saga.steps.services import StepServices, bind_services
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.core.saga.steps.world import client, simulator


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A fresh default-scenario simulator with zero lags for the module."""
    with simulator(tmp_path_factory.mktemp("sim")) as handle:
        yield handle


@pytest.fixture
def admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """Admin access to the simulator; lags and faults reset after each test."""
    with SimAdmin(sim) as sim_admin:
        yield sim_admin
        sim_admin.set_config(
            fault_rate=0.0, droplet_active_lag=0, action_lag=0, snapshot_list_lag=0
        )


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

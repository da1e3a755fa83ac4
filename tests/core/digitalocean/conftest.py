"""Fixtures: a real simulator subprocess per test module, admin access, and client factories."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

from .helpers import api_status_counts, fresh_token

#: Live settings every test starts from (and is restored to): no faults, DO's real budget.
BASELINE = {
    "fault_rate": 0.0,
    "fault_kinds": "500,502,503",
    "fault_paths": "",
    "latency_ms": 0,
    "slow_seconds": 35.0,
    "rate_limit_minute": 250,
    "rate_limit_hour": 5000,
    "burst_window": 60.0,
}


class SimTokens:
    """Tokens the module's simulator accepts; each client takes one never used before."""

    def __init__(self, count: int = 64) -> None:
        self.tokens = [fresh_token("sim") for _ in range(count)]
        self._next = 0

    def take(self) -> str:
        token = self.tokens[self._next]
        self._next += 1
        return token


@pytest.fixture(scope="module")
def sim_tokens() -> SimTokens:
    return SimTokens()


def simulator_args(tokens: SimTokens) -> list[str]:
    """Flags shared by the module simulators (only our tokens are valid: 401 otherwise)."""
    return [
        "--tokens",
        ",".join(tokens.tokens),
        "--droplet-active-lag",
        "0.2",
        "--action-lag",
        "0.2",
        "--snapshot-list-lag",
        "0.2",
        "--snapshot-delete-linger",
        "0",
    ]


@pytest.fixture(scope="module")
def sim(
    tmp_path_factory: pytest.TempPathFactory, sim_tokens: SimTokens
) -> Iterator[SimulatorHandle]:
    """The ``default`` scenario on a free 127.0.0.1 port, fresh state for this module."""
    state = tmp_path_factory.mktemp("do-sim") / "sim.sqlite3"
    with running_simulator(state_path=state, extra_args=simulator_args(sim_tokens)) as handle:
        yield handle


@pytest.fixture
def admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """Admin access with baseline settings and zeroed stats; settings restored afterwards."""
    with SimAdmin(sim) as sim_admin:
        sim_admin.set_config(**BASELINE)
        sim_admin.reset_stats()
        yield sim_admin
        sim_admin.set_config(**BASELINE)


ClientFactory = Callable[..., DOClient]


@pytest.fixture
def make_do(sim: SimulatorHandle, sim_tokens: SimTokens) -> Iterator[ClientFactory]:
    """Build ``DOClient``s on the simulator, each with a token (and budget) of its own."""
    clients: list[DOClient] = []

    def factory(**kwargs: Any) -> DOClient:
        kwargs.setdefault("token", sim_tokens.take())
        kwargs.setdefault("base_url", sim.base_url)
        client = DOClient(**kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
    # Let the simulator finish what this test sent (a timed-out request is still being
    # served) so it cannot show up in the next test's stats.
    sent = sum(client.requests_made for client in clients)
    with SimAdmin(sim) as sim_admin:
        deadline = time.monotonic() + 10.0
        while sum(api_status_counts(sim_admin.stats()).values()) < sent:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)

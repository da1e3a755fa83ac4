"""Simulator fixtures: a session-wide default-scenario server and fresh servers on demand.

Every server is a real subprocess on 127.0.0.1 started by
:func:`arcadia_cloud_sim.launcher.running_simulator`, with short lags so tests stay fast;
``tls_sim`` serves HTTPS too, for DO's own SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

TOKEN = "dop_v1_test_token"
#: Lags short enough for tests, long enough to observe the intermediate state.
FAST_LAGS: tuple[str, ...] = (
    "--droplet-active-lag",
    "0.6",
    "--action-lag",
    "0.6",
    "--snapshot-list-lag",
    "1.0",
    "--snapshot-delete-linger",
    "1.0",
)

StartSimulator = Callable[..., AbstractContextManager[SimulatorHandle]]


def api_client(
    handle: SimulatorHandle, token: str | None = TOKEN, timeout: float = 10.0
) -> httpx.Client:
    """An httpx client for the DO API of ``handle`` (bearer ``token``; None sends none)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=handle.base_url, headers=headers, timeout=timeout)


@pytest.fixture(scope="session")
def start_simulator(tmp_path_factory: pytest.TempPathFactory) -> StartSimulator:
    """Start a fresh simulator (own state file): ``with start_simulator(scenario=...) as sim``."""

    @contextmanager
    def start(
        *,
        scenario: str = "default",
        seed: int = 42,
        extra_args: Sequence[str] = FAST_LAGS,
        state_path: Path | None = None,
        startup_timeout: float = 60.0,
        tls: bool = False,
    ) -> Iterator[SimulatorHandle]:
        path = state_path or tmp_path_factory.mktemp("sim") / "state.sqlite3"
        with running_simulator(
            state_path=path,
            scenario=scenario,
            seed=seed,
            extra_args=extra_args,
            startup_timeout=startup_timeout,
            tls=tls,
        ) as sim:
            yield sim

    return start


@pytest.fixture(scope="session")
def sim(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    """The session's default-scenario server. Read-only use: mutate on a fresh server."""
    with start_simulator() as handle:
        yield handle


@pytest.fixture(scope="session")
def api(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    """A DO API client for the session server."""
    with api_client(sim) as client:
        yield client


@pytest.fixture(scope="session")
def admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """The admin client of the session server."""
    with SimAdmin(sim) as client:
        yield client


#: The TLS server: shorter lags still (its write flows wait for each step, polling) and a rate
#: budget those polls never exhaust; DO's endpoint limits (SSH keys, CDN) in windows 1000x
#: shorter, as pydo does not pace them (it is run with no retries).
TLS_ARGS: tuple[str, ...] = (
    "--droplet-active-lag",
    "0.05",
    "--action-lag",
    "0.05",
    "--snapshot-list-lag",
    "0.05",
    "--snapshot-delete-linger",
    "0.05",
    "--rate-limit-minute",
    "5000",
    "--rate-limit-hour",
    "50000",
    "--endpoint-window-scale",
    "0.001",
)


@pytest.fixture(scope="session")
def tls_sim(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    """A default-scenario server with its HTTPS listener too (for SDKs that need TLS: pydo).

    Its own state: the pydo tests read it, then run their write flows on it.
    """
    with start_simulator(tls=True, extra_args=TLS_ARGS) as handle:
        assert handle.tls_base_url and handle.tls_ca_file
        yield handle


@pytest.fixture(scope="module")
def fresh(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    """A default-scenario simulator of this test module's own (its state is the module's)."""
    with start_simulator() as handle:
        yield handle


@pytest.fixture
def client(fresh: SimulatorHandle) -> Iterator[httpx.Client]:
    """An API client of the module's own simulator (modules may bind ``client`` otherwise)."""
    with api_client(fresh) as c:
        yield c

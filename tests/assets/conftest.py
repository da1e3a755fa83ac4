"""Fixtures for asset tests: a simulator with zero lags and resources pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource, SpacesResource
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator
from arcadia_cloud_sim.settings import SimSettings

#: DO's endpoint limits (SSH keys 10/60 s, CDN 5/10 s) in windows 100x shorter, on both sides.
ENDPOINT_WINDOW_SCALE = 0.01
ENDPOINT_WINDOWS = ("--endpoint-window-scale", str(ENDPOINT_WINDOW_SCALE))
ZERO_LAGS = (
    "--droplet-active-lag",
    "0",
    "--action-lag",
    "0",
    "--snapshot-list-lag",
    "0",
    "--snapshot-delete-linger",
    "0",
    *ENDPOINT_WINDOWS,
)
TOKEN = "dop_v1_test-token-0123456789"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """A fresh default-scenario simulator per test module."""
    state = tmp_path_factory.mktemp("sim") / "state.db"
    with running_simulator(state_path=state, extra_args=ZERO_LAGS) as handle:
        yield handle


@pytest.fixture
def sim_admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """Admin access to the module's simulator (faults reset after each test)."""
    with SimAdmin(sim) as admin:
        yield admin
        admin.set_config(fault_rate=0.0)


def resources_for(engine: Engine, sim: SimulatorHandle, **do_options) -> dict[str, object]:
    """The resources an asset run needs, against `engine` and `sim`."""
    url = engine.url.render_as_string(hide_password=False)
    resources: dict[str, object] = {"database": DatabaseResource(url=url)}
    for purpose in ("sync", "billing", "provisioning"):
        resources[f"do_{purpose}"] = DigitalOceanResource(
            purpose=purpose,
            token=TOKEN,
            base_url=sim.base_url,
            **{"endpoint_window_scale": ENDPOINT_WINDOW_SCALE, **do_options},
        )
    resources["spaces"] = spaces_for(sim)
    return resources


def spaces_for(sim: SimulatorHandle, **overrides: str | None) -> SpacesResource:
    """The Spaces resource for `sim`'s S3 API, with its key pair unless overridden."""
    settings = SimSettings()
    return SpacesResource(
        **{
            "access_key_id": settings.spaces_key,
            "secret_access_key": settings.spaces_secret,
            "endpoint": sim.base_url + "/s3/{region}",
            **overrides,
        }
    )


def sqlite_url(tmp: Path) -> str:
    """A throw-away SQLite URL under `tmp`."""
    return f"sqlite:///{tmp / 'arcadia.db'}"

"""The simulator as the world the provisioning tests check: start it, read its raw state.

Shared by the step tests (tests/core/saga/steps) and the Dagster job tests (tests/ops).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

#: Our own token: the client's rate budget is per token and per process, so sharing another
#: suite's token would share (and be tightened to) its budget.
TOKEN = "dop_v1_saga-steps-test-token"
ZERO_LAGS = (
    "--droplet-active-lag", "0", "--action-lag", "0",
    "--snapshot-list-lag", "0", "--snapshot-delete-linger", "0",
    "--rate-limit-minute", "100000", "--rate-limit-hour", "1000000",
    "--endpoint-window-scale", "0.01",  # DO's SSH-key and CDN limits, 100x shorter windows
)  # fmt: skip
#: Wait knobs small enough for tests (the run config / saga inputs of the same names).
FAST_WAITS: dict[str, Any] = {"wait_timeout_seconds": 10, "poll_interval_seconds": 0.02}
FAST_POLLING: dict[str, Any] = {**FAST_WAITS, "snapshot_find_attempts": 5}


@contextmanager
def simulator(state_dir: Path, *extra: str) -> Iterator[SimulatorHandle]:
    """A fresh default-scenario simulator with zero lags (plus ``extra`` flags)."""
    with running_simulator(state_path=state_dir / "sim.db", extra_args=(*ZERO_LAGS, *extra)) as s:
        yield s


# Fixtures shared by tests/core/saga/steps and tests/ops: import them into a conftest.
@pytest.fixture(scope="module", name="sim")
def zero_lag_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    """Fixture ``sim``: a fresh default-scenario simulator with zero lags for the module."""
    with simulator(tmp_path_factory.mktemp("sim")) as handle:
        yield handle


@pytest.fixture(name="admin")
def zero_lag_admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """Fixture ``admin``: admin access to ``sim``; lags and faults reset after each test."""
    with SimAdmin(sim) as sim_admin:
        yield sim_admin
        sim_admin.set_config(
            fault_rate=0.0, droplet_active_lag=0, action_lag=0, snapshot_list_lag=0
        )


def client(sim: SimulatorHandle, **options: Any) -> DOClient:
    """A provisioning DO client against the simulator, no client pacing (close it after use);
    ``options`` override the client's (e.g. ``purpose="sync"``, ``max_attempts=1``)."""
    settings: dict[str, Any] = {
        "purpose": "provisioning",
        "max_attempts": 4,
        "max_retry_seconds": 5,
        "requests_per_minute": 100_000,
        "requests_per_hour": 1_000_000,
        "endpoint_window_scale": 0.01,
    }
    return DOClient(token=TOKEN, base_url=sim.base_url, **{**settings, **options})


def ops_definitions(*, db_url: str, base_url: str, token: str = TOKEN) -> Any:
    """The ops code location wired to ``db_url`` and the simulator, with no client pacing."""
    import dagster as dg

    from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource
    from arcadia_cloud_ops.definitions import build_definitions

    location = build_definitions()
    resources: dict[str, Any] = {"database": DatabaseResource(url=db_url)}
    for purpose in ("sync", "billing", "provisioning"):
        resources[f"do_{purpose}"] = DigitalOceanResource(
            purpose=purpose,
            token=token,
            base_url=base_url,
            max_attempts=4,
            requests_per_minute=100_000,
            requests_per_hour=1_000_000,
            endpoint_window_scale=0.01,
        )
    return dg.Definitions(
        jobs=list(location.jobs or []), sensors=list(location.sensors or []), resources=resources
    )


def new_saga_id() -> str:
    """A saga id shaped like a Dagster run id."""
    return str(uuid.uuid4())


def bodies(admin: SimAdmin, kind: str) -> list[dict[str, Any]]:
    """The raw bodies of every live ``kind`` resource."""
    return [row["body"] for row in admin.resources(kind)]


def droplets_tagged(admin: SimAdmin, tag: str) -> list[dict[str, Any]]:
    """Live droplets carrying ``tag``."""
    return [b for b in bodies(admin, "droplet") if tag in (b.get("tags") or [])]


def snapshots_named(admin: SimAdmin, name: str) -> list[dict[str, Any]]:
    """Live snapshots called ``name`` (visible in listings or not yet)."""
    return [b for b in bodies(admin, "snapshot") if b["name"] == name]


def records(admin: SimAdmin, domain: str, rtype: str, name: str) -> list[dict[str, Any]]:
    """Live records of ``domain`` with this type and (relative) name."""
    rows = admin.resources("domain_record")
    return [
        r["body"]
        for r in rows
        if r["parent"] == domain and r["body"]["type"] == rtype and r["body"]["name"] == name
    ]


def write_requests(admin: SimAdmin) -> list[str]:
    """``METHOD path`` of every non-GET request since the stats were reset."""
    return [key for key in admin.stats()["by_path"] if not key.startswith("GET ")]

"""Every fault kind is observable, path filters target faults, and draws are deterministic."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import FAST_LAGS, StartSimulator, api_client


@pytest.fixture(scope="module")
def faulty(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    with start_simulator(
        scenario="empty", extra_args=(*FAST_LAGS, "--slow-seconds", "1.5")
    ) as handle:
        yield handle


@pytest.fixture
def admin(faulty: SimulatorHandle) -> Iterator[SimAdmin]:
    with SimAdmin(faulty) as client:
        yield client
        client.set_config(fault_rate=0, fault_paths="")


def _only(admin: SimAdmin, kind: str, paths: str = "/v2/account") -> None:
    admin.set_config(fault_rate=1.0, fault_kinds=kind, fault_paths=paths)


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors(faulty: SimulatorHandle, admin: SimAdmin, kind: str) -> None:
    _only(admin, kind)
    with api_client(faulty) as client:
        response = client.get("/v2/account")
    assert response.status_code == int(kind)
    body = response.json()
    assert body["id"] == "server_error" and body["message"]
    assert "ratelimit-remaining" in response.headers


def test_injected_429_has_retry_after(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "429")
    with api_client(faulty) as client:
        response = client.get("/v2/account")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["id"] == "too_many_requests"


def test_timeout_stalls_past_the_client_timeout(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "timeout")
    with api_client(faulty, timeout=0.5) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/v2/account")


def test_drop_closes_without_a_response(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "drop")
    with api_client(faulty) as client, pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get("/v2/account")
    assert admin.stats()["faults"]["drop"] >= 1


def test_truncate_sends_a_cut_json_body(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "truncate")
    with api_client(faulty) as client:
        response = client.get("/v2/account")
    assert response.status_code == 200
    assert response.text.startswith('{"account":')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_path_filter_targets_only_matching_paths(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "503", paths="/v2/droplets")
    with api_client(faulty) as client:
        assert client.get("/v2/droplets").status_code == 503
        assert client.get("/v2/droplets/1").status_code == 503
        assert client.get("/v2/account").status_code == 200
    assert admin.health()["status"] == "ok"


def test_finance_paths_get_faults_but_not_do_auth(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    _only(admin, "502", paths="/api/v1/")
    with httpx.Client(base_url=faulty.base_url) as client:
        response = client.get("/api/v1/integrations/cloud/invoices")
    assert response.status_code == 502


def test_fault_draws_are_deterministic(faulty: SimulatorHandle, admin: SimAdmin) -> None:
    def statuses() -> list[int]:
        admin.set_config(fault_rate=0.4, fault_kinds="500,503", fault_paths="/v2/account")
        with api_client(faulty) as client:
            return [client.get("/v2/account").status_code for _ in range(30)]

    first, second = statuses(), statuses()
    assert first == second
    assert {200, 500, 503} <= set(first)
    assert 4 <= sum(1 for s in first if s != 200) <= 20

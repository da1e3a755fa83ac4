"""Bearer auth, the admin token, and the per-token rate limit with a tiny budget."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import StartSimulator, api_client
from tests.sim.openapi import validate_response

BUDGET = (
    "--tokens",
    "good-1,good-2",
    "--rate-limit-minute",
    "5",
    "--burst-window",
    "2",
    "--rate-limit-hour",
    "8",
)


@pytest.fixture(scope="module")
def limited(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    with start_simulator(scenario="empty", extra_args=BUDGET) as handle:
        yield handle


def _headers_ok(response: httpx.Response) -> None:
    for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert response.headers[name].isdigit(), name


def test_missing_or_unknown_token_is_401(limited: SimulatorHandle) -> None:
    for token in (None, "not-a-token"):
        with api_client(limited, token=token) as client:
            response = client.get("/v2/account")
        assert response.status_code == 401
        assert response.json()["id"] == "unauthorized"
        _headers_ok(response)
        validate_response("GET", "/v2/account", 401, response.json())
    with httpx.Client(base_url=limited.base_url) as raw:
        basic = raw.get("/v2/account", headers={"Authorization": "Basic Z29vZC0xOg=="})
    assert basic.status_code == 401


def test_any_non_empty_token_is_valid_by_default(api: httpx.Client) -> None:
    assert api.get("/v2/account").status_code == 200


def test_admin_endpoints_need_the_admin_token(limited: SimulatorHandle) -> None:
    with SimAdmin(limited) as admin:
        admin.reset_stats()
        with api_client(limited, token="good-1") as client:
            assert client.get("/v2/account").status_code == 200
            assert client.get("/_sim/stats").status_code == 401
            assert client.post("/_sim/stats/reset").status_code == 401
            assert client.get("/_sim/health").status_code == 200
        stats = admin.stats()
    # The admin token reads the counters; the refused reset changed nothing, and /_sim/
    # requests are never counted: only the one API call is.
    assert stats["total"] == 1
    assert stats["by_path"] == {"GET /v2/account": {"200": 1}}


def test_burst_and_hourly_limits(limited: SimulatorHandle) -> None:
    with SimAdmin(limited) as admin:
        admin.reset_stats()
    with api_client(limited, token="good-1") as one, api_client(limited, token="good-2") as two:
        remaining = []
        for _ in range(5):
            response = one.get("/v2/account")
            assert response.status_code == 200
            _headers_ok(response)
            assert response.headers["ratelimit-limit"] == "8"
            remaining.append(int(response.headers["ratelimit-remaining"]))
            reset = int(response.headers["ratelimit-reset"])
            assert time.time() + 3500 < reset <= time.time() + 3601
        assert remaining == [7, 6, 5, 4, 3]

        burst = one.get("/v2/account")
        assert burst.status_code == 429
        assert burst.json()["id"] == "too_many_requests"
        validate_response("GET", "/v2/account", 429, burst.json())
        retry_after = int(burst.headers["retry-after"])
        assert 1 <= retry_after <= 2
        assert burst.headers["ratelimit-remaining"] == "0"

        assert two.get("/v2/account").status_code == 200  # budgets are per token

        time.sleep(retry_after + 0.1)
        for expected in (2, 1, 0):
            response = one.get("/v2/account")
            assert response.status_code == 200
            assert int(response.headers["ratelimit-remaining"]) == expected
        hourly = one.get("/v2/account")
        assert hourly.status_code == 429
        assert "retry-after" not in hourly.headers
    with SimAdmin(limited) as admin:
        stats = admin.stats()
    assert stats["rate_limited"] == 2
    assert stats["by_status"]["429"] == 2
    assert stats["by_path"]["GET /v2/account"]["200"] == 9

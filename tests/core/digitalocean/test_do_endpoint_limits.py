"""DO's endpoint limits (``GET /v2/account/keys`` 10 per 60 s, ``/v2/cdn/endpoints*`` 5 per
10 s): the simulator enforces them, and the client paces itself so it never meets their 429.

Both sides run the windows 50x shorter (``--endpoint-window-scale`` / ``endpoint_window_scale``)
so the test waits about a second, not a minute; the limits themselves are DO's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.digitalocean.pacing import DO_ENDPOINT_LIMITS
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

from .helpers import fresh_token

SCALE = 0.02  # SSH keys: 10 per 1.2 s; CDN endpoints: 5 per 0.2 s
SSH_WINDOW, CDN_WINDOW = 60.0 * SCALE, 10.0 * SCALE


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    state: Path = tmp_path_factory.mktemp("endpoint-limits") / "sim.sqlite3"
    with running_simulator(
        state_path=state, extra_args=("--endpoint-window-scale", str(SCALE))
    ) as handle:
        yield handle


@pytest.fixture
def admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    with SimAdmin(sim) as sim_admin:
        sim_admin.reset_stats()
        yield sim_admin


def _raw(sim: SimulatorHandle) -> httpx.Client:
    return httpx.Client(
        base_url=sim.base_url, headers={"Authorization": f"Bearer {fresh_token('raw')}"}
    )


def test_the_limits_are_dos_published_ones() -> None:
    limits = {limit.name: (limit.per_window, limit.window) for limit in DO_ENDPOINT_LIMITS}
    assert limits == {"ssh_keys": (10, 60.0), "cdn_endpoints": (5, 10.0)}
    ssh, cdn = DO_ENDPOINT_LIMITS
    assert ssh.applies("GET", "/v2/account/keys") and not ssh.applies("POST", "/v2/account/keys")
    assert not ssh.applies("GET", "/v2/account/keys/42") and not ssh.applies("GET", "/v2/account")
    assert cdn.applies("DELETE", "/v2/cdn/endpoints/x/cache")
    assert not cdn.applies("GET", "/v2/cdn/endpointsx")


def test_the_simulator_answers_the_eleventh_ssh_key_listing_with_a_429(
    sim: SimulatorHandle, admin: SimAdmin
) -> None:
    with _raw(sim) as api, _raw(sim) as other:
        statuses = [api.get("/v2/account/keys").status_code for _ in range(10)]
        refused = api.get("/v2/account/keys")
        one_key = (
            api.get("/v2/account/keys").status_code,
            api.get("/v2/account/keys/41200001").status_code,
        )
        assert other.get("/v2/account/keys").status_code == 200  # per token
        time.sleep(SSH_WINDOW + 0.1)
        assert api.get("/v2/account/keys").status_code == 200  # the window slid on
    assert statuses == [200] * 10
    assert refused.status_code == 429 and refused.json()["id"] == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 2
    assert one_key == (429, 200)  # one key by id is not the listing DO limits
    assert admin.stats()["rate_limited"] == 2


def test_the_simulator_limits_every_cdn_request_to_five_per_window(sim: SimulatorHandle) -> None:
    with _raw(sim) as api:
        endpoint = api.get("/v2/cdn/endpoints").json()["endpoints"][0]["id"]
        statuses = [api.get(f"/v2/cdn/endpoints/{endpoint}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_the_client_paces_ssh_key_and_cdn_listings_and_never_sees_a_429(
    sim: SimulatorHandle, admin: SimAdmin
) -> None:
    listings = 25
    with DOClient(
        token=fresh_token("paced"),
        base_url=sim.base_url,
        max_attempts=1,
        endpoint_window_scale=SCALE,
    ) as do:
        started = time.monotonic()
        keys = [len(do.list_ssh_keys()) for _ in range(listings)]
        ssh_seconds = time.monotonic() - started
        errors: list[BaseException] = []

        def cdn_listings() -> None:
            try:
                for _ in range(4):
                    do.list_cdn_endpoints()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=cdn_listings) for _ in range(4)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cdn_seconds = time.monotonic() - started
    assert errors == [] and set(keys) == {4}
    stats = admin.stats()
    assert stats["rate_limited"] == 0 and "429" not in stats["by_status"]
    # 25 listings at 10 per window need two full windows of waiting; 16 CDN requests three
    assert ssh_seconds >= 2 * SSH_WINDOW and cdn_seconds >= 3 * CDN_WINDOW


def test_a_sync_of_ssh_keys_and_cdn_endpoints_meets_no_429(
    sqlite_engine, sim: SimulatorHandle, admin: SimAdmin
) -> None:
    with DOClient(
        token=fresh_token("sync"),
        base_url=sim.base_url,
        max_attempts=1,
        endpoint_window_scale=SCALE,
    ) as do:
        reports = [
            sync.sync_kind(sqlite_engine, do, KIND_SPECS[name])
            for _ in range(12)
            for name in ("ssh_keys", "cdn_endpoints")
        ]
    assert all(r.result.complete for r in reports)
    assert reports[0].result.discovered == 4 and reports[1].result.discovered == 2
    assert admin.stats()["rate_limited"] == 0

"""Pagination at scale against the real simulator (``scale`` scenario, 1,000 droplets)."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

from .conftest import ClientFactory, SimTokens, simulator_args

DROPLETS = 1000


@pytest.fixture(scope="module")
def sim(
    tmp_path_factory: pytest.TempPathFactory, sim_tokens: SimTokens
) -> Iterator[SimulatorHandle]:
    """Overrides the module simulator: the scale scenario with droplets only."""
    state = tmp_path_factory.mktemp("do-sim-scale") / "sim.sqlite3"
    args = [
        *simulator_args(sim_tokens),
        "--droplets",
        str(DROPLETS),
        "--volumes",
        "0",
        "--snapshots",
        "0",
        "--domains",
        "0",
    ]
    with running_simulator(state_path=state, scenario="scale", extra_args=args) as handle:
        yield handle


def reference_listing(sim: SimulatorHandle, token: str, **params: str) -> list[int]:
    """Droplet ids in server order, read with plain httpx by following ``next`` links."""
    ids: list[int] = []
    url: str | None = "/v2/droplets"
    query: dict[str, str] | None = {"per_page": "200", **params}
    with httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {token}"}) as c:
        while url:
            body = c.get(url, params=query).raise_for_status().json()
            ids += [d["id"] for d in body["droplets"]]
            url = (body.get("links") or {}).get("pages", {}).get("next")
            query = None
    return ids


def test_full_listing_uses_the_minimum_requests_in_server_order(
    make_do: ClientFactory, admin: SimAdmin, sim: SimulatorHandle, sim_tokens: SimTokens
) -> None:
    do = make_do(page_concurrency=4)
    listing = do.list_droplets()
    minimum = math.ceil(DROPLETS / 200)
    assert listing.requests == minimum == listing.pages
    assert listing.total == DROPLETS and not listing.skipped and listing.complete
    assert admin.stats()["by_path"]["GET /v2/droplets"] == {"200": minimum}
    ids = [int(d.id) for d in listing]
    assert len(set(ids)) == DROPLETS
    assert ids == reference_listing(sim, sim_tokens.take())


def test_filter_params_ride_on_every_page(
    make_do: ClientFactory, sim: SimulatorHandle, sim_tokens: SimTokens
) -> None:
    expected = reference_listing(sim, sim_tokens.take(), tag_name="web")
    assert len(expected) > 200  # the filtered list spans pages
    listing = make_do().list_droplets(tag_name="web")
    assert [int(d.id) for d in listing] == expected
    assert all("web" in d.tags for d in listing)
    assert listing.filtered and not listing.complete
    assert listing.requests == math.ceil(len(expected) / 200)


class InFlightCounter(httpx.BaseTransport):
    """A real HTTP transport that records how many requests were in flight at once."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            response = self._inner.handle_request(request)
            response.read()
            return response
        finally:
            with self._lock:
                self._in_flight -= 1

    def close(self) -> None:
        self._inner.close()


def test_remaining_pages_are_fetched_concurrently(make_do: ClientFactory, admin: SimAdmin) -> None:
    """With 300 ms of server latency, pages 2-5 are all in flight at the same time."""
    admin.set_config(latency_ms=300)
    counter = InFlightCounter()
    listing = make_do(page_concurrency=4, transport=counter).list_droplets()
    assert listing.requests == 5
    assert len({d.id for d in listing}) == DROPLETS
    assert counter.peak == 4
    admin.set_config(latency_ms=0)
    sequential = InFlightCounter()
    make_do(page_concurrency=1, transport=sequential).list_droplets()
    assert sequential.peak == 1

"""The ``scale`` scenario: full-size seeding speed (printed), totals, clamped pages, and
determinism from the seed."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import FAST_LAGS, StartSimulator, api_client

SIZES = {"droplets": 20_000, "volumes": 5_000, "snapshots": 20_000, "domains": 2_000}


def _seed_seconds(sim: SimulatorHandle) -> tuple[float, float]:
    """(wall, cpu) seconds the server logged for seeding."""
    match = re.search(r"seeded scenario scale \(seed \d+\) in ([0-9.]+) s \(cpu ([0-9.]+) s\)",
                      sim.log_tail(200))
    assert match, sim.log_tail(40)
    return float(match.group(1)), float(match.group(2))


def test_full_scale_seeds_and_pages_through(start_simulator: StartSimulator) -> None:
    args = [*FAST_LAGS]
    for name, count in SIZES.items():
        args += [f"--{name}", str(count)]
    started = time.monotonic()
    with start_simulator(scenario="scale", extra_args=args, startup_timeout=120) as sim, \
            api_client(sim, timeout=60) as client:
        startup = time.monotonic() - started
        seeded, cpu = _seed_seconds(sim)
        print(f"\nscale seed: {seeded:.2f} s wall, {cpu:.2f} s cpu for {SIZES} "
              f"(server up in {startup:.2f} s)")

        totals = {
            "droplets": client.get("/v2/droplets", params={"per_page": 1}),
            "volumes": client.get("/v2/volumes", params={"per_page": 1}),
            "snapshots": client.get("/v2/snapshots", params={"per_page": 1}),
            "domains": client.get("/v2/domains", params={"per_page": 1}),
        }
        assert {k: r.json()["meta"]["total"] for k, r in totals.items()} == SIZES

        t0 = time.monotonic()
        page = client.get("/v2/droplets", params={"per_page": 500, "page": 7})
        elapsed = time.monotonic() - t0
        body = page.json()
        print(f"one 200-droplet page: {elapsed * 1000:.0f} ms, {len(page.content)} bytes")
        assert len(body["droplets"]) == 200  # per_page above 200 is clamped
        last = parse_qs(urlsplit(body["links"]["pages"]["last"]).query)
        assert last == {"per_page": ["500"], "page": ["100"]}

        tagged = client.get("/v2/droplets", params={"tag_name": "tenant-03", "per_page": 200})
        ids = [d["id"] for d in tagged.json()["droplets"]]
        assert 0 < tagged.json()["meta"]["total"] < SIZES["droplets"]
        assert all("tenant-03" in d["tags"] for d in tagged.json()["droplets"])
        assert len(ids) == len(set(ids))


def test_scale_is_deterministic_from_the_seed(start_simulator: StartSimulator) -> None:
    small = [*FAST_LAGS, "--droplets", "120", "--volumes", "30", "--snapshots", "60",
             "--domains", "12"]
    paths = (("/v2/droplets", "droplets"), ("/v2/volumes", "volumes"),
             ("/v2/snapshots", "snapshots"), ("/v2/projects", "projects"))
    with start_simulator(scenario="scale", seed=7, extra_args=small) as sim, \
            api_client(sim) as client, SimAdmin(sim) as admin:

        def world() -> list[list[dict[str, object]]]:
            return [client.get(p, params={"per_page": 200}).json()[k] for p, k in paths]

        first = world()
        assert [len(items) for items in first] == [120, 30, 60, 11]
        admin.reset(scenario="scale", seed=7)
        assert world() == first
        admin.reset(scenario="scale", seed=8)
        other = world()
    assert [v["id"] for v in other[1]] != [v["id"] for v in first[1]]
    assert [d["size_slug"] for d in other[0]] != [d["size_slug"] for d in first[0]]

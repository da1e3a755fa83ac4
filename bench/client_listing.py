"""Listing 20,000 droplets: our client (per_page=200, concurrent pages) vs a naive client.

The simulator's ``scale`` scenario runs with 20,000 droplets (nothing else), zero latency and a
rate budget too big to interfere. Each contender lists every droplet once:
- ours: ``DOClient.list_droplets()``;
- naive: plain httpx, ``per_page=20``, following ``links.pages.next`` one page at a time.
Printed side by side: requests made vs the minimum (ceil(20000/200) = 100), wall seconds and
the speed ratio. Both results are checked (20,000 distinct ids, same set) before reporting.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import httpx
from _common import UNLIMITED_RATE, Timer, emit, print_table

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

DROPLETS = 20_000
MIN_REQUESTS = math.ceil(DROPLETS / 200)
NAIVE_PER_PAGE = 20
DO_BURST_LIMIT = 250
TOKEN = "dop_v1_bench_client_listing"
#: Bounds the naive loop even if the server kept sending ``next`` links.
NAIVE_MAX_PAGES = math.ceil(DROPLETS / NAIVE_PER_PAGE) + 10
SIM_ARGS = [
    "--droplets",
    str(DROPLETS),
    "--volumes",
    "0",
    "--snapshots",
    "0",
    "--domains",
    "0",
    "--latency-ms",
    "0",
    *UNLIMITED_RATE,
]


def list_ours(sim: SimulatorHandle) -> tuple[list[str], int]:
    """Droplet ids and the requests our client made."""
    with DOClient(
        token=TOKEN,
        base_url=sim.base_url,
        purpose="sync",
        requests_per_minute=10_000_000,
        requests_per_hour=10_000_000,
    ) as do:
        listing = do.list_droplets()
        assert listing.requests == do.requests_made
        return [d.id for d in listing], listing.requests


def list_naive(sim: SimulatorHandle) -> tuple[list[str], int]:
    """What a first attempt looks like: default-ish page size, one page after another."""
    ids: list[str] = []
    requests = 0
    url: str | None = f"{sim.base_url}/v2/droplets?per_page={NAIVE_PER_PAGE}"
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
        while url is not None and requests < NAIVE_MAX_PAGES:
            body = client.get(url).raise_for_status().json()
            requests += 1
            ids += [str(d["id"]) for d in body["droplets"]]
            url = ((body.get("links") or {}).get("pages") or {}).get("next")
    return ids, requests


def main() -> None:
    """Run both contenders against one simulator and print the comparison."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-client-listing-") as tmp,
        running_simulator(
            state_path=Path(tmp) / "sim.sqlite3",
            scenario="scale",
            extra_args=SIM_ARGS,
            startup_timeout=120.0,
        ) as sim,
        SimAdmin(sim) as admin,
    ):
        admin.reset_stats()
        with Timer() as ours_t:
            ours_ids, ours_requests = list_ours(sim)
        server_seen = admin.stats()["by_path"]["GET /v2/droplets"]
        with Timer() as naive_t:
            naive_ids, naive_requests = list_naive(sim)

    if len(ours_ids) != DROPLETS or len(set(ours_ids)) != DROPLETS:
        raise SystemExit(f"ours listed {len(ours_ids)} ids ({len(set(ours_ids))} distinct)")
    if set(naive_ids) != set(ours_ids):
        raise SystemExit("the naive listing differs from ours")
    if server_seen != {"200": ours_requests}:
        raise SystemExit(f"server saw {server_seen}, client counted {ours_requests}")

    ratio = naive_t.seconds / ours_t.seconds
    print(f"Listing {DROPLETS:,} droplets from the simulator (scale scenario, zero latency)")
    print_table(
        [
            ("client", "requests", "minimum", "seconds", "droplets/s"),
            (
                "ours (per_page=200, 4 pages at a time)",
                str(ours_requests),
                str(MIN_REQUESTS),
                f"{ours_t.seconds:.2f}",
                f"{DROPLETS / ours_t.seconds:,.0f}",
            ),
            (
                f"naive (per_page={NAIVE_PER_PAGE}, sequential)",
                str(naive_requests),
                str(MIN_REQUESTS),
                f"{naive_t.seconds:.2f}",
                f"{DROPLETS / naive_t.seconds:,.0f}",
            ),
        ]
    )
    print(f"ours is {ratio:.1f}x faster with {naive_requests / ours_requests:.0f}x fewer requests")
    # Context, derived (not measured): the budget above is unlimited on purpose. Under DO's
    # published 250 requests/minute, the naive listing would also wait out whole windows.
    forced_wait_min = (naive_requests - 1) // DO_BURST_LIMIT
    print(
        f"under DO's real budget ({DO_BURST_LIMIT}/min) the naive listing would wait "
        f">= {forced_wait_min} min for windows; ours ({ours_requests} requests) fits in one"
    )
    emit(
        {
            "bench": "client_listing",
            "ours_requests": ours_requests,
            "min_requests": MIN_REQUESTS,
            "ours_s": round(ours_t.seconds, 2),
            "naive_requests": naive_requests,
            "naive_s": round(naive_t.seconds, 2),
            "ratio": round(ratio, 1),
        }
    )


if __name__ == "__main__":
    main()

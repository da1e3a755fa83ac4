"""The ``scale`` scenario: full-size seeding speed (printed), totals (the account-level kinds
too), clamped pages, tag counts, and determinism from the seed."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from arcadia_cloud_sim.scale_kinds import counts
from arcadia_cloud_sim.scale_platform import top_level_counts
from tests.sim.conftest import FAST_LAGS, StartSimulator, api_client

SIZES = {"droplets": 20_000, "volumes": 5_000, "snapshots": 20_000, "domains": 2_000}
ACCOUNT_KINDS = 10_000  # the default of --account-kinds
PLATFORM_KINDS = 2_000  # the default of --platform-kinds
#: Builder (`scale_kinds.SHARES`) → its list path.
ACCOUNT_PATHS = {
    "certificates": "/v2/certificates",
    "cdn_endpoints": "/v2/cdn/endpoints",
    "ssh_keys": "/v2/account/keys",
    "tags": "/v2/tags",
    "alert_policies": "/v2/monitoring/alerts",
    "uptime_checks": "/v2/uptime/checks",
    "functions_namespaces": "/v2/functions/namespaces",
    "reserved_ipv6": "/v2/reserved_ipv6",
    "autoscale_pools": "/v2/droplets/autoscale",
}


def _total(client: httpx.Client, path: str, **params: str) -> int:
    """A list's total: its ``meta.total``, or the length of a list DO sends whole."""
    response = client.get(path, params={"per_page": 1, **params})
    assert response.status_code == 200, (path, response.text[:200])
    body = response.json()
    if "meta" in body:
        return int(body["meta"]["total"])
    (items,) = (v for v in body.values() if isinstance(v, list))
    return len(items)


def _seed_seconds(sim: SimulatorHandle) -> tuple[float, float]:
    """(wall, cpu) seconds the server logged for seeding."""
    match = re.search(
        r"seeded scenario scale \(seed \d+\) in ([0-9.]+) s \(cpu ([0-9.]+) s\)", sim.log_tail(200)
    )
    assert match, sim.log_tail(40)
    return float(match.group(1)), float(match.group(2))


def test_full_scale_seeds_and_pages_through(start_simulator: StartSimulator) -> None:
    args = [*FAST_LAGS]
    for name, count in SIZES.items():
        args += [f"--{name}", str(count)]
    started = time.monotonic()
    with (
        start_simulator(scenario="scale", extra_args=args, startup_timeout=120) as sim,
        api_client(sim, timeout=60) as client,
    ):
        startup = time.monotonic() - started
        seeded, cpu = _seed_seconds(sim)
        print(
            f"\nscale seed: {seeded:.2f} s wall, {cpu:.2f} s cpu for {SIZES} + "
            f"{ACCOUNT_KINDS} account-level + {PLATFORM_KINDS} platform "
            f"(server up in {startup:.2f} s)"
        )

        totals = {
            "droplets": client.get("/v2/droplets", params={"per_page": 1}),
            "volumes": client.get("/v2/volumes", params={"per_page": 1}),
            "snapshots": client.get("/v2/snapshots", params={"per_page": 1}),
            "domains": client.get("/v2/domains", params={"per_page": 1}),
        }
        assert {k: r.json()["meta"]["total"] for k, r in totals.items()} == SIZES

        # the account-level kinds, in their shares of --account-kinds
        want = counts(ACCOUNT_KINDS)
        assert sum(want.values()) == ACCOUNT_KINDS
        assert {k: _total(client, p) for k, p in ACCOUNT_PATHS.items()} == {
            k: want[k] for k in ACCOUNT_PATHS
        }
        registry = client.get("/v2/registry").json()["registry"]
        repos = _total(client, f"/v2/registry/{registry['name']}/repositoriesV2")
        assert repos + 1 == want["registry"] and registry["storage_usage_bytes"] > 0
        droplet_snapshots = SIZES["snapshots"] - SIZES["snapshots"] // 4
        backups = 2 * (SIZES["droplets"] // 5)  # every fifth droplet: two weekly backups
        assert (
            _total(client, "/v2/images", private="true")
            == want["custom_images"] + droplet_snapshots + backups
        )
        backed_up = client.get("/v2/droplets", params={"per_page": 1}).json()["droplets"][0]
        assert "backups" in backed_up["features"] and len(backed_up["backup_ids"]) == 2
        assert _total(client, f"/v2/droplets/{backed_up['id']}/backups") == 2
        check = client.get("/v2/uptime/checks", params={"per_page": 1}).json()["checks"][0]
        state = client.get(f"/v2/uptime/checks/{check['id']}/state").json()["state"]
        assert {r["status"] for r in state["regions"].values()} <= {"UP", "DOWN"}

        # the platform kinds, in their shares of --platform-kinds
        top = top_level_counts(PLATFORM_KINDS)
        paths = {
            "vpcs": "/v2/vpcs",
            "apps": "/v2/apps",
            "kubernetes_clusters": "/v2/kubernetes/clusters",
        }
        assert {k: _total(client, paths[k]) for k in top} == top
        app = client.get("/v2/apps", params={"per_page": 1}).json()["apps"][0]
        assert len(client.get(f"/v2/apps/{app['id']}/alerts").json()["alerts"]) == 2
        dbs = client.get("/v2/databases").json()["databases"]
        pg = next(db for db in dbs if db["engine"] == "pg")
        assert len(client.get(f"/v2/databases/{pg['id']}/replicas").json()["replicas"]) == 1
        assert len(client.get(f"/v2/databases/{pg['id']}/pools").json()["pools"]) == 1
        assert {db["engine"] for db in dbs} >= {"pg", "mysql", "valkey"}
        cluster = client.get("/v2/kubernetes/clusters", params={"per_page": 1}).json()
        nodes = [n for p in cluster["kubernetes_clusters"][0]["node_pools"] for n in p["nodes"]]
        node = client.get(f"/v2/droplets/{nodes[0]['droplet_id']}")
        assert node.status_code == 200  # DOKS nodes are droplets
        vpc = client.get("/v2/vpcs", params={"per_page": 1}).json()["vpcs"][0]
        assert vpc["default"] and _total(client, f"/v2/vpcs/{vpc['id']}/members") > 0

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
        # the tag's own resource counts agree with the filtered listings
        tag = client.get("/v2/tags/tenant-03").json()["tag"]["resources"]
        assert tag["droplets"]["count"] == tagged.json()["meta"]["total"]
        assert tag["imgages"]["count"] == _total(client, "/v2/images", tag_name="tenant-03") > 0


def test_scale_is_deterministic_from_the_seed(start_simulator: StartSimulator) -> None:
    small = [
        *FAST_LAGS,
        "--droplets",
        "120",
        "--volumes",
        "30",
        "--snapshots",
        "60",
        "--domains",
        "12",
        "--account-kinds",
        "500",
        "--platform-kinds",
        "300",
    ]
    paths = (
        ("/v2/droplets", "droplets"),
        ("/v2/volumes", "volumes"),
        ("/v2/snapshots", "snapshots"),
        ("/v2/projects", "projects"),
        ("/v2/certificates", "certificates"),
        ("/v2/reserved_ipv6", "reserved_ipv6s"),
        ("/v2/monitoring/alerts", "policies"),
        ("/v2/droplets/autoscale", "autoscale_pools"),
        ("/v2/apps", "apps"),
        ("/v2/databases", "databases"),
    )
    with (
        start_simulator(scenario="scale", seed=7, extra_args=small) as sim,
        api_client(sim) as client,
        SimAdmin(sim) as admin,
    ):

        def world() -> list[list[dict[str, object]]]:
            return [client.get(p, params={"per_page": 200}).json()[k] for p, k in paths]

        first = world()
        want = counts(500)
        assert [len(items) for items in first] == [
            120,
            30,
            60,
            11,
            want["certificates"],
            want["reserved_ipv6"],
            want["alert_policies"],
            want["autoscale_pools"],
            top_level_counts(300)["apps"],
            len(first[9]),
        ]
        assert first[9]  # databases (an unpaged list)
        admin.reset(scenario="scale", seed=7)
        assert world() == first
        admin.reset(scenario="scale", seed=8)
        other = world()
    assert [v["id"] for v in other[1]] != [v["id"] for v in first[1]]
    assert [d["size_slug"] for d in other[0]] != [d["size_slug"] for d in first[0]]
    assert [c["id"] for c in other[4]] != [c["id"] for c in first[4]]

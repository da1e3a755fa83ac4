"""State persistence across restarts, a state file shared by two servers, and the admin API."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import FAST_LAGS, StartSimulator, api_client


def _names(client: httpx.Client) -> set[str]:
    return {d["name"] for d in client.get("/v2/droplets").json()["droplets"]}


def test_state_survives_restart_and_reset_reseeds(
    start_simulator: StartSimulator, tmp_path: Path
) -> None:
    state = tmp_path / "persist.sqlite3"
    with start_simulator(state_path=state) as first, api_client(first) as client:
        assert client.post("/v2/domains", json={"name": "persist.example"}).status_code == 201
        created = client.post(
            "/v2/droplets",
            json={"name": "persist-1", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"},
        )
        droplet_id = created.json()["droplet"]["id"]
        assert client.get(f"/v2/droplets/{droplet_id}").json()["droplet"]["status"] == "new"

    time.sleep(0.7)  # the activation falls due while the server is down
    with start_simulator(state_path=state) as second, api_client(second) as client:
        assert client.get("/v2/domains/persist.example").status_code == 200
        droplet = client.get(f"/v2/droplets/{droplet_id}").json()["droplet"]
        assert droplet["status"] == "active" and droplet["networks"]["v4"]
        again = client.post(
            "/v2/droplets",
            json={"name": "persist-2", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"},
        )
        assert again.json()["droplet"]["id"] > droplet_id
        assert {"persist-1", "persist-2"} <= _names(client)

    with (
        start_simulator(state_path=state, extra_args=(*FAST_LAGS, "--reset")) as third,
        api_client(third) as client,
    ):
        assert client.get("/v2/domains/persist.example").status_code == 404
        assert len(_names(client)) == 8  # 5 + the 3 DOKS nodes


def test_two_servers_share_one_state_file(start_simulator: StartSimulator, tmp_path: Path) -> None:
    state = tmp_path / "shared.sqlite3"
    with (
        start_simulator(state_path=state) as a,
        start_simulator(state_path=state) as b,
        api_client(a) as ca,
        api_client(b) as cb,
    ):
        assert ca.post("/v2/domains", json={"name": "shared.example"}).status_code == 201
        assert cb.get("/v2/domains/shared.example").status_code == 200
        assert cb.delete("/v2/domains/shared.example").status_code == 204
        assert ca.get("/v2/domains/shared.example").status_code == 404


def test_behind_our_back_mutations(fresh: SimulatorHandle) -> None:
    with SimAdmin(fresh) as admin, api_client(fresh) as client:
        web2 = client.get("/v2/droplets", params={"name": "acme-web-2"}).json()["droplets"][0]
        admin.resize_droplet(web2["id"], "s-2vcpu-4gb")
        resized = client.get(f"/v2/droplets/{web2['id']}").json()["droplet"]
        assert (resized["size_slug"], resized["vcpus"]) == ("s-2vcpu-4gb", 2)
        admin.set_droplet_status(web2["id"], "off")
        assert client.get(f"/v2/droplets/{web2['id']}").json()["droplet"]["status"] == "off"

        urn = f"do:droplet:{web2['id']}"
        acme = next(
            p
            for p in client.get("/v2/projects").json()["projects"]
            if p["name"] == "Acme Storefront"
        )

        def in_acme() -> bool:
            resources = client.get(
                f"/v2/projects/{acme['id']}/resources", params={"per_page": 200}
            ).json()["resources"]
            return urn in {r["urn"] for r in resources}

        assert in_acme()
        admin.delete_resource("droplet", web2["id"])
        assert client.get(f"/v2/droplets/{web2['id']}").status_code == 404
        assert not in_acme()
        admin.restore_resource("droplet", web2["id"], project_id=acme["id"])
        assert client.get(f"/v2/droplets/{web2['id']}").status_code == 200
        assert in_acme()

        vol = admin.resources("volume", name="platform-cache")[0]
        admin.put_resource(
            "volume", vol["id"], dict(vol["body"], size_gigabytes=75), name=vol["name"]
        )
        got = client.get(f"/v2/volumes/{vol['id']}").json()["volume"]
        assert got["size_gigabytes"] == 75


def test_stats_count_requests_and_reset_reseeds(fresh: SimulatorHandle) -> None:
    with SimAdmin(fresh) as admin, api_client(fresh) as client:
        admin.reset_stats()
        for _ in range(3):
            client.get("/v2/account")
        client.get("/v2/droplets/1")
        stats = admin.stats()
        assert stats["total"] == 4
        assert stats["by_path"]["GET /v2/account"] == {"200": 3}
        assert stats["by_path"]["GET /v2/droplets/1"] == {"404": 1}

        assert client.post("/v2/domains", json={"name": "gone.example"}).status_code == 201
        assert admin.reset(scenario="empty")["scenario"] == "empty"
        assert client.get("/v2/droplets").json()["meta"]["total"] == 0
        assert client.get("/v2/projects").json()["meta"]["total"] == 1
        assert admin.stats()["total"] == 2  # admin calls are not counted
        admin.reset(scenario="default", seed=42)
        assert client.get("/v2/droplets").json()["meta"]["total"] == 8


def test_live_config_changes_lags(fresh: SimulatorHandle) -> None:
    with SimAdmin(fresh) as admin, api_client(fresh) as client:
        config = admin.set_config(droplet_active_lag=0, latency_ms=30)
        assert config["droplet_active_lag"] == 0 and config["latency_ms"] == 30
        started = time.monotonic()
        created = client.post(
            "/v2/droplets",
            json={"name": "instant", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"},
        )
        assert time.monotonic() - started >= 0.03
        droplet_id = created.json()["droplet"]["id"]
        assert client.get(f"/v2/droplets/{droplet_id}").json()["droplet"]["status"] == "active"
        bad = admin.client.post("/_sim/config", json={"scenario": "scale"})
        assert bad.status_code == 400
        admin.set_config(droplet_active_lag=0.6, latency_ms=0)

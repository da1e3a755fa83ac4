"""Lags and async work: droplet new→active, actions in-progress→completed, the snapshot list
lag, the delete linger, and DO's resize rules (short lags from ``FAST_LAGS``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from arcadia_cloud_sim.launcher import SimulatorHandle

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], timeout: float = 5.0) -> tuple[T, float]:
    """Poll ``probe`` until it returns something truthy; returns (value, seconds waited)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = probe()
        if value:
            return value, time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _create(client: httpx.Client, name: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/v2/droplets",
        json={
            "name": name,
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            **extra,
        },
    )
    assert response.status_code == 202, response.text
    return response.json()


def _action_done(client: httpx.Client, action_id: int) -> Callable[[], dict[str, Any] | None]:
    def probe() -> dict[str, Any] | None:
        action = client.get(f"/v2/actions/{action_id}").json()["action"]
        return action if action["status"] != "in-progress" else None

    return probe


def _droplet(client: httpx.Client, droplet_id: int) -> dict[str, Any]:
    return client.get(f"/v2/droplets/{droplet_id}").json()["droplet"]


def test_droplet_create_goes_new_then_active(client: httpx.Client, fresh: SimulatorHandle) -> None:
    created = _create(client, "life-1", tags=["life"], backups=True)
    droplet = created["droplet"]
    assert droplet["status"] == "new"
    assert droplet["networks"] == {"v4": [], "v6": []}
    assert droplet["next_backup_window"] is None
    link = created["links"]["actions"][0]
    assert link["rel"] == "create"
    assert link["href"] == f"{fresh.base_url}/v2/actions/{link['id']}"
    assert client.get(link["href"]).json()["action"]["status"] == "in-progress"
    assert _droplet(client, droplet["id"])["status"] == "new"

    active, waited = wait_for(
        lambda: (d := _droplet(client, droplet["id"]))["status"] == "active" and d
    )
    assert waited >= 0.3
    v4 = {n["type"]: n["ip_address"] for n in active["networks"]["v4"]}
    assert set(v4) == {"public", "private"}
    assert active["next_backup_window"] is not None
    action = client.get(link["href"]).json()["action"]
    assert action["status"] == "completed" and action["completed_at"]
    assert action["type"] == "create" and action["resource_id"] == droplet["id"]
    urns = [
        r["urn"]
        for r in client.get("/v2/projects/default/resources", params={"per_page": 200}).json()[
            "resources"
        ]
    ]
    assert f"do:droplet:{droplet['id']}" in urns


def test_snapshot_list_lag_and_delete_linger(client: httpx.Client) -> None:
    droplet_id = _create(client, "life-snap")["droplet"]["id"]
    wait_for(lambda: _droplet(client, droplet_id)["status"] == "active")
    response = client.post(
        f"/v2/droplets/{droplet_id}/actions", json={"type": "snapshot", "name": "life-snap-1"}
    )
    assert response.status_code == 201
    action = response.json()["action"]
    assert (action["status"], action["type"]) == ("in-progress", "snapshot")
    busy = client.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "reboot"})
    assert busy.status_code == 422
    assert client.get(f"/v2/droplets/{droplet_id}/actions/{action['id']}").status_code == 200

    wait_for(_action_done(client, action["id"]))

    def listed() -> list[dict[str, Any]]:
        return client.get(f"/v2/droplets/{droplet_id}/snapshots").json()["snapshots"]

    def globally() -> list[str]:
        snaps = client.get(
            "/v2/snapshots", params={"resource_type": "droplet", "per_page": 200}
        ).json()["snapshots"]
        return [s["id"] for s in snaps if s["resource_id"] == str(droplet_id)]

    assert listed() == [] and globally() == []  # completed, but not listed yet
    snaps, waited = wait_for(listed)
    assert waited >= 0.2
    assert [s["name"] for s in snaps] == ["life-snap-1"]
    snap_id = snaps[0]["id"]
    assert globally() == [str(snap_id)]
    assert _droplet(client, droplet_id)["snapshot_ids"] == [snap_id]
    assert client.get(f"/v2/snapshots/{snap_id}").json()["snapshot"]["name"] == "life-snap-1"

    assert client.delete(f"/v2/snapshots/{snap_id}").status_code == 204
    assert client.get(f"/v2/snapshots/{snap_id}").status_code == 404
    assert client.delete(f"/v2/snapshots/{snap_id}").status_code == 404
    assert globally() == [str(snap_id)]  # lingers in listings
    _, waited = wait_for(lambda: not globally())
    assert listed() == []


def test_resize_needs_power_off_and_cannot_shrink_disk(client: httpx.Client) -> None:
    droplet_id = _create(client, "life-resize")["droplet"]["id"]
    wait_for(lambda: _droplet(client, droplet_id)["status"] == "active")
    refused = client.post(
        f"/v2/droplets/{droplet_id}/actions",
        json={"type": "resize", "size": "s-2vcpu-4gb", "disk": True},
    )
    assert refused.status_code == 422
    assert "power it off" in refused.json()["message"]

    off = client.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "power_off"})
    wait_for(_action_done(client, off.json()["action"]["id"]))
    assert _droplet(client, droplet_id)["status"] == "off"

    resize = client.post(
        f"/v2/droplets/{droplet_id}/actions",
        json={"type": "resize", "size": "s-2vcpu-4gb", "disk": True},
    )
    assert resize.status_code == 201
    done, _ = wait_for(_action_done(client, resize.json()["action"]["id"]))
    assert done["status"] == "completed"
    droplet = _droplet(client, droplet_id)
    assert (droplet["size_slug"], droplet["disk"], droplet["memory"]) == ("s-2vcpu-4gb", 80, 4096)
    shrink = client.post(
        f"/v2/droplets/{droplet_id}/actions", json={"type": "resize", "size": "s-1vcpu-1gb"}
    )
    assert shrink.status_code == 422
    bogus = client.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "explode"})
    assert bogus.status_code == 422


def test_create_validation_and_delete(client: httpx.Client) -> None:
    bad_size = client.post(
        "/v2/droplets",
        json={"name": "x", "size": "huge", "image": "ubuntu-24-04-x64", "region": "nyc3"},
    )
    assert bad_size.status_code == 422
    assert bad_size.json()["id"] == "unprocessable_entity"
    bad_name = client.post(
        "/v2/droplets",
        json={"name": "no spaces", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"},
    )
    assert bad_name.status_code == 422
    broken = client.post(
        "/v2/droplets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json()["id"] == "bad_request"

    droplet_id = _create(client, "life-gone")["droplet"]["id"]
    assert client.delete(f"/v2/droplets/{droplet_id}").status_code == 204
    assert client.get(f"/v2/droplets/{droplet_id}").status_code == 404
    assert client.delete(f"/v2/droplets/{droplet_id}").status_code == 404


def test_reserved_ip_assignment_is_async(client: httpx.Client) -> None:
    droplet_id = _create(client, "life-ip")["droplet"]["id"]
    wait_for(lambda: _droplet(client, droplet_id)["status"] == "active")
    created = client.post("/v2/reserved_ips", json={"droplet_id": droplet_id})
    assert created.status_code == 202
    body = created.json()
    ip = body["reserved_ip"]["ip"]
    assert body["reserved_ip"]["locked"] is True and body["reserved_ip"]["droplet"] is None
    assert body["links"]["actions"][0]["rel"] == "assign_ip"
    assigned, _ = wait_for(
        lambda: (r := client.get(f"/v2/floating_ips/{ip}").json()["floating_ip"])["droplet"] and r
    )
    assert assigned["droplet"]["id"] == droplet_id and assigned["locked"] is False


def test_domain_records_get_trailing_dots(client: httpx.Client) -> None:
    created = client.post("/v2/domains", json={"name": "life.example"})
    assert created.status_code == 201
    assert created.json()["domain"]["zone_file"] is None
    base = "/v2/domains/life.example/records"
    cname = client.post(base, json={"type": "CNAME", "name": "www", "data": "life.example"})
    assert cname.json()["domain_record"]["data"] == "life.example."
    mx = client.post(base, json={"type": "MX", "data": "mx.life.example", "priority": 5})
    assert mx.json()["domain_record"]["data"] == "mx.life.example."
    assert mx.json()["domain_record"]["name"] == "@"
    dotted = client.post(base, json={"type": "NS", "name": "sub", "data": "ns1.other.net."})
    assert dotted.json()["domain_record"]["data"] == "ns1.other.net."
    txt = client.post(base, json={"type": "TXT", "name": "@", "data": "hello"})
    assert txt.json()["domain_record"]["data"] == "hello"
    rid = cname.json()["domain_record"]["id"]
    patched = client.patch(f"{base}/{rid}", json={"data": "other.example"})
    assert patched.json()["domain_record"]["data"] == "other.example."
    assert patched.json()["domain_record"]["name"] == "www"
    bad_a = client.post(base, json={"type": "A", "name": "@", "data": "not-an-ip"})
    assert bad_a.status_code == 422
    soa = client.get(base, params={"type": "SOA"}).json()["domain_records"][0]
    assert client.delete(f"{base}/{soa['id']}").status_code == 422
    zone = client.get("/v2/domains/life.example").json()["domain"]["zone_file"]
    assert "www 1800 IN CNAME other.example." in zone


def test_attached_volume_cannot_be_deleted_until_detached(client: httpx.Client) -> None:
    db1 = client.get("/v2/droplets", params={"name": "acme-db-1"}).json()["droplets"][0]
    volume = client.get("/v2/volumes", params={"name": "acme-db-data"}).json()["volumes"][0]
    assert volume["droplet_ids"] == [db1["id"]] and db1["volume_ids"] == [volume["id"]]
    refused = client.delete(f"/v2/volumes/{volume['id']}")
    assert refused.status_code == 409 and refused.json()["id"] == "conflict"
    detach = client.post(
        f"/v2/volumes/{volume['id']}/actions", json={"type": "detach", "droplet_id": db1["id"]}
    )
    assert detach.status_code == 202
    assert detach.json()["action"]["type"] == "detach_volume"
    wait_for(_action_done(client, detach.json()["action"]["id"]))
    assert client.get(f"/v2/droplets/{db1['id']}").json()["droplet"]["volume_ids"] == []
    assert client.delete(f"/v2/volumes/{volume['id']}").status_code == 204
    assert client.get(f"/v2/volumes/{volume['id']}").status_code == 404


def _listed(client: httpx.Client, droplet_id: int) -> dict[str, Any]:
    for page in range(1, 100):
        body = client.get("/v2/droplets", params={"per_page": 200, "page": page}).json()
        for droplet in body["droplets"]:
            if droplet["id"] == droplet_id:
                return droplet
        if "next" not in body.get("links", {}).get("pages", {}):
            break
    raise AssertionError(f"droplet {droplet_id} not listed")


def test_listed_droplet_follows_its_changes_like_get(client: httpx.Client) -> None:
    # Few requests (the module shares one token's rate limit): wait out the lags, then look.
    droplet_id = _create(client, "life-listed")["droplet"]["id"]
    assert _listed(client, droplet_id)["status"] == "new"
    assert _listed(client, droplet_id) == _droplet(client, droplet_id)
    time.sleep(0.8)  # droplet_active_lag
    listed = _listed(client, droplet_id)
    assert listed["status"] == "active" and listed["networks"]["v4"]
    assert listed == _droplet(client, droplet_id)

    off = client.post(f"/v2/droplets/{droplet_id}/actions", json={"type": "power_off"})
    assert off.status_code == 201, off.text
    time.sleep(0.8)  # action_lag
    assert _listed(client, droplet_id)["status"] == "off"
    snap = client.post(
        f"/v2/droplets/{droplet_id}/actions", json={"type": "snapshot", "name": "life-listed-snap"}
    )
    assert snap.status_code == 201, snap.text
    time.sleep(2.0)  # action_lag, then the snapshot list lag
    listed = _listed(client, droplet_id)
    assert len(listed["snapshot_ids"]) == 1
    assert listed == _droplet(client, droplet_id)

"""Fidelity to DO's spec where the simulator once drifted from it: the URN kinds of project
resources, the create action of seeded droplets, and the ``links`` of single-page lists."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.sim.conftest import StartSimulator, api_client
from tests.sim.openapi import spec_urn_pattern, validate_response


def all_project_urns(client: httpx.Client) -> list[str]:
    urns = []
    for project in client.get("/v2/projects", params={"per_page": 200}).json()["projects"]:
        body = client.get(
            f"/v2/projects/{project['id']}/resources", params={"per_page": 200}
        ).json()
        urns += [r["urn"] for r in body["resources"]]
    return urns


def wait_until(probe: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


# -- project resources: only the URN kinds the spec allows -----------------------------------
def test_seeded_project_resources_match_the_spec_urn_pattern(api: httpx.Client) -> None:
    pattern = spec_urn_pattern()
    urns = all_project_urns(api)
    assert urns
    assert [u for u in urns if not pattern.match(u)] == []


def test_new_snapshots_join_no_project(client: httpx.Client) -> None:
    droplet = client.post(
        "/v2/droplets",
        json={
            "name": "fid-snap",
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
        },
    ).json()["droplet"]
    wait_until(
        lambda: client.get(f"/v2/droplets/{droplet['id']}").json()["droplet"]["status"] == "active"
    )
    action = client.post(
        f"/v2/droplets/{droplet['id']}/actions", json={"type": "snapshot", "name": "fid-snap-1"}
    ).json()["action"]
    volume = client.post(
        "/v2/volumes", json={"name": "fid-vol", "region": "nyc3", "size_gigabytes": 10}
    ).json()["volume"]
    snap = client.post(f"/v2/volumes/{volume['id']}/snapshots", json={"name": "fid-vol-1"}).json()[
        "snapshot"
    ]
    wait_until(
        lambda: client.get(f"/v2/actions/{action['id']}").json()["action"]["status"] == "completed"
    )

    urns = all_project_urns(client)
    assert f"do:droplet:{droplet['id']}" in urns and f"do:volume:{volume['id']}" in urns
    pattern = spec_urn_pattern()
    assert [u for u in urns if not pattern.match(u)] == []
    assert not [u for u in urns if u.endswith(f":{snap['id']}")]


def test_assigning_a_urn_the_spec_rejects_is_bad_request(client: httpx.Client) -> None:
    response = client.post(
        "/v2/projects/default/resources", json={"resources": ["do:image:160500001"]}
    )
    assert response.status_code == 400
    assert response.json()["id"] == "bad_request"


# -- seeded droplets carry their create action -----------------------------------------------
def _check_create_actions(client: httpx.Client) -> int:
    droplets = client.get("/v2/droplets", params={"per_page": 200}).json()["droplets"]
    for droplet in droplets:
        body = client.get(f"/v2/droplets/{droplet['id']}/actions").json()
        validate_response("GET", "/v2/droplets/{droplet_id}/actions", 200, body)
        assert [(a["type"], a["status"]) for a in body["actions"]] == [("create", "completed")]
        action = body["actions"][0]
        assert action["resource_id"] == droplet["id"]
        assert action["resource_type"] == "droplet"
        assert action["started_at"] == droplet["created_at"]
        assert action["completed_at"] > action["started_at"]
        assert action["region"]["slug"] == droplet["region"]["slug"]
        one = client.get(f"/v2/actions/{action['id']}").json()["action"]
        assert one == action
    return len(droplets)


def test_default_droplets_have_their_completed_create_action(api: httpx.Client) -> None:
    assert _check_create_actions(api) == 8  # 5 + the 3 DOKS nodes


def test_scale_droplets_have_their_completed_create_action(
    start_simulator: StartSimulator,
) -> None:
    args = ("--droplets", "7", "--volumes", "2", "--snapshots", "3", "--domains", "2")
    with start_simulator(scenario="scale", extra_args=args) as handle, api_client(handle) as client:
        assert _check_create_actions(client) == 7


# -- lists: `links` is `{}` whenever there is no other page ----------------------------------
def _paths(api: httpx.Client) -> dict[str, str]:
    """Lists of the default account that are empty (with filters or for a childless parent)."""
    droplets = {d["name"]: d["id"] for d in api.get("/v2/droplets").json()["droplets"]}
    volumes = {v["name"]: v["id"] for v in api.get("/v2/volumes").json()["volumes"]}
    ips = [i["ip"] for i in api.get("/v2/reserved_ips").json()["reserved_ips"]]
    return {
        "gpu droplets": "/v2/droplets?type=gpus",
        "droplets by tag": "/v2/droplets?tag_name=no-such-tag",
        "volumes by name": "/v2/volumes?name=no-such-volume",
        "droplet backups": f"/v2/droplets/{droplets['platform-ci-1']}/backups",
        "volumes in a region": "/v2/volumes?region=sfo3",
        "volume actions": f"/v2/volumes/{volumes['platform-cache']}/actions",
        "reserved ip actions": f"/v2/reserved_ips/{ips[0]}/actions",
        "floating ip actions": f"/v2/floating_ips/{ips[0]}/actions",
        "srv records": "/v2/domains/acme-store.com/records?type=SRV",
    }


@pytest.mark.parametrize("per_page", [None, "20", "200"])
def test_empty_lists_carry_empty_links(api: httpx.Client, per_page: str | None) -> None:
    params = {"per_page": per_page} if per_page else {}
    shapes = {}
    for what, path in _paths(api).items():
        query = dict(httpx.URL(path).params) | params
        body = api.get(path.split("?")[0], params=query).json()
        assert body["meta"] == {"total": 0}, what
        shapes[what] = body.get("links", "<missing>")
    assert shapes == {what: {} for what in shapes}


@pytest.mark.parametrize("per_page", [None, "50"])
def test_a_single_page_carries_empty_links(api: httpx.Client, per_page: str | None) -> None:
    params = {"per_page": per_page} if per_page else {}
    for path in ("/v2/projects", "/v2/droplets", "/v2/firewalls", "/v2/snapshots"):
        body = api.get(path, params=params).json()
        assert 0 < body["meta"]["total"] <= 20
        assert body["links"] == {}, path

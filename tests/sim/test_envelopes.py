"""DO envelopes and pagination on the session's default-scenario server (read-only)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimulatorHandle
from tests.sim.openapi import validate_response


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_small_collection_without_per_page_is_one_page(api: httpx.Client) -> None:
    body = api.get("/v2/droplets").json()
    assert body["links"] == {}
    assert body["meta"] == {"total": 8}
    assert {d["name"] for d in body["droplets"]} == {
        "acme-web-1",
        "acme-web-2",
        "acme-db-1",
        "globex-etl-1",
        "platform-ci-1",
        "workers-x7k2p",
        "workers-m3q9d",
        "batch-x7k2p",
    }  # the last three: DOKS nodes


def test_explicit_per_page_forces_links_and_keeps_params(
    api: httpx.Client, sim: SimulatorHandle
) -> None:
    first = api.get("/v2/droplets", params={"tag_name": "acme", "per_page": 1}).json()
    assert first["meta"]["total"] == 3
    pages = first["links"]["pages"]
    assert set(pages) == {"next", "last"}
    assert pages["next"].startswith(sim.base_url + "/v2/droplets?")
    assert _query(pages["next"]) == {"tag_name": ["acme"], "per_page": ["1"], "page": ["2"]}
    assert _query(pages["last"])["page"] == ["3"]

    middle = api.get(pages["next"]).json()
    assert set(middle["links"]["pages"]) == {"first", "prev", "next", "last"}
    assert _query(middle["links"]["pages"]["prev"])["page"] == ["1"]

    last = api.get(pages["last"]).json()
    assert set(last["links"]["pages"]) == {"first", "prev"}
    assert _query(last["links"]["pages"]["first"]) == {
        "tag_name": ["acme"],
        "per_page": ["1"],
        "page": ["1"],
    }
    names = [
        first["droplets"][0]["name"],
        middle["droplets"][0]["name"],
        last["droplets"][0]["name"],
    ]
    assert sorted(names) == ["acme-db-1", "acme-web-1", "acme-web-2"]


def test_page_beyond_the_end_is_empty_with_back_links(api: httpx.Client) -> None:
    body = api.get("/v2/domains", params={"per_page": 5, "page": 9}).json()
    assert body["domains"] == []
    assert body["meta"]["total"] == 7
    assert _query(body["links"]["pages"]["prev"])["page"] == ["2"]


@pytest.mark.parametrize("per_page", ["0", "-3", "ten"])
def test_invalid_per_page_is_bad_request(api: httpx.Client, per_page: str) -> None:
    response = api.get("/v2/droplets", params={"per_page": per_page})
    assert response.status_code == 400
    assert response.json()["id"] == "bad_request"


def test_unknown_ids_and_routes_are_do_not_found(api: httpx.Client) -> None:
    for path in ("/v2/droplets/1", "/v2/domains/nope.example", "/v2/no-such-thing"):
        response = api.get(path)
        assert response.status_code == 404, path
        body = response.json()
        assert body["id"] == "not_found" and body["message"] and body["request_id"]
    validate_response("GET", "/v2/droplets/{droplet_id}", 404, api.get("/v2/droplets/1").json())


def test_droplet_filters(api: httpx.Client) -> None:
    by_name = api.get("/v2/droplets", params={"name": "ACME-db-1"}).json()
    assert [d["name"] for d in by_name["droplets"]] == ["acme-db-1"]
    combined = api.get("/v2/droplets", params={"name": "acme-db-1", "tag_name": "acme"})
    assert combined.status_code == 400


def test_droplets_are_active_with_public_and_private_v4(api: httpx.Client) -> None:
    for droplet in api.get("/v2/droplets").json()["droplets"]:
        assert droplet["status"] == "active"
        types = sorted(n["type"] for n in droplet["networks"]["v4"])
        assert types == ["private", "public"]
        private = next(n for n in droplet["networks"]["v4"] if n["type"] == "private")
        assert private["gateway"] == "nil"
        assert droplet["image"]["slug"] == "ubuntu-24-04-x64"


def test_snapshot_id_types_differ_between_endpoints(api: httpx.Client) -> None:
    everything = api.get("/v2/snapshots").json()
    assert everything["meta"]["total"] == 12
    assert all(
        isinstance(s["id"], str) and isinstance(s["resource_id"], str)
        for s in everything["snapshots"]
    )
    volume = api.get("/v2/snapshots", params={"resource_type": "volume"}).json()
    assert sorted(s["name"] for s in volume["snapshots"]) == [
        "acme-db-data-2026-04-01",
        "globex-warehouse-2026-03-15",
        "globex-warehouse-2026-04-15",
        "platform-cache-seed",
    ]
    db1 = api.get("/v2/droplets", params={"name": "acme-db-1"}).json()["droplets"][0]
    per_droplet = api.get(f"/v2/droplets/{db1['id']}/snapshots").json()["snapshots"]
    assert sorted(s["name"] for s in per_droplet) == [
        "acme-db-1-2026-04-01",
        "acme-db-1-pre-upgrade",
    ]
    assert all(isinstance(s["id"], int) and s["type"] == "snapshot" for s in per_droplet)
    assert sorted(db1["snapshot_ids"]) == sorted(s["id"] for s in per_droplet)
    backups = api.get(f"/v2/droplets/{db1['id']}/backups").json()
    assert backups["meta"]["total"] == 2
    assert sorted(db1["backup_ids"]) == sorted(b["id"] for b in backups["backups"])
    assert not any(
        s["name"] == b["name"] for s in everything["snapshots"] for b in backups["backups"]
    )


def test_domain_records_as_do_creates_them(api: httpx.Client) -> None:
    records = api.get("/v2/domains/acme-store.com/records").json()["domain_records"]
    types = sorted(r["type"] for r in records)
    assert types.count("NS") == 3 and types.count("SOA") == 1
    cname = next(r for r in records if r["type"] == "CNAME")
    assert cname["name"] == "www" and cname["data"] == "acme-store.com."
    web1 = api.get("/v2/droplets", params={"name": "acme-web-1"}).json()["droplets"][0]
    public = next(n["ip_address"] for n in web1["networks"]["v4"] if n["type"] == "public")
    apex_a = api.get(
        "/v2/domains/acme-store.com/records", params={"type": "A", "name": "acme-store.com"}
    ).json()["domain_records"]
    assert [r["data"] for r in apex_a] == [public]
    www = api.get(
        "/v2/domains/acme-store.com/records", params={"name": "www.acme-store.com"}
    ).json()["domain_records"]
    assert [r["type"] for r in www] == ["CNAME"]
    assert api.get("/v2/domains").json()["meta"]["total"] == 7


def test_project_resources_use_the_spec_urn_kinds(api: httpx.Client) -> None:
    projects = {p["name"]: p for p in api.get("/v2/projects").json()["projects"]}
    assert {p["description"] for p in projects.values()} == {
        "tenant:acme",
        "tenant:globex",
        "tenant:platform",
    }
    default = api.get("/v2/projects/default").json()["project"]
    assert default["name"] == "Platform" and default["is_default"] is True
    urns: list[str] = []
    for project in projects.values():
        body = api.get(f"/v2/projects/{project['id']}/resources", params={"per_page": 200}).json()
        assert body["meta"]["total"] == len(body["resources"])
        urns += [r["urn"] for r in body["resources"]]
    kinds = sorted({u.split(":")[1] for u in urns})
    assert kinds == [
        "dbaas",
        "domain",
        "droplet",
        "floatingip",
        "kubernetes",
        "loadbalancer",
        "space",
        "volume",
        "vpc",
    ]
    count = {k: sum(1 for u in urns if u.split(":")[1] == k) for k in kinds}
    assert count == {
        "dbaas": 2,
        "domain": 7,
        "droplet": 5,
        "floatingip": 2,
        "kubernetes": 1,
        "loadbalancer": 1,
        "space": 6,
        "volume": 3,
        "vpc": 5,
    }
    assert len(urns) == len(set(urns))


def test_reserved_and_floating_ips_are_the_same_objects(api: httpx.Client) -> None:
    reserved = api.get("/v2/reserved_ips").json()["reserved_ips"]
    floating = api.get("/v2/floating_ips").json()["floating_ips"]
    assert [r["ip"] for r in reserved] == [f["ip"] for f in floating]
    assigned = [r for r in reserved if r["droplet"]]
    assert [r["droplet"]["name"] for r in assigned] == ["acme-web-1"]
    assert sorted(r["region"]["slug"] for r in reserved) == ["ams3", "nyc3"]

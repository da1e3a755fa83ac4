"""The simulator's account-level kinds beyond the conformance tour: images paged across their
sources, live tag counts, the registry's storage used, and what the seeds refer to."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sim.openapi import validate_response


def _pages(api: httpx.Client, path: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    page, total = 1, -1
    while True:
        body = api.get(path, params={**params, "page": page}).json()
        validate_response("GET", path, 200, body)
        items += body["images"]
        total = body["meta"]["total"]
        if "next" not in body["links"].get("pages", {}):
            return items, total
        page += 1


def test_private_images_page_across_custom_images_snapshots_and_backups(
    api: httpx.Client, admin: Any
) -> None:
    private, total = _pages(api, "/v2/images", private="true", per_page=4)
    types = [image["type"] for image in private]
    snapshots = [s for s in admin.resources("snapshot") if s["body"]["resource_type"] == "droplet"]
    expected = {
        "custom": len(admin.resources("custom_image")),
        "snapshot": len(snapshots),
        "backup": len(admin.resources("backup")),
    }
    assert {t: types.count(t) for t in expected} == expected
    assert total == len(private) == len({image["id"] for image in private})
    assert total == sum(expected.values())
    everything, all_total = _pages(api, "/v2/images", per_page=7)
    assert all_total == total + 5 and not any(i["public"] for i in everything[5:])
    public, _ = _pages(api, "/v2/images", type="distribution")
    assert public == everything[:5]


def test_tag_counts_follow_what_carries_the_tag(api: httpx.Client) -> None:
    acme = api.get("/v2/tags/acme").json()["tag"]["resources"]
    assert acme["droplets"]["count"] == 3 and acme["volumes"]["count"] == 0
    # droplet snapshots and the custom image tagged acme: DO counts both as images
    assert acme["imgages"]["count"] == 5 + 1 and acme["volume_snapshots"]["count"] == 1
    assert acme["count"] == 3 + 6 + 1
    assert acme["last_tagged_uri"].startswith("https://api.digitalocean.com/v2/droplets/")


def test_the_registry_reports_the_storage_its_repositories_use(api: httpx.Client) -> None:
    registry = api.get("/v2/registry").json()["registry"]
    repos = api.get(f"/v2/registry/{registry['name']}/repositoriesV2").json()["repositories"]
    used = sum(r["latest_manifest"]["compressed_size_bytes"] * r["manifest_count"] for r in repos)
    assert registry["storage_usage_bytes"] == used > 0
    assert registry["subscription"]["tier"]["slug"] == "basic"


def test_seeds_refer_to_the_seeded_world(api: httpx.Client) -> None:
    droplets = {d["id"]: d for d in api.get("/v2/droplets").json()["droplets"]}
    policies = api.get("/v2/monitoring/alerts").json()["policies"]
    assert all(int(e) in droplets for p in policies for e in p["entities"])
    certs = {c["id"] for c in api.get("/v2/certificates").json()["certificates"]}
    endpoints = api.get("/v2/cdn/endpoints").json()["endpoints"]
    assert {e["certificate_id"] for e in endpoints if "certificate_id" in e} <= certs
    ipv6 = api.get("/v2/reserved_ipv6").json()["reserved_ipv6s"]
    assert {i["droplet"]["name"] for i in ipv6 if i["droplet"]} == {"acme-web-1", "globex-etl-1"}
    namespaces = api.get("/v2/functions/namespaces").json()["namespaces"]
    assert all(len(n["key"]) == 64 for n in namespaces)  # DO sends the key: clients must drop it

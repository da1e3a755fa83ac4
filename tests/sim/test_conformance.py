"""Every DO endpoint the simulator implements answers with a body that validates against that
operation's response schema in the bundled OpenAPI spec.

A module-scoped *tour* drives a fresh default-scenario server through every operation (creating
what later calls need), validating each response as it goes; one test per implemented
operation then checks the tour exercised it with the declared status and a valid body.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from arcadia_cloud_sim.registry import resource_kinds
from tests.sim.conftest import StartSimulator, api_client
from tests.sim.openapi import path_template, validate_response
from tests.sim.platform_tour import run_platform_tour
from tests.sim.tour_account import run_account_kinds_tour

MODULES = resource_kinds()


def implemented_operations() -> list[tuple[str, str]]:
    """(METHOD, spec path) for every ``/v2`` route of the simulator's DO modules."""
    ops: set[tuple[str, str]] = set()
    for module in MODULES:
        for route in module.routes():
            assert isinstance(route, Route) and not isinstance(route, Mount)
            sample = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in route.methods or ():
                if method != "HEAD":
                    ops.add((method, path_template(sample)))
    return sorted(ops)


OPERATIONS = implemented_operations()


class Tour:
    """Makes calls, checks status and schema, and records the outcome per operation."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.results: dict[tuple[str, str], list[str]] = defaultdict(list)

    def call(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        response = self.client.request(method, path, json=body, params=params)
        template = path_template(path)
        key = (method, template)
        if response.status_code != status:
            self.results[key].append(
                f"{method} {path}: status {response.status_code}, expected {status}: "
                f"{response.text[:300]}"
            )
            return None
        payload = response.json() if response.content else None
        try:
            validate_response(method, template, status, payload)
        except AssertionError as exc:
            self.results[key].append(str(exc))
            return payload
        self.results[key].append("ok")
        return payload

    def wait_action(self, action_id: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.client.get(f"/v2/actions/{action_id}")
            if r.json()["action"]["status"] != "in-progress":
                return
            time.sleep(0.1)
        raise AssertionError(f"action {action_id} still in progress")


def run_tour(tour: Tour) -> None:
    """Exercise every implemented operation once (at least)."""
    c = tour.call
    c("GET", "/v2/account", 200)
    for path in ("/v2/regions", "/v2/sizes", "/v2/images"):
        c("GET", path, 200)

    # droplets
    listed = c("GET", "/v2/droplets", 200)
    by_name = {d["name"]: d for d in listed["droplets"]}
    web1, db1, ci1 = (by_name[n]["id"] for n in ("acme-web-1", "acme-db-1", "platform-ci-1"))
    c("GET", "/v2/droplets", 200, params={"tag_name": "acme", "per_page": 2})
    c("GET", "/v2/droplets", 200, params={"name": "ACME-WEB-1"})
    c("GET", f"/v2/droplets/{web1}", 200)
    created = c(
        "POST",
        "/v2/droplets",
        202,
        {
            "name": "tour-1",
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            "tags": ["tour"],
            "backups": True,
            "ipv6": False,
        },
    )
    new_id = created["droplet"]["id"]
    multi = c(
        "POST",
        "/v2/droplets",
        202,
        {
            "names": ["tour-m1", "tour-m2"],
            "region": "ams3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            "tags": ["tour-multi"],
        },
    )
    c("DELETE", f"/v2/droplets/{multi['droplets'][0]['id']}", 204)
    c("DELETE", "/v2/droplets", 204, params={"tag_name": "tour-multi"})
    c("GET", f"/v2/droplets/{db1}/snapshots", 200)
    c("GET", f"/v2/droplets/{db1}/backups", 200)
    action = c("POST", f"/v2/droplets/{ci1}/actions", 201, {"type": "reboot"})["action"]
    c("GET", f"/v2/droplets/{ci1}/actions", 200)
    c("GET", f"/v2/droplets/{ci1}/actions/{action['id']}", 200)
    c("POST", "/v2/droplets/actions", 201, {"type": "power_on"}, params={"tag_name": "web"})
    c("GET", "/v2/actions", 200)
    c("GET", f"/v2/actions/{action['id']}", 200)
    c("GET", f"/v2/actions/{created['links']['actions'][0]['id']}", 200)
    tour.wait_action(created["links"]["actions"][0]["id"])
    c("GET", f"/v2/droplets/{new_id}", 200)

    # snapshots
    snaps = c("GET", "/v2/snapshots", 200, params={"per_page": 50})["snapshots"]
    c("GET", "/v2/snapshots", 200, params={"resource_type": "volume"})
    droplet_snap = next(s for s in snaps if s["resource_type"] == "droplet")
    volume_snap = next(s for s in snaps if s["resource_type"] == "volume")
    c("GET", f"/v2/snapshots/{droplet_snap['id']}", 200)
    c("GET", f"/v2/snapshots/{volume_snap['id']}", 200)
    c("DELETE", f"/v2/snapshots/{droplet_snap['id']}", 204)

    # volumes, volume actions, volume snapshots
    c("GET", "/v2/volumes", 200)
    c("GET", "/v2/volumes", 200, params={"name": "acme-db-data", "region": "nyc3"})
    vol = c(
        "POST",
        "/v2/volumes",
        201,
        {
            "name": "tour-vol",
            "size_gigabytes": 20,
            "region": "nyc3",
            "filesystem_type": "ext4",
            "tags": ["tour"],
        },
    )["volume"]
    c("GET", f"/v2/volumes/{vol['id']}", 200)
    attach = c(
        "POST", f"/v2/volumes/{vol['id']}/actions", 202, {"type": "attach", "droplet_id": web1}
    )["action"]
    c("GET", f"/v2/volumes/{vol['id']}/actions", 200)
    c("GET", f"/v2/volumes/{vol['id']}/actions/{attach['id']}", 200)
    tour.wait_action(attach["id"])
    resize = c(
        "POST",
        "/v2/volumes/actions",
        202,
        {
            "type": "resize",
            "volume_name": "tour-vol",
            "region": "nyc3",
            "size_gigabytes": 40,
        },
    )["action"]
    tour.wait_action(resize["id"])
    vsnap = c("POST", f"/v2/volumes/{vol['id']}/snapshots", 201, {"name": "tour-vol-snap"})
    c("GET", f"/v2/volumes/{vol['id']}/snapshots", 200)
    c("GET", f"/v2/volumes/snapshots/{vsnap['snapshot']['id']}", 200)
    c("DELETE", f"/v2/volumes/snapshots/{vsnap['snapshot']['id']}", 204)
    c("POST", "/v2/volumes", 201, {"name": "tour-vol-2", "size_gigabytes": 5, "region": "ams3"})
    c("DELETE", "/v2/volumes", 204, params={"name": "tour-vol-2", "region": "ams3"})
    spare = c(
        "POST", "/v2/volumes", 201, {"name": "tour-vol-3", "size_gigabytes": 5, "region": "ams3"}
    )["volume"]
    c("DELETE", f"/v2/volumes/{spare['id']}", 204)

    # reserved and floating IPs
    for prefix, key in (("/v2/reserved_ips", "reserved_ip"), ("/v2/floating_ips", "floating_ip")):
        c("GET", prefix, 200)
        free = c("POST", prefix, 202, {"region": "nyc3"})[key]
        bound = c("POST", prefix, 202, {"droplet_id": web1})
        c("GET", f"{prefix}/{bound[key]['ip']}", 200)
        act = c(
            "POST", f"{prefix}/{free['ip']}/actions", 201, {"type": "assign", "droplet_id": web1}
        )["action"]
        c("GET", f"{prefix}/{free['ip']}/actions", 200)
        c("GET", f"{prefix}/{free['ip']}/actions/{act['id']}", 200)
        tour.wait_action(act["id"])
        c("GET", f"{prefix}/{free['ip']}", 200)
        c("DELETE", f"{prefix}/{free['ip']}", 204)

    # firewalls
    c("GET", "/v2/firewalls", 200)
    rule = {"protocol": "tcp", "ports": "8080", "sources": {"addresses": ["10.0.0.0/8"]}}
    fw = c(
        "POST",
        "/v2/firewalls",
        202,
        {
            "name": "tour-fw",
            "inbound_rules": [rule],
            "outbound_rules": [
                {"protocol": "tcp", "ports": "0", "destinations": {"addresses": ["0.0.0.0/0"]}}
            ],
            "droplet_ids": [web1],
        },
    )["firewall"]
    c("GET", f"/v2/firewalls/{fw['id']}", 200)
    c(
        "PUT",
        f"/v2/firewalls/{fw['id']}",
        200,
        {
            "name": "tour-fw-2",
            "inbound_rules": [rule],
            "droplet_ids": [web1],
            "tags": [],
        },
    )
    for sub, body in (
        ("droplets", {"droplet_ids": [db1]}),
        ("tags", {"tags": ["tour"]}),
        ("rules", {"inbound_rules": [dict(rule, ports="9090")]}),
    ):
        c("POST", f"/v2/firewalls/{fw['id']}/{sub}", 204, body)
        c("DELETE", f"/v2/firewalls/{fw['id']}/{sub}", 204, body)
    c("DELETE", f"/v2/firewalls/{fw['id']}", 204)

    # load balancers
    c("GET", "/v2/load_balancers", 200)
    fwd = {
        "entry_protocol": "http",
        "entry_port": 8080,
        "target_protocol": "http",
        "target_port": 8080,
    }
    lb = c(
        "POST",
        "/v2/load_balancers",
        202,
        {
            "name": "tour-lb",
            "region": "nyc3",
            "forwarding_rules": [fwd],
            "droplet_ids": [web1],
        },
    )["load_balancer"]
    c("GET", f"/v2/load_balancers/{lb['id']}", 200)
    c(
        "PUT",
        f"/v2/load_balancers/{lb['id']}",
        200,
        {
            "name": "tour-lb-2",
            "region": "nyc3",
            "forwarding_rules": [fwd],
            "droplet_ids": [web1],
        },
    )
    c("POST", f"/v2/load_balancers/{lb['id']}/droplets", 204, {"droplet_ids": [db1]})
    c("DELETE", f"/v2/load_balancers/{lb['id']}/droplets", 204, {"droplet_ids": [db1]})
    extra_rule = dict(fwd, entry_port=9090, target_port=9090)
    c(
        "POST",
        f"/v2/load_balancers/{lb['id']}/forwarding_rules",
        204,
        {"forwarding_rules": [extra_rule]},
    )
    c(
        "DELETE",
        f"/v2/load_balancers/{lb['id']}/forwarding_rules",
        204,
        {"forwarding_rules": [extra_rule]},
    )
    c("DELETE", f"/v2/load_balancers/{lb['id']}", 204)

    # domains and records
    c("GET", "/v2/domains", 200)
    c("POST", "/v2/domains", 201, {"name": "tour.example", "ip_address": "192.0.2.10"})
    c("GET", "/v2/domains/tour.example", 200)
    c("GET", "/v2/domains/acme-store.com/records", 200, params={"type": "CNAME"})
    rec = c(
        "POST",
        "/v2/domains/tour.example/records",
        201,
        {"type": "CNAME", "name": "www", "data": "tour.example", "ttl": 600},
    )
    rid = rec["domain_record"]["id"]
    c("GET", f"/v2/domains/tour.example/records/{rid}", 200)
    c("PATCH", f"/v2/domains/tour.example/records/{rid}", 200, {"name": "blog"})
    c(
        "PUT",
        f"/v2/domains/tour.example/records/{rid}",
        200,
        {"type": "CNAME", "name": "blog", "data": "www.tour.example"},
    )
    mx = c(
        "POST",
        "/v2/domains/tour.example/records",
        201,
        {"type": "MX", "name": "@", "data": "mail.tour.example", "priority": 10},
    )
    c("DELETE", f"/v2/domains/tour.example/records/{mx['domain_record']['id']}", 204)
    c("DELETE", "/v2/domains/tour.example", 204)

    # projects
    c("GET", "/v2/projects", 200)
    proj = c(
        "POST",
        "/v2/projects",
        201,
        {
            "name": "Tour",
            "purpose": "Service or API",
            "description": "tenant:tour",
            "environment": "Staging",
        },
    )["project"]
    c("GET", f"/v2/projects/{proj['id']}", 200)
    c("PATCH", f"/v2/projects/{proj['id']}", 200, {"description": "tenant:tour2"})
    c(
        "PUT",
        f"/v2/projects/{proj['id']}",
        200,
        {
            "name": "Tour",
            "description": "tenant:tour",
            "purpose": "IoT",
            "environment": "Development",
            "is_default": False,
        },
    )
    c("GET", f"/v2/projects/{proj['id']}/resources", 200)
    c("POST", f"/v2/projects/{proj['id']}/resources", 200, {"resources": [f"do:droplet:{new_id}"]})
    c("POST", "/v2/projects/default/resources", 200, {"resources": [f"do:droplet:{new_id}"]})
    c("GET", "/v2/projects/default/resources", 200)
    c("GET", "/v2/projects/default", 200)
    c("PATCH", "/v2/projects/default", 200, {"description": "tenant:platform"})
    default = c("GET", "/v2/projects/default", 200)["project"]
    c(
        "PUT",
        "/v2/projects/default",
        200,
        {k: default[k] for k in ("name", "description", "purpose", "environment", "is_default")},
    )
    c("DELETE", f"/v2/projects/{proj['id']}", 204)

    run_account_kinds_tour(tour)  # certificates … autoscale pools (#13)
    run_platform_tour(c)

    # the declared error bodies validate too
    c("GET", "/v2/droplets/999999999", 404)
    c("GET", "/v2/volumes/00000000-0000-4000-8000-000000000000", 404)


@pytest.fixture(scope="module")
def tour(start_simulator: StartSimulator) -> Iterator[Tour]:
    with start_simulator() as sim, api_client(sim) as client:
        t = Tour(client)
        run_tour(t)
        yield t


@pytest.mark.parametrize(
    ("method", "template"), OPERATIONS, ids=[f"{m} {t}" for m, t in OPERATIONS]
)
def test_operation_conforms(tour: Tour, method: str, template: str) -> None:
    outcomes = tour.results.get((method, template))
    assert outcomes, f"the tour never called {method} {template}"
    failures = [o for o in outcomes if o != "ok"]
    assert not failures, "\n".join(failures)


def test_unauthorized_body_conforms(sim_unauth: httpx.Client) -> None:
    response = sim_unauth.get("/v2/droplets")
    assert response.status_code == 401
    validate_response("GET", "/v2/droplets", 401, response.json())


@pytest.fixture
def sim_unauth(sim: Any) -> Iterator[httpx.Client]:
    with api_client(sim, token=None) as client:
        yield client

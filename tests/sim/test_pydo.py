"""DigitalOcean's own Python SDK (``pydo``, unmodified) against the simulator over HTTPS.

Nobody here wrote pydo: it is generated from DO's spec and checks each response's status, so a
call that succeeds is the SDK accepting what the simulator answered. Every read endpoint the
simulator serves is called through pydo and must return exactly what the simulator serves for
that request (read back over plain http) and hold what the simulator's state holds; the write
flows our code uses (droplet create/actions/delete, DNS record upsert/delete, snapshots,
volumes, reserved IPs, project assignment) run through pydo end to end.

pydo 0.44 has no ``floating_ips`` group, and its ``invoices.get_csv_by_uuid`` decodes DO's CSV as
JSON (it fails on any real CSV): those endpoints go through pydo's own ``send_request`` — the
same pipeline, bearer policy and TLS verification, no SDK change.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pydo
import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
)
from azure.core.rest import HttpRequest
from starlette.routing import BaseRoute, Mount, Route

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from arcadia_cloud_sim.registry import all_routes
from tests.sim.conftest import TOKEN, api_client
from tests.sim.openapi import path_template, spec_urn_pattern

Ids = Mapping[str, Any]
#: A whole collection on one page, for pydo methods without a ``per_page`` argument.
ALL = {"per_page": 200}


class Exchanges:
    """The last HTTP response pydo received (its ``raw_response_hook``), request included."""

    def __init__(self) -> None:
        self.last: Any = None

    def __call__(self, pipeline_response: Any) -> None:
        self.last = pipeline_response.http_response


@pytest.fixture(scope="module")
def exchanges() -> Exchanges:
    return Exchanges()


@pytest.fixture(scope="module")
def sdk(tls_sim: SimulatorHandle, exchanges: Exchanges) -> pydo.Client:
    """pydo on the HTTPS listener, trusting the simulator's CA; no retries (nothing masked)."""
    return pydo.Client(TOKEN, endpoint=tls_sim.tls_base_url,
                       connection_verify=str(tls_sim.tls_ca_file), retry_total=0, timeout=10,
                       raw_response_hook=exchanges)


@pytest.fixture(scope="module")
def http(tls_sim: SimulatorHandle) -> Iterator[httpx.Client]:
    """Our own view of the same server: its plain-http listener."""
    with api_client(tls_sim) as client:
        yield client


@pytest.fixture(scope="module")
def admin(tls_sim: SimulatorHandle) -> Iterator[SimAdmin]:
    with SimAdmin(tls_sim) as client:
        yield client


def wait_for(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    """``probe()`` once it is truthy."""
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)
    return value


def completed(http: httpx.Client, action: Mapping[str, Any]) -> Mapping[str, Any]:
    """``action`` once DO says it completed."""
    def probe() -> Any:
        now = http.get(f"/v2/actions/{action['id']}").json()["action"]
        return now if now["status"] == "completed" else None

    return wait_for(probe)


@pytest.fixture(scope="module")
def ids(http: httpx.Client) -> dict[str, Any]:
    """Ids of the default account's resources, each a kind the reads below need.

    The seeded account has no reserved IP or volume action: one of each is made (and left to
    complete) so their ``GET .../actions/{id}`` can be read too.
    """

    def first(path: str, key: str, **params: Any) -> dict[str, Any]:
        return http.get(path, params=params).json()[key][0]

    def act(path: str, body: Mapping[str, Any]) -> int:
        response = http.post(path, json=body)
        assert response.status_code in (201, 202), response.text
        return completed(http, response.json()["action"])["id"]

    droplets = http.get("/v2/droplets").json()["droplets"]
    volume_snap = first("/v2/snapshots", "snapshots", resource_type="volume")
    domain = first("/v2/domains", "domains")["name"]
    ip = first("/v2/reserved_ips", "reserved_ips")["ip"]
    droplet = droplets[0]["id"]
    volume = first("/v2/volumes", "volumes")
    ip_action = act(f"/v2/reserved_ips/{ip}/actions", {"type": "assign", "droplet_id": droplet})
    volume_action = act(f"/v2/volumes/{volume['id']}/actions", {
        "type": "resize", "size_gigabytes": volume["size_gigabytes"] + 10,
        "region": volume["region"]["slug"]})
    return {
        "droplet": droplet,
        "droplet_name": droplets[0]["name"],
        "backed_up": next(d["id"] for d in droplets if d["backup_ids"]),
        "droplet_action": first(f"/v2/droplets/{droplet}/actions", "actions")["id"],
        "action": first("/v2/actions", "actions")["id"],
        "project": first("/v2/projects", "projects")["id"],
        "droplet_snapshot": first("/v2/snapshots", "snapshots", resource_type="droplet")["id"],
        "volume_snapshot": volume_snap["id"],
        "snapshotted_volume": volume_snap["resource_id"],
        "volume": http.get(f"/v2/volumes/{volume['id']}").json()["volume"],
        "volume_action": volume_action,
        "ip": ip,
        "ip_action": ip_action,
        "firewall": first("/v2/firewalls", "firewalls")["id"],
        "load_balancer": first("/v2/load_balancers", "load_balancers")["id"],
        "domain": domain,
        "record": first(f"/v2/domains/{domain}/records", "domain_records")["id"],
        "invoice": first("/v2/customers/my/invoices", "invoices")["invoice_uuid"],
    }


# -- the TLS listener -------------------------------------------------------------------------
def test_pydo_refuses_plain_http_and_an_untrusted_certificate(tls_sim: SimulatorHandle) -> None:
    with pytest.raises(ServiceRequestError, match="non-TLS"):
        pydo.Client(TOKEN, endpoint=tls_sim.base_url, retry_total=0).account.get()
    with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
        pydo.Client(TOKEN, endpoint=tls_sim.tls_base_url, retry_total=0).account.get()


def test_the_certificate_verifies_for_ip_and_name(tls_sim: SimulatorHandle) -> None:
    port = httpx.URL(str(tls_sim.tls_base_url)).port
    trusted = ssl.create_default_context(cafile=str(tls_sim.tls_ca_file))
    with httpx.Client(verify=trusted) as client:
        for host in ("127.0.0.1", "localhost"):
            assert client.get(f"https://{host}:{port}/_sim/health").json()["status"] == "ok"


# -- reads: every GET the simulator serves -----------------------------------------------------
@dataclass(frozen=True)
class Read:
    """One read: the concrete path (from ``ids``) and the pydo call that should fetch it."""

    path: str
    call: Callable[[pydo.Client, Ids], Any]

    def concrete(self, i: Ids) -> str:
        return self.path.format(**i)

    @property
    def template(self) -> str:
        return path_template(re.sub(r"\{[^}]+\}", "1", self.path))


def _send(path: str) -> Callable[[pydo.Client, Ids], Any]:
    """A GET through pydo's own pipeline (``send_request``) for what has no typed method."""

    def call(c: pydo.Client, i: Ids) -> Any:
        response = c.send_request(HttpRequest("GET", path.format(**i)))
        response.raise_for_status()
        return response

    return call


READS: dict[str, Read] = {
    "account": Read("/v2/account", lambda c, i: c.account.get()),
    "regions": Read("/v2/regions", lambda c, i: c.regions.list()),
    "sizes": Read("/v2/sizes", lambda c, i: c.sizes.list()),
    "images": Read("/v2/images", lambda c, i: c.images.list()),
    "images page 2": Read("/v2/images", lambda c, i: c.images.list(per_page=5, page=2)),
    "projects": Read("/v2/projects", lambda c, i: c.projects.list()),
    "default project": Read("/v2/projects/default", lambda c, i: c.projects.get_default()),
    "project": Read("/v2/projects/{project}", lambda c, i: c.projects.get(i["project"])),
    "project resources": Read("/v2/projects/{project}/resources",
                              lambda c, i: c.projects.list_resources(i["project"])),
    "default project resources": Read("/v2/projects/default/resources",
                                      lambda c, i: c.projects.list_resources_default()),
    "actions": Read("/v2/actions", lambda c, i: c.actions.list()),
    "action": Read("/v2/actions/{action}", lambda c, i: c.actions.get(i["action"])),
    "droplets": Read("/v2/droplets", lambda c, i: c.droplets.list(per_page=200)),
    "droplets by tag": Read("/v2/droplets", lambda c, i: c.droplets.list(tag_name="acme")),
    "droplets by name": Read("/v2/droplets",
                             lambda c, i: c.droplets.list(name=i["droplet_name"])),
    "droplet": Read("/v2/droplets/{droplet}", lambda c, i: c.droplets.get(i["droplet"])),
    "droplet actions": Read("/v2/droplets/{droplet}/actions",
                            lambda c, i: c.droplet_actions.list(i["droplet"])),
    "droplet action": Read("/v2/droplets/{droplet}/actions/{droplet_action}",
                           lambda c, i: c.droplet_actions.get(i["droplet"],
                                                              i["droplet_action"])),
    "droplet snapshots": Read("/v2/droplets/{droplet}/snapshots",
                              lambda c, i: c.droplets.list_snapshots(i["droplet"])),
    "droplet backups": Read("/v2/droplets/{backed_up}/backups",
                            lambda c, i: c.droplets.list_backups(i["backed_up"])),
    "snapshots": Read("/v2/snapshots", lambda c, i: c.snapshots.list(per_page=200)),
    "volume snapshots (all)": Read("/v2/snapshots",
                                   lambda c, i: c.snapshots.list(resource_type="volume")),
    "droplet snapshot": Read("/v2/snapshots/{droplet_snapshot}",
                             lambda c, i: c.snapshots.get(i["droplet_snapshot"])),
    "volume snapshot": Read("/v2/snapshots/{volume_snapshot}",
                            lambda c, i: c.snapshots.get(i["volume_snapshot"])),
    "volume snapshots": Read("/v2/volumes/{snapshotted_volume}/snapshots",
                             lambda c, i: c.volume_snapshots.list(i["snapshotted_volume"])),
    "volume snapshot by id": Read("/v2/volumes/snapshots/{volume_snapshot}",
                                  lambda c, i: c.volume_snapshots.get_by_id(
                                      i["volume_snapshot"])),
    "volumes": Read("/v2/volumes", lambda c, i: c.volumes.list(per_page=200)),
    "volumes by name": Read("/v2/volumes", lambda c, i: c.volumes.list(
        name=i["volume"]["name"], region=i["volume"]["region"]["slug"])),
    "volume": Read("/v2/volumes/{volume[id]}", lambda c, i: c.volumes.get(i["volume"]["id"])),
    "volume actions": Read("/v2/volumes/{volume[id]}/actions",
                           lambda c, i: c.volume_actions.list(i["volume"]["id"])),
    "reserved ips": Read("/v2/reserved_ips", lambda c, i: c.reserved_ips.list(per_page=200)),
    "reserved ip": Read("/v2/reserved_ips/{ip}", lambda c, i: c.reserved_ips.get(i["ip"])),
    "volume action": Read("/v2/volumes/{volume[id]}/actions/{volume_action}",
                          lambda c, i: c.volume_actions.get(i["volume"]["id"],
                                                            i["volume_action"])),
    "reserved ip actions": Read("/v2/reserved_ips/{ip}/actions",
                                lambda c, i: c.reserved_ips_actions.list(i["ip"])),
    "reserved ip action": Read("/v2/reserved_ips/{ip}/actions/{ip_action}",
                               lambda c, i: c.reserved_ips_actions.get(i["ip"],
                                                                       i["ip_action"])),
    "floating ips": Read("/v2/floating_ips", _send("/v2/floating_ips")),
    "floating ip": Read("/v2/floating_ips/{ip}", _send("/v2/floating_ips/{ip}")),
    "floating ip actions": Read("/v2/floating_ips/{ip}/actions",
                                _send("/v2/floating_ips/{ip}/actions")),
    "floating ip action": Read("/v2/floating_ips/{ip}/actions/{ip_action}",
                               _send("/v2/floating_ips/{ip}/actions/{ip_action}")),
    "firewalls": Read("/v2/firewalls", lambda c, i: c.firewalls.list()),
    "firewall": Read("/v2/firewalls/{firewall}", lambda c, i: c.firewalls.get(i["firewall"])),
    "load balancers": Read("/v2/load_balancers", lambda c, i: c.load_balancers.list()),
    "load balancer": Read("/v2/load_balancers/{load_balancer}",
                          lambda c, i: c.load_balancers.get(i["load_balancer"])),
    "domains": Read("/v2/domains", lambda c, i: c.domains.list()),
    "domain": Read("/v2/domains/{domain}", lambda c, i: c.domains.get(i["domain"])),
    "domain records": Read("/v2/domains/{domain}/records",
                           lambda c, i: c.domains.list_records(i["domain"])),
    "domain A records": Read("/v2/domains/{domain}/records",
                             lambda c, i: c.domains.list_records(i["domain"], type="A")),
    "domain record": Read("/v2/domains/{domain}/records/{record}",
                          lambda c, i: c.domains.get_record(i["domain"], i["record"])),
    "balance": Read("/v2/customers/my/balance", lambda c, i: c.balance.get()),
    "billing history": Read("/v2/customers/my/billing_history",
                            lambda c, i: c.billing_history.list()),
    "invoices": Read("/v2/customers/my/invoices", lambda c, i: c.invoices.list()),
    "invoices page 7": Read("/v2/customers/my/invoices",
                            lambda c, i: c.invoices.list(per_page=20, page=7)),
    "invoice": Read("/v2/customers/my/invoices/{invoice}",
                    lambda c, i: c.invoices.get_by_uuid(i["invoice"])),
    "invoice summary": Read("/v2/customers/my/invoices/{invoice}/summary",
                            lambda c, i: c.invoices.get_summary_by_uuid(i["invoice"])),
    "invoice pdf": Read("/v2/customers/my/invoices/{invoice}/pdf",
                        lambda c, i: c.invoices.get_pdf_by_uuid(i["invoice"])),
    "invoice csv": Read("/v2/customers/my/invoices/{invoice}/csv",
                        _send("/v2/customers/my/invoices/{invoice}/csv")),
}


def _flat(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _flat(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def served_reads() -> set[str]:
    """The spec template of every ``GET /v2/...`` the simulator serves."""
    return {
        path_template(re.sub(r"\{[^}]+\}", "1", path))
        for path, route in _flat(all_routes())
        if path.startswith("/v2/") and "GET" in (route.methods or ())
    }


def test_pydo_covers_every_read_endpoint_the_simulator_serves() -> None:
    covered = {read.template for read in READS.values()}
    assert sorted(served_reads() - covered) == [], "served but not read through pydo"


def _on_http(sim: SimulatorHandle, value: Any) -> Any:
    """``value`` with the TLS listener's URLs (``links.pages``) rewritten to the http one's."""
    if isinstance(value, str):
        return value.replace(str(sim.tls_base_url), sim.base_url)
    if isinstance(value, dict):
        return {k: _on_http(sim, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_on_http(sim, v) for v in value]
    return value


@pytest.mark.parametrize("name", list(READS))
def test_pydo_read_returns_what_the_simulator_serves(
    name: str, sdk: pydo.Client, exchanges: Exchanges, http: httpx.Client,
    ids: dict[str, Any], tls_sim: SimulatorHandle,
) -> None:
    read = READS[name]
    for attempt in range(2):
        got = _body(read.call(sdk, ids), tls_sim)
        response = exchanges.last
        assert response is not None and response.status_code == 200
        sent = httpx.URL(str(response.request.url))
        assert sent.path == read.concrete(ids)
        ours = http.get(sent.path, params=sent.params)  # the same request, over plain http
        assert ours.status_code == 200, ours.text[:200]
        assert response.headers["content-type"] == ours.headers["content-type"]
        want = ours.json() if isinstance(got, Mapping) else ours.content
        if attempt == 0 and got != want:
            continue  # a live figure (the invoice preview's accrual) ticked in between
        assert got and got == want


def _body(got: Any, sim: SimulatorHandle) -> Any:
    """pydo's JSON (its links put back on the http listener), or the bytes it did not decode."""
    if isinstance(got, Mapping):
        return _on_http(sim, got)
    if hasattr(got, "read"):  # the CSV, through send_request
        return got.read()
    return b"".join(got)  # the PDF: pydo streams it


#: pydo's full listing of a kind → (its envelope key, the id field, the simulator's store kind).
HELD: dict[str, tuple[Callable[[pydo.Client], Any], str, str, str]] = {
    "droplet": (lambda c: c.droplets.list(per_page=200), "droplets", "id", "droplet"),
    "volume": (lambda c: c.volumes.list(per_page=200), "volumes", "id", "volume"),
    "snapshot": (lambda c: c.snapshots.list(per_page=200), "snapshots", "id", "snapshot"),
    "reserved_ip": (lambda c: c.reserved_ips.list(per_page=200), "reserved_ips", "ip",
                    "reserved_ip"),
    "firewall": (lambda c: c.firewalls.list(per_page=200), "firewalls", "id", "firewall"),
    "load_balancer": (lambda c: c.load_balancers.list(per_page=200), "load_balancers", "id",
                      "load_balancer"),
    "domain": (lambda c: c.domains.list(per_page=200), "domains", "name", "domain"),
    "project": (lambda c: c.projects.list(per_page=200), "projects", "id", "project"),
}


@pytest.mark.parametrize("kind", list(HELD))
def test_pydo_lists_hold_the_simulators_state(
    kind: str, sdk: pydo.Client, admin: SimAdmin
) -> None:
    listing, key, id_field, store_kind = HELD[kind]
    body = listing(sdk)
    listed = sorted(str(item[id_field]) for item in body[key])
    stored = sorted(str(row["id"]) for row in admin.resources(store_kind))
    assert listed and listed == stored
    assert body["meta"]["total"] == len(stored)


# -- what the spec promises, as pydo sees it ---------------------------------------------------
def test_pydo_sees_spec_urns_create_actions_and_empty_links(sdk: pydo.Client) -> None:
    pattern = spec_urn_pattern()
    projects = sdk.projects.list(per_page=200)["projects"]
    urns = [r["urn"] for p in projects
            for r in sdk.projects.list_resources(p["id"], params=ALL)["resources"]]
    assert len(urns) > len(projects) and [u for u in urns if not pattern.match(u)] == []
    for droplet in sdk.droplets.list(per_page=200)["droplets"]:
        first = sdk.droplet_actions.list(droplet["id"])["actions"][0]
        assert (first["type"], first["status"], first["started_at"]) == (
            "create", "completed", droplet["created_at"])
    assert sdk.droplets.list(tag_name="no-such-tag") == {
        "droplets": [], "links": {}, "meta": {"total": 0}}
    assert sdk.volumes.list(region="sfo3") == {"volumes": [], "links": {}, "meta": {"total": 0}}


# -- write flows: what our sagas and syncs do, through pydo ------------------------------------
def sdk_action_done(sdk: pydo.Client, action: Mapping[str, Any]) -> Mapping[str, Any]:
    """Poll ``GET /v2/actions/{id}`` through pydo until the action completed."""
    def probe() -> Any:
        now = sdk.actions.get(action["id"])["action"]
        return now if now["status"] == "completed" else None

    return wait_for(probe)


def test_droplet_create_actions_snapshot_and_delete(
    sdk: pydo.Client, admin: SimAdmin
) -> None:
    created = sdk.droplets.create({
        "name": "pydo-web-1", "region": "nyc3", "size": "s-1vcpu-1gb",
        "image": "ubuntu-24-04-x64", "tags": ["pydo"], "ssh_keys": [], "backups": False,
        "ipv6": False, "monitoring": False,
    })
    droplet = created["droplet"]
    assert droplet["status"] == "new" and droplet["tags"] == ["pydo"]
    create_action = sdk_action_done(sdk, created["links"]["actions"][0])
    assert (create_action["type"], create_action["resource_id"]) == ("create", droplet["id"])
    live = sdk.droplets.get(droplet["id"])["droplet"]
    assert live["status"] == "active"
    assert live == admin_rendered(admin, droplet["id"], sdk)

    for body in ({"type": "power_off"}, {"type": "resize", "size": "s-2vcpu-2gb"},
                 {"type": "power_on"}, {"type": "snapshot", "name": "pydo-web-1-snap"}):
        action = sdk.droplet_actions.post(droplet["id"], body)["action"]
        assert action["type"] == body["type"] and action["status"] == "in-progress"
        sdk_action_done(sdk, action)
    live = sdk.droplets.get(droplet["id"])["droplet"]
    assert (live["status"], live["size_slug"]) == ("active", "s-2vcpu-2gb")
    history = sdk.droplet_actions.list(droplet["id"])["actions"]
    assert [(a["type"], a["status"]) for a in history] == [
        (t, "completed") for t in ("create", "power_off", "resize", "power_on", "snapshot")]

    snap = wait_for(lambda: next(iter(sdk.droplets.list_snapshots(droplet["id"])["snapshots"]),
                                 None))
    assert snap["name"] == "pydo-web-1-snap"
    assert sdk.snapshots.get(snap["id"])["snapshot"]["resource_id"] == str(droplet["id"])
    assert sdk.snapshots.delete(snap["id"]) is None
    gone = sdk.snapshots.get(snap["id"])
    assert gone["id"] == "not_found"

    assert sdk.droplets.destroy(droplet["id"]) is None
    assert sdk.droplets.get(droplet["id"])["id"] == "not_found"
    assert all(r["id"] != str(droplet["id"]) for r in admin.resources("droplet"))


def admin_rendered(admin: SimAdmin, droplet_id: int, sdk: pydo.Client) -> Mapping[str, Any]:
    """The droplet as the simulator lists it (its own rendering of the stored row)."""
    stored = admin.get_resource("droplet", droplet_id)
    assert stored["id"] == str(droplet_id) and stored["deleted_at"] is None
    listed = sdk.droplets.list(name=stored["name"])["droplets"]
    assert len(listed) == 1
    return listed[0]


def test_dns_record_upsert_and_delete(sdk: pydo.Client, ids: dict[str, Any]) -> None:
    zone = ids["domain"]
    record = sdk.domains.create_record(zone, {"type": "A", "name": "pydo", "data": "192.0.2.10",
                                              "ttl": 300})["domain_record"]
    assert (record["type"], record["name"], record["data"], record["ttl"]) == (
        "A", "pydo", "192.0.2.10", 300)
    cname = sdk.domains.create_record(zone, {"type": "CNAME", "name": "www-pydo",
                                             "data": f"pydo.{zone}"})["domain_record"]
    assert cname["data"] == f"pydo.{zone}."  # DO stores a CNAME's target fully qualified
    patched = sdk.domains.patch_record(zone, record["id"], {"data": "192.0.2.11"})
    assert patched["domain_record"] == {**record, "data": "192.0.2.11"}
    replaced = sdk.domains.update_record(zone, record["id"], {"type": "A", "name": "pydo",
                                                              "data": "192.0.2.12", "ttl": 600})
    assert replaced["domain_record"] == {**record, "data": "192.0.2.12", "ttl": 600}
    assert sdk.domains.get_record(zone, record["id"]) == replaced
    named = sdk.domains.list_records(zone, name=f"pydo.{zone}")["domain_records"]
    assert [r["id"] for r in named] == [record["id"]]

    for rid in (record["id"], cname["id"]):
        assert sdk.domains.delete_record(zone, rid) is None
        assert sdk.domains.get_record(zone, rid)["id"] == "not_found"
    left = {r["id"] for r in sdk.domains.list_records(zone, per_page=200)["domain_records"]}
    assert not left & {record["id"], cname["id"]}


def test_volume_create_attach_snapshot_and_delete(sdk: pydo.Client, ids: dict[str, Any],
                                                 admin: SimAdmin) -> None:
    volume = sdk.volumes.create({"name": "pydo-vol", "size_gigabytes": 10, "region": "nyc3",
                                 "filesystem_type": "ext4", "tags": ["pydo"]})["volume"]
    assert sdk.volumes.get(volume["id"])["volume"] == volume
    attach = sdk.volume_actions.post_by_id(volume["id"], {
        "type": "attach", "droplet_id": ids["droplet"], "region": "nyc3"})["action"]
    sdk_action_done(sdk, attach)
    assert sdk.volumes.get(volume["id"])["volume"]["droplet_ids"] == [ids["droplet"]]
    snap = sdk.volume_snapshots.create(volume["id"], {"name": "pydo-vol-snap"})["snapshot"]
    assert sdk.volume_snapshots.get_by_id(snap["id"])["snapshot"] == snap
    listed = wait_for(lambda: sdk.volume_snapshots.list(volume["id"])["snapshots"])  # list lag
    assert [s["id"] for s in listed] == [snap["id"]]
    assert sdk.volume_snapshots.delete_by_id(snap["id"]) is None
    assert sdk.volume_snapshots.get_by_id(snap["id"])["id"] == "not_found"
    detach = sdk.volume_actions.post_by_id(volume["id"], {
        "type": "detach", "droplet_id": ids["droplet"], "region": "nyc3"})["action"]
    sdk_action_done(sdk, detach)
    assert sdk.volumes.delete(volume["id"]) is None
    assert all(r["id"] != volume["id"] for r in admin.resources("volume"))


def test_reserved_ip_create_assign_and_delete(sdk: pydo.Client, ids: dict[str, Any]) -> None:
    created = sdk.reserved_ips.create({"region": "nyc3", "project_id": ids["project"]})
    ip = created["reserved_ip"]["ip"]
    assert created["reserved_ip"]["droplet"] is None
    assign = sdk.reserved_ips_actions.post(ip, {"type": "assign", "droplet_id": ids["droplet"]})
    sdk_action_done(sdk, assign["action"])
    assert sdk.reserved_ips.get(ip)["reserved_ip"]["droplet"]["id"] == ids["droplet"]
    unassign = sdk.reserved_ips_actions.post(ip, {"type": "unassign"})
    sdk_action_done(sdk, unassign["action"])
    assert sdk.reserved_ips.delete(ip) is None
    assert sdk.reserved_ips.get(ip)["id"] == "not_found"


def test_project_assignment_moves_a_resource(sdk: pydo.Client) -> None:
    projects = sdk.projects.list()["projects"]
    target = next(p for p in projects if not p["is_default"])
    created = sdk.droplets.create({"name": "pydo-assign", "region": "ams3",
                                   "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"})
    urn = f"do:droplet:{created['droplet']['id']}"
    assert urn in urns_of(sdk.projects.list_resources_default(params=ALL))
    assigned = sdk.projects.assign_resources(target["id"], {"resources": [urn]})
    statuses = {r["urn"]: r["status"] for r in assigned["resources"]}  # all of the project's
    assert statuses.pop(urn) == "assigned" and set(statuses.values()) == {"ok"}
    assert urn in urns_of(sdk.projects.list_resources(target["id"], params=ALL))
    assert urn not in urns_of(sdk.projects.list_resources_default(params=ALL))
    again = sdk.projects.assign_resources(target["id"], {"resources": [urn]})
    assert {r["urn"]: r["status"] for r in again["resources"]}[urn] == "already_assigned"
    back = sdk.projects.assign_resources_default({"resources": [urn]})
    assert {r["urn"]: r["status"] for r in back["resources"]}[urn] == "assigned"
    assert sdk.droplets.destroy(created["droplet"]["id"]) is None


def urns_of(body: Mapping[str, Any]) -> set[str]:
    return {r["urn"] for r in body["resources"]}


def test_droplets_delete_by_tag(sdk: pydo.Client) -> None:
    created = sdk.droplets.create({"names": ["pydo-t1", "pydo-t2"], "region": "ams3",
                                   "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
                                   "tags": ["pydo-batch"]})
    assert len(created["droplets"]) == 2
    assert sdk.droplets.list(tag_name="pydo-batch")["meta"]["total"] == 2
    assert sdk.droplets.destroy_by_tag(tag_name="pydo-batch") is None
    assert sdk.droplets.list(tag_name="pydo-batch") == {"droplets": [], "links": {},
                                                        "meta": {"total": 0}}


def test_pydo_maps_the_simulators_errors(tls_sim: SimulatorHandle, sdk: pydo.Client,
                                         ids: dict[str, Any]) -> None:
    anonymous = pydo.Client(" ", endpoint=tls_sim.tls_base_url,
                            connection_verify=str(tls_sim.tls_ca_file), retry_total=0)
    with pytest.raises(ClientAuthenticationError) as denied:
        anonymous.droplets.list()
    assert denied.value.status_code == 401
    assert denied.value.response.json()["id"] == "unauthorized"
    with pytest.raises(HttpResponseError) as refused:  # resize needs the droplet powered off
        sdk.droplet_actions.post(ids["droplet"], {"type": "resize", "size": "s-2vcpu-4gb"})
    assert refused.value.status_code == 422
    assert refused.value.response.json()["id"] == "unprocessable_entity"
    with pytest.raises(HttpResponseError) as bad:
        sdk.droplets.create({"name": "no size", "region": "nyc3", "image": "ubuntu-24-04-x64"})
    assert (bad.value.status_code, bad.value.response.json()["id"]) == (422, "unprocessable_entity")

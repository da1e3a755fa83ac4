"""DigitalOcean's own Python SDK (``pydo``, unmodified) reads the simulator over HTTPS.

Nobody here wrote pydo: it is generated from DO's spec and checks each response's status, so a
call that succeeds is the SDK accepting what the simulator answered. Every read endpoint the
simulator serves is called through pydo (a served GET without a pydo call fails the coverage
test) and must return exactly what the simulator serves for that request (read back over plain
http) and hold what the simulator's state holds. The write flows are in ``test_pydo_writes``.

pydo 0.44 has no ``floating_ips`` group, and its ``invoices.get_csv_by_uuid`` decodes DO's CSV as
JSON (it fails on any real CSV): those endpoints go through pydo's own ``send_request`` — the
same pipeline, bearer policy and TLS verification, no SDK change.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
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

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import TOKEN
from tests.sim.openapi import path_template, spec_urn_pattern
from tests.sim.pydo_support import (
    ALL,
    Exchanges,
    completed,
    exchanges,
    http,
    sdk,
    served_operations,
    tls_admin,
)

__all__ = ["exchanges", "http", "sdk", "tls_admin"]  # fixtures

Ids = Mapping[str, Any]
#: The days asked of billing insights: a month of the default account's history.
INSIGHTS = (date(2026, 3, 1), date(2026, 3, 31))


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
        "team_urn": f"do:team:{http.get('/v2/account').json()['account']['team']['uuid']}",
        "insights_from": INSIGHTS[0].isoformat(),
        "insights_to": INSIGHTS[1].isoformat(),
        # the platform kinds (#13): the pg cluster (it has replicas and pools) is listed first
        "app": first("/v2/apps", "apps")["id"],
        "database": first("/v2/databases", "databases")["id"],
        "cluster": first("/v2/kubernetes/clusters", "kubernetes_clusters")["id"],
        "vpc": first("/v2/vpcs", "vpcs")["id"],
        "vpc_peering": first("/v2/vpc_peerings", "vpc_peerings")["id"],
        "nat": first("/v2/vpc_nat_gateways", "vpc_nat_gateways")["id"],
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
    "billing insights": Read("/v2/billing/{team_urn}/insights/{insights_from}/{insights_to}",
                             lambda c, i: c.billing_insights.list(i["team_urn"], *INSIGHTS)),
    # the platform kinds (#13)
    "apps": Read("/v2/apps", lambda c, i: c.apps.list()),
    "app": Read("/v2/apps/{app}", lambda c, i: c.apps.get(i["app"])),
    "app alerts": Read("/v2/apps/{app}/alerts", lambda c, i: c.apps.list_alerts(i["app"])),
    "databases": Read("/v2/databases", lambda c, i: c.databases.list_clusters()),
    "database": Read("/v2/databases/{database}",
                     lambda c, i: c.databases.get_cluster(i["database"])),
    "database firewall": Read("/v2/databases/{database}/firewall",
                              lambda c, i: c.databases.list_firewall_rules(i["database"])),
    "database replicas": Read("/v2/databases/{database}/replicas",
                              lambda c, i: c.databases.list_replicas(i["database"])),
    "database pools": Read("/v2/databases/{database}/pools",
                           lambda c, i: c.databases.list_connection_pools(i["database"])),
    "kubernetes clusters": Read("/v2/kubernetes/clusters",
                                lambda c, i: c.kubernetes.list_clusters()),
    "kubernetes cluster": Read("/v2/kubernetes/clusters/{cluster}",
                               lambda c, i: c.kubernetes.get_cluster(i["cluster"])),
    "node pools": Read("/v2/kubernetes/clusters/{cluster}/node_pools",
                       lambda c, i: c.kubernetes.list_node_pools(i["cluster"])),
    "vpcs": Read("/v2/vpcs", lambda c, i: c.vpcs.list()),
    "vpc": Read("/v2/vpcs/{vpc}", lambda c, i: c.vpcs.get(i["vpc"])),
    "vpc members": Read("/v2/vpcs/{vpc}/members", lambda c, i: c.vpcs.list_members(i["vpc"])),
    "vpc peerings": Read("/v2/vpc_peerings", lambda c, i: c.vpc_peerings.list()),
    "vpc peering": Read("/v2/vpc_peerings/{vpc_peering}",
                        lambda c, i: c.vpc_peerings.get(i["vpc_peering"])),
    "nat gateways": Read("/v2/vpc_nat_gateways", lambda c, i: c.vpcnatgateways.list()),
    "nat gateway": Read("/v2/vpc_nat_gateways/{nat}", lambda c, i: c.vpcnatgateways.get(i["nat"])),
    "billing insights page 2": Read(
        "/v2/billing/{team_urn}/insights/{insights_from}/{insights_to}",
        lambda c, i: c.billing_insights.list(i["team_urn"], *INSIGHTS, per_page=10, page=2)),
    "invoice csv": Read("/v2/customers/my/invoices/{invoice}/csv",
                        _send("/v2/customers/my/invoices/{invoice}/csv")),
}


def test_pydo_covers_every_read_endpoint_the_simulator_serves() -> None:
    served = {template for method, template in served_operations() if method == "GET"}
    covered = {read.template for read in READS.values()}
    assert sorted(served - covered) == [], "served but not read through pydo"


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
    got = _body(read.call(sdk, ids), tls_sim)
    response = exchanges.last
    assert response.status_code == 200
    sent = httpx.URL(str(response.request.url))
    assert sent.path == read.concrete(ids)

    def ours() -> Any:  # the same request, over plain http
        answer = http.get(sent.path, params=sent.params)
        assert answer.status_code == 200, answer.text[:200]
        assert answer.headers["content-type"] == response.headers["content-type"]
        return answer.json() if isinstance(got, Mapping) else answer.content

    wants = [ours()]
    for _ in range(3):  # a live figure (the invoice preview's accrual) ticked meanwhile
        if got in wants:
            break
        before = ours()
        got = _body(read.call(sdk, ids), tls_sim)
        wants = [before, ours()]
    assert got and got in wants


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
    kind: str, sdk: pydo.Client, tls_admin: SimAdmin
) -> None:
    listing, key, id_field, store_kind = HELD[kind]
    body = listing(sdk)
    listed = sorted(str(item[id_field]) for item in body[key])
    stored = sorted(str(row["id"]) for row in tls_admin.resources(store_kind))
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

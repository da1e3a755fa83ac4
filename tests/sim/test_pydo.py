"""DigitalOcean's own Python SDK (``pydo``, unmodified) reads the simulator over HTTPS.

Nobody here wrote pydo: it is generated from DO's spec and checks each response's status, so a
call that succeeds is the SDK accepting what the simulator answered. Every read endpoint the
simulator serves is called through pydo (a served GET without a pydo call fails the coverage
test) and must return exactly what the simulator serves for that request (read back over plain
http) and hold what the simulator's state holds; every query filter pydo sends must narrow the
list as the spec says. That covers the account-level kinds (certificates, CDN endpoints, SSH
keys, tags, the registry, images, monitoring, uptime, functions, reserved IPv6, autoscale pools)
and the platform ones (apps, databases, Kubernetes, VPCs, peerings, NAT gateways), each through
its own pydo group. The write flows are in ``test_pydo_writes``.

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
    volume_action = act(
        f"/v2/volumes/{volume['id']}/actions",
        {
            "type": "resize",
            "size_gigabytes": volume["size_gigabytes"] + 10,
            "region": volume["region"]["slug"],
        },
    )
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
        **_account_kind_ids(http),
        **_platform_ids(http),
    }


def _platform_ids(http: httpx.Client) -> dict[str, Any]:
    """Ids of the seeded platform kinds (apps, databases, Kubernetes, VPCs)."""

    def first(path: str, key: str) -> dict[str, Any]:
        return http.get(path).json()[key][0]

    databases = http.get("/v2/databases").json()["databases"]
    vpcs = http.get("/v2/vpcs", params=ALL).json()["vpcs"]
    return {
        "app": first("/v2/apps", "apps")["id"],
        "database": next(d["id"] for d in databases if d["engine"] == "pg"),  # with children
        "k8s_cluster": first("/v2/kubernetes/clusters", "kubernetes_clusters")["id"],
        "vpc": next(v["id"] for v in vpcs if v["name"] == "globex-data"),  # database members
        "default_vpc": next(v["id"] for v in vpcs if v["default"]),  # droplet members
        "vpc_peering": first("/v2/vpc_peerings", "vpc_peerings")["id"],
        "nat_gateway": first("/v2/vpc_nat_gateways", "vpc_nat_gateways")["id"],
    }


def _account_kind_ids(http: httpx.Client) -> dict[str, Any]:
    """Ids of the seeded account-level kinds (certificates … autoscale pools)."""

    def first(path: str, key: str, **params: Any) -> dict[str, Any]:
        return http.get(path, params=params).json()[key][0]

    key = first("/v2/account/keys", "ssh_keys")
    certificate = first("/v2/certificates", "certificates")
    pool = first("/v2/droplets/autoscale", "autoscale_pools")
    checks = http.get("/v2/uptime/checks").json()["checks"]
    states = {
        c["id"]: http.get(f"/v2/uptime/checks/{c['id']}/state").json()["state"] for c in checks
    }
    return {
        "ssh_key": key["id"],
        "fingerprint": key["fingerprint"],
        "cdn_endpoint": first("/v2/cdn/endpoints", "endpoints")["id"],
        "certificate": certificate["id"],
        "certificate_name": certificate["name"],
        "autoscale_pool": pool["id"],
        "autoscale_pool_name": pool["name"],
        "namespace": first("/v2/functions/namespaces", "namespaces")["namespace"],
        "custom_image": first("/v2/images", "images", private="true")["id"],
        "alert_policy": first("/v2/monitoring/alerts", "policies")["uuid"],
        "registry": http.get("/v2/registry").json()["registry"]["name"],
        "reserved_ipv6": first("/v2/reserved_ipv6", "reserved_ipv6s")["ip"],
        "uptime_check": checks[0]["id"],
        "down_check": next(
            cid
            for cid, state in states.items()
            if {r["status"] for r in state["regions"].values()} == {"DOWN"}
        ),
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
    "project resources": Read(
        "/v2/projects/{project}/resources", lambda c, i: c.projects.list_resources(i["project"])
    ),
    "default project resources": Read(
        "/v2/projects/default/resources", lambda c, i: c.projects.list_resources_default()
    ),
    "actions": Read("/v2/actions", lambda c, i: c.actions.list()),
    "action": Read("/v2/actions/{action}", lambda c, i: c.actions.get(i["action"])),
    "droplets": Read("/v2/droplets", lambda c, i: c.droplets.list(per_page=200)),
    "droplets by tag": Read("/v2/droplets", lambda c, i: c.droplets.list(tag_name="acme")),
    "droplets by name": Read("/v2/droplets", lambda c, i: c.droplets.list(name=i["droplet_name"])),
    "droplet": Read("/v2/droplets/{droplet}", lambda c, i: c.droplets.get(i["droplet"])),
    "droplet actions": Read(
        "/v2/droplets/{droplet}/actions", lambda c, i: c.droplet_actions.list(i["droplet"])
    ),
    "droplet action": Read(
        "/v2/droplets/{droplet}/actions/{droplet_action}",
        lambda c, i: c.droplet_actions.get(i["droplet"], i["droplet_action"]),
    ),
    "droplet snapshots": Read(
        "/v2/droplets/{droplet}/snapshots", lambda c, i: c.droplets.list_snapshots(i["droplet"])
    ),
    "droplet backups": Read(
        "/v2/droplets/{backed_up}/backups", lambda c, i: c.droplets.list_backups(i["backed_up"])
    ),
    "snapshots": Read("/v2/snapshots", lambda c, i: c.snapshots.list(per_page=200)),
    "volume snapshots (all)": Read(
        "/v2/snapshots", lambda c, i: c.snapshots.list(resource_type="volume")
    ),
    "droplet snapshot": Read(
        "/v2/snapshots/{droplet_snapshot}", lambda c, i: c.snapshots.get(i["droplet_snapshot"])
    ),
    "volume snapshot": Read(
        "/v2/snapshots/{volume_snapshot}", lambda c, i: c.snapshots.get(i["volume_snapshot"])
    ),
    "volume snapshots": Read(
        "/v2/volumes/{snapshotted_volume}/snapshots",
        lambda c, i: c.volume_snapshots.list(i["snapshotted_volume"]),
    ),
    "volume snapshot by id": Read(
        "/v2/volumes/snapshots/{volume_snapshot}",
        lambda c, i: c.volume_snapshots.get_by_id(i["volume_snapshot"]),
    ),
    "volumes": Read("/v2/volumes", lambda c, i: c.volumes.list(per_page=200)),
    "volumes by name": Read(
        "/v2/volumes",
        lambda c, i: c.volumes.list(name=i["volume"]["name"], region=i["volume"]["region"]["slug"]),
    ),
    "volume": Read("/v2/volumes/{volume[id]}", lambda c, i: c.volumes.get(i["volume"]["id"])),
    "volume actions": Read(
        "/v2/volumes/{volume[id]}/actions", lambda c, i: c.volume_actions.list(i["volume"]["id"])
    ),
    "reserved ips": Read("/v2/reserved_ips", lambda c, i: c.reserved_ips.list(per_page=200)),
    "reserved ip": Read("/v2/reserved_ips/{ip}", lambda c, i: c.reserved_ips.get(i["ip"])),
    "volume action": Read(
        "/v2/volumes/{volume[id]}/actions/{volume_action}",
        lambda c, i: c.volume_actions.get(i["volume"]["id"], i["volume_action"]),
    ),
    "reserved ip actions": Read(
        "/v2/reserved_ips/{ip}/actions", lambda c, i: c.reserved_ips_actions.list(i["ip"])
    ),
    "reserved ip action": Read(
        "/v2/reserved_ips/{ip}/actions/{ip_action}",
        lambda c, i: c.reserved_ips_actions.get(i["ip"], i["ip_action"]),
    ),
    "floating ips": Read("/v2/floating_ips", _send("/v2/floating_ips")),
    "floating ip": Read("/v2/floating_ips/{ip}", _send("/v2/floating_ips/{ip}")),
    "floating ip actions": Read(
        "/v2/floating_ips/{ip}/actions", _send("/v2/floating_ips/{ip}/actions")
    ),
    "floating ip action": Read(
        "/v2/floating_ips/{ip}/actions/{ip_action}",
        _send("/v2/floating_ips/{ip}/actions/{ip_action}"),
    ),
    "firewalls": Read("/v2/firewalls", lambda c, i: c.firewalls.list()),
    "firewall": Read("/v2/firewalls/{firewall}", lambda c, i: c.firewalls.get(i["firewall"])),
    "load balancers": Read("/v2/load_balancers", lambda c, i: c.load_balancers.list()),
    "load balancer": Read(
        "/v2/load_balancers/{load_balancer}", lambda c, i: c.load_balancers.get(i["load_balancer"])
    ),
    "domains": Read("/v2/domains", lambda c, i: c.domains.list()),
    "domain": Read("/v2/domains/{domain}", lambda c, i: c.domains.get(i["domain"])),
    "domain records": Read(
        "/v2/domains/{domain}/records", lambda c, i: c.domains.list_records(i["domain"])
    ),
    "domain A records": Read(
        "/v2/domains/{domain}/records", lambda c, i: c.domains.list_records(i["domain"], type="A")
    ),
    "domain record": Read(
        "/v2/domains/{domain}/records/{record}",
        lambda c, i: c.domains.get_record(i["domain"], i["record"]),
    ),
    "balance": Read("/v2/customers/my/balance", lambda c, i: c.balance.get()),
    "billing history": Read(
        "/v2/customers/my/billing_history", lambda c, i: c.billing_history.list()
    ),
    "invoices": Read("/v2/customers/my/invoices", lambda c, i: c.invoices.list()),
    "invoices page 7": Read(
        "/v2/customers/my/invoices", lambda c, i: c.invoices.list(per_page=20, page=7)
    ),
    "invoice": Read(
        "/v2/customers/my/invoices/{invoice}", lambda c, i: c.invoices.get_by_uuid(i["invoice"])
    ),
    "invoice summary": Read(
        "/v2/customers/my/invoices/{invoice}/summary",
        lambda c, i: c.invoices.get_summary_by_uuid(i["invoice"]),
    ),
    "invoice pdf": Read(
        "/v2/customers/my/invoices/{invoice}/pdf",
        lambda c, i: c.invoices.get_pdf_by_uuid(i["invoice"]),
    ),
    "billing insights": Read(
        "/v2/billing/{team_urn}/insights/{insights_from}/{insights_to}",
        lambda c, i: c.billing_insights.list(i["team_urn"], *INSIGHTS),
    ),
    "billing insights page 2": Read(
        "/v2/billing/{team_urn}/insights/{insights_from}/{insights_to}",
        lambda c, i: c.billing_insights.list(i["team_urn"], *INSIGHTS, per_page=10, page=2),
    ),
    "invoice csv": Read(
        "/v2/customers/my/invoices/{invoice}/csv", _send("/v2/customers/my/invoices/{invoice}/csv")
    ),
    # the account-level kinds (#13)
    "ssh keys": Read("/v2/account/keys", lambda c, i: c.ssh_keys.list()),
    "ssh key": Read("/v2/account/keys/{ssh_key}", lambda c, i: c.ssh_keys.get(i["ssh_key"])),
    "ssh key by fingerprint": Read(
        "/v2/account/keys/{fingerprint}", lambda c, i: c.ssh_keys.get(i["fingerprint"])
    ),
    "cdn endpoints": Read("/v2/cdn/endpoints", lambda c, i: c.cdn.list_endpoints()),
    "cdn endpoint": Read(
        "/v2/cdn/endpoints/{cdn_endpoint}", lambda c, i: c.cdn.get_endpoint(i["cdn_endpoint"])
    ),
    "certificates": Read("/v2/certificates", lambda c, i: c.certificates.list()),
    "certificates by name": Read(
        "/v2/certificates", lambda c, i: c.certificates.list(name=i["certificate_name"])
    ),
    "certificate": Read(
        "/v2/certificates/{certificate}", lambda c, i: c.certificates.get(i["certificate"])
    ),
    "tags": Read("/v2/tags", lambda c, i: c.tags.list()),
    "tag": Read("/v2/tags/acme", lambda c, i: c.tags.get("acme")),
    "registry": Read("/v2/registry", lambda c, i: c.registry.get()),
    "registry subscription": Read(
        "/v2/registry/subscription", lambda c, i: c.registry.get_subscription()
    ),
    "repositories": Read(
        "/v2/registry/{registry}/repositoriesV2",
        lambda c, i: c.registry.list_repositories_v2(i["registry"]),
    ),
    "repositories page 2": Read(
        "/v2/registry/{registry}/repositoriesV2",
        lambda c, i: c.registry.list_repositories_v2(i["registry"], per_page=3, page=2),
    ),
    "private images": Read("/v2/images", lambda c, i: c.images.list(private=True)),
    "distribution images": Read("/v2/images", lambda c, i: c.images.list(type="distribution")),
    "images by tag": Read("/v2/images", lambda c, i: c.images.list(tag_name="golden")),
    "custom image": Read("/v2/images/{custom_image}", lambda c, i: c.images.get(i["custom_image"])),
    "image by slug": Read(
        "/v2/images/ubuntu-24-04-x64", lambda c, i: c.images.get("ubuntu-24-04-x64")
    ),
    "alert policies": Read("/v2/monitoring/alerts", lambda c, i: c.monitoring.list_alert_policy()),
    "alert policy": Read(
        "/v2/monitoring/alerts/{alert_policy}",
        lambda c, i: c.monitoring.get_alert_policy(i["alert_policy"]),
    ),
    "uptime checks": Read("/v2/uptime/checks", lambda c, i: c.uptime.list_checks()),
    "uptime check": Read(
        "/v2/uptime/checks/{uptime_check}", lambda c, i: c.uptime.get_check(i["uptime_check"])
    ),
    "uptime check state (down)": Read(
        "/v2/uptime/checks/{down_check}/state",
        lambda c, i: c.uptime.get_check_state(i["down_check"]),
    ),
    "functions namespaces": Read(
        "/v2/functions/namespaces", lambda c, i: c.functions.list_namespaces()
    ),
    "functions namespace": Read(
        "/v2/functions/namespaces/{namespace}",
        lambda c, i: c.functions.get_namespace(i["namespace"]),
    ),
    "reserved ipv6s": Read("/v2/reserved_ipv6", lambda c, i: c.reserved_ipv6.list()),
    "reserved ipv6": Read(
        "/v2/reserved_ipv6/{reserved_ipv6}", lambda c, i: c.reserved_ipv6.get(i["reserved_ipv6"])
    ),
    "autoscale pools": Read("/v2/droplets/autoscale", lambda c, i: c.autoscalepools.list()),
    "autoscale pools by name": Read(
        "/v2/droplets/autoscale", lambda c, i: c.autoscalepools.list(name=i["autoscale_pool_name"])
    ),
    "autoscale pool": Read(
        "/v2/droplets/autoscale/{autoscale_pool}",
        lambda c, i: c.autoscalepools.get(i["autoscale_pool"]),
    ),
    # the platform kinds (#13)
    "apps": Read("/v2/apps", lambda c, i: c.apps.list()),
    "apps with projects": Read("/v2/apps", lambda c, i: c.apps.list(with_projects=True)),
    "app": Read("/v2/apps/{app}", lambda c, i: c.apps.get(i["app"])),
    "app alerts": Read("/v2/apps/{app}/alerts", lambda c, i: c.apps.list_alerts(i["app"])),
    "databases": Read("/v2/databases", lambda c, i: c.databases.list_clusters()),
    "databases by tag": Read(
        "/v2/databases", lambda c, i: c.databases.list_clusters(tag_name="globex")
    ),
    "database": Read(
        "/v2/databases/{database}", lambda c, i: c.databases.get_cluster(i["database"])
    ),
    "database firewall": Read(
        "/v2/databases/{database}/firewall",
        lambda c, i: c.databases.list_firewall_rules(i["database"]),
    ),
    "database pools": Read(
        "/v2/databases/{database}/pools",
        lambda c, i: c.databases.list_connection_pools(i["database"]),
    ),
    "database replicas": Read(
        "/v2/databases/{database}/replicas", lambda c, i: c.databases.list_replicas(i["database"])
    ),
    "kubernetes clusters": Read(
        "/v2/kubernetes/clusters", lambda c, i: c.kubernetes.list_clusters()
    ),
    "kubernetes cluster": Read(
        "/v2/kubernetes/clusters/{k8s_cluster}",
        lambda c, i: c.kubernetes.get_cluster(i["k8s_cluster"]),
    ),
    "kubernetes node pools": Read(
        "/v2/kubernetes/clusters/{k8s_cluster}/node_pools",
        lambda c, i: c.kubernetes.list_node_pools(i["k8s_cluster"]),
    ),
    "vpcs": Read("/v2/vpcs", lambda c, i: c.vpcs.list()),
    "vpc": Read("/v2/vpcs/{vpc}", lambda c, i: c.vpcs.get(i["vpc"])),
    "vpc members": Read("/v2/vpcs/{vpc}/members", lambda c, i: c.vpcs.list_members(i["vpc"])),
    "default vpc droplet members": Read(
        "/v2/vpcs/{default_vpc}/members",
        lambda c, i: c.vpcs.list_members(i["default_vpc"], resource_type="droplet"),
    ),
    "vpc peerings": Read("/v2/vpc_peerings", lambda c, i: c.vpc_peerings.list()),
    "vpc peering": Read(
        "/v2/vpc_peerings/{vpc_peering}", lambda c, i: c.vpc_peerings.get(i["vpc_peering"])
    ),
    "nat gateways": Read("/v2/vpc_nat_gateways", lambda c, i: c.vpcnatgateways.list()),
    "nat gateways by region": Read(
        "/v2/vpc_nat_gateways", lambda c, i: c.vpcnatgateways.list(region="ams3")
    ),
    "nat gateway": Read(
        "/v2/vpc_nat_gateways/{nat_gateway}", lambda c, i: c.vpcnatgateways.get(i["nat_gateway"])
    ),
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
    name: str,
    sdk: pydo.Client,
    exchanges: Exchanges,
    http: httpx.Client,
    ids: dict[str, Any],
    tls_sim: SimulatorHandle,
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


@dataclass(frozen=True)
class Held:
    """pydo's full listing of a kind: its envelope key and id field, and the simulator's store
    kind, compared on the stored row's ``stored`` field (its id, or its name)."""

    listing: Callable[[pydo.Client], Any]
    key: str
    id_field: str
    store_kind: str
    stored: str = "id"
    paged: bool = True  # DO answers ``links`` and ``meta`` (not for functions namespaces)


HELD: dict[str, Held] = {
    "droplet": Held(lambda c: c.droplets.list(per_page=200), "droplets", "id", "droplet"),
    "volume": Held(lambda c: c.volumes.list(per_page=200), "volumes", "id", "volume"),
    "snapshot": Held(lambda c: c.snapshots.list(per_page=200), "snapshots", "id", "snapshot"),
    "reserved_ip": Held(
        lambda c: c.reserved_ips.list(per_page=200), "reserved_ips", "ip", "reserved_ip"
    ),
    "firewall": Held(lambda c: c.firewalls.list(per_page=200), "firewalls", "id", "firewall"),
    "load_balancer": Held(
        lambda c: c.load_balancers.list(per_page=200), "load_balancers", "id", "load_balancer"
    ),
    "domain": Held(lambda c: c.domains.list(per_page=200), "domains", "name", "domain"),
    "project": Held(lambda c: c.projects.list(per_page=200), "projects", "id", "project"),
    "certificate": Held(
        lambda c: c.certificates.list(per_page=200), "certificates", "id", "certificate"
    ),
    "cdn_endpoint": Held(
        lambda c: c.cdn.list_endpoints(per_page=200), "endpoints", "id", "cdn_endpoint"
    ),
    "ssh_key": Held(lambda c: c.ssh_keys.list(per_page=200), "ssh_keys", "id", "ssh_key"),
    "tag": Held(lambda c: c.tags.list(per_page=200), "tags", "name", "tag"),
    "container_repository": Held(
        lambda c: c.registry.list_repositories_v2("arcadia", per_page=200),
        "repositories",
        "name",
        "container_repository",
        stored="name",
    ),
    "alert_policy": Held(
        lambda c: c.monitoring.list_alert_policy(per_page=200), "policies", "uuid", "alert_policy"
    ),
    "uptime_check": Held(
        lambda c: c.uptime.list_checks(per_page=200), "checks", "id", "uptime_check"
    ),
    "functions_namespace": Held(
        lambda c: c.functions.list_namespaces(),
        "namespaces",
        "namespace",
        "functions_namespace",
        paged=False,
    ),
    "reserved_ipv6": Held(
        lambda c: c.reserved_ipv6.list(per_page=200), "reserved_ipv6s", "ip", "reserved_ipv6"
    ),
    "autoscale_pool": Held(
        lambda c: c.autoscalepools.list(per_page=200), "autoscale_pools", "id", "autoscale_pool"
    ),
    "app": Held(lambda c: c.apps.list(per_page=200), "apps", "id", "app"),
    "database": Held(
        lambda c: c.databases.list_clusters(), "databases", "id", "database", paged=False
    ),
    "kubernetes_cluster": Held(
        lambda c: c.kubernetes.list_clusters(per_page=200),
        "kubernetes_clusters",
        "id",
        "kubernetes_cluster",
    ),
    "vpc": Held(lambda c: c.vpcs.list(per_page=200), "vpcs", "id", "vpc"),
    "vpc_peering": Held(
        lambda c: c.vpc_peerings.list(per_page=200), "vpc_peerings", "id", "vpc_peering"
    ),
    "vpc_nat_gateway": Held(
        lambda c: c.vpcnatgateways.list(per_page=200), "vpc_nat_gateways", "id", "vpc_nat_gateway"
    ),
}


@pytest.mark.parametrize("kind", list(HELD))
def test_pydo_lists_hold_the_simulators_state(
    kind: str, sdk: pydo.Client, tls_admin: SimAdmin
) -> None:
    held = HELD[kind]
    body = held.listing(sdk)
    listed = sorted(str(item[held.id_field]) for item in body[held.key])
    stored = sorted(str(row[held.stored]) for row in tls_admin.resources(held.store_kind))
    assert listed and listed == stored
    if held.paged:
        assert body["meta"]["total"] == len(stored)
    else:
        assert set(body) == {held.key}


def test_pydo_lists_the_accounts_images_as_stored(sdk: pydo.Client, tls_admin: SimAdmin) -> None:
    """``private=true``: the custom images, then droplet snapshots, then backups."""
    body = sdk.images.list(private=True, per_page=200)
    snapshots = [
        r for r in tls_admin.resources("snapshot") if r["body"]["resource_type"] == "droplet"
    ]
    stored = [
        *(("custom", r) for r in tls_admin.resources("custom_image")),
        *(("snapshot", r) for r in snapshots),
        *(("backup", r) for r in tls_admin.resources("backup")),
    ]
    assert [(i["type"], str(i["id"])) for i in body["images"]] == [
        (kind, r["id"]) for kind, r in stored
    ]
    assert body["meta"]["total"] == len(stored) and not any(i["public"] for i in body["images"])


def test_pydo_filters_lists_as_the_spec_says(sdk: pydo.Client, ids: dict[str, Any]) -> None:
    """Each filter pydo sends narrows the list to what it names, and nothing else."""
    named = sdk.certificates.list(name=ids["certificate_name"])
    assert [c["id"] for c in named["certificates"]] == [ids["certificate"]]
    pools = sdk.autoscalepools.list(name=ids["autoscale_pool_name"])
    assert [p["id"] for p in pools["autoscale_pools"]] == [ids["autoscale_pool"]]
    assert pools["meta"]["total"] == 1
    assert sdk.autoscalepools.list(name="no-such-pool")["autoscale_pools"] == []
    golden = sdk.images.list(tag_name="golden")["images"]
    assert golden and all("golden" in i["tags"] for i in golden)
    distros = sdk.images.list(type="distribution", per_page=200)["images"]
    assert distros and all(i["public"] and i["type"] != "custom" for i in distros)
    everything = sdk.registry.list_repositories_v2(ids["registry"], per_page=200)
    page_2 = sdk.registry.list_repositories_v2(ids["registry"], per_page=3, page=2)
    assert page_2["repositories"] == everything["repositories"][3:6]
    down = sdk.uptime.get_check_state(ids["down_check"])["state"]
    assert {r["status"] for r in down["regions"].values()} == {"DOWN"}


def test_pydo_filters_platform_lists_as_the_spec_says(
    sdk: pydo.Client, ids: dict[str, Any]
) -> None:
    """The platform lists' filters (``vpcnatgateways_list`` takes ``state``/``type`` in lower
    case while the objects carry DO's upper-case enums: the filter matches either)."""
    nat = sdk.vpcnatgateways.get(ids["nat_gateway"])["vpc_nat_gateway"]
    matching = sdk.vpcnatgateways.list(
        state="active", type="public", name=nat["name"], region=nat["region"]
    )
    assert [g["id"] for g in matching["vpc_nat_gateways"]] == [nat["id"]]
    for miss in ({"state": "error"}, {"name": "no-such-gateway"}, {"region": "nyc3"}):
        assert sdk.vpcnatgateways.list(**miss)["vpc_nat_gateways"] == [], miss
    peering = sdk.vpc_peerings.get(ids["vpc_peering"])["vpc_peering"]
    regions = {sdk.vpcs.get(v)["vpc"]["region"] for v in peering["vpc_ids"]}
    assert regions == {"ams3"}
    assert [p["id"] for p in sdk.vpc_peerings.list(region="ams3")["vpc_peerings"]] == [
        peering["id"]
    ]
    assert sdk.vpc_peerings.list(region="nyc3")["vpc_peerings"] == []
    tagged = sdk.databases.list_clusters(tag_name="globex")["databases"]
    assert tagged and all("globex" in d["tags"] for d in tagged)
    members = sdk.vpcs.list_members(ids["default_vpc"], resource_type="droplet")["members"]
    assert members and all(m["urn"].startswith("do:droplet:") for m in members)
    assert all("project_id" in a for a in sdk.apps.list(with_projects=True)["apps"])
    assert not any("project_id" in a for a in sdk.apps.list()["apps"])


def test_pydo_lists_every_functions_namespace_at_once(
    sdk: pydo.Client, tls_admin: SimAdmin
) -> None:
    """pydo's ``list_namespaces`` cannot page (nor can DO's endpoint): more namespaces than a
    page holds all come back in the one response."""
    seeded = tls_admin.resources("functions_namespace")
    extra = [f"fn-pydo-{n:04d}" for n in range(25)]
    for ident in extra:
        tls_admin.put_resource(
            "functions_namespace",
            ident,
            {**seeded[0]["body"], "namespace": ident, "label": ident},
            name=ident,
        )
    try:
        listed = sdk.functions.list_namespaces()
    finally:
        for ident in extra:
            tls_admin.delete_resource("functions_namespace", ident)
    assert [n["namespace"] for n in listed["namespaces"]] == [*(r["id"] for r in seeded), *extra]
    assert set(listed) == {"namespaces"}


# -- what the spec promises, as pydo sees it ---------------------------------------------------
def test_pydo_sees_spec_urns_create_actions_and_empty_links(sdk: pydo.Client) -> None:
    pattern = spec_urn_pattern()
    projects = sdk.projects.list(per_page=200)["projects"]
    urns = [
        r["urn"]
        for p in projects
        for r in sdk.projects.list_resources(p["id"], params=ALL)["resources"]
    ]
    assert len(urns) > len(projects) and [u for u in urns if not pattern.match(u)] == []
    for droplet in sdk.droplets.list(per_page=200)["droplets"]:
        first = sdk.droplet_actions.list(droplet["id"])["actions"][0]
        assert (first["type"], first["status"], first["started_at"]) == (
            "create",
            "completed",
            droplet["created_at"],
        )
    assert sdk.droplets.list(tag_name="no-such-tag") == {
        "droplets": [],
        "links": {},
        "meta": {"total": 0},
    }
    assert sdk.volumes.list(region="sfo3") == {"volumes": [], "links": {}, "meta": {"total": 0}}


def test_pydo_maps_the_simulators_errors(
    tls_sim: SimulatorHandle, sdk: pydo.Client, ids: dict[str, Any]
) -> None:
    anonymous = pydo.Client(
        " ",
        endpoint=tls_sim.tls_base_url,
        connection_verify=str(tls_sim.tls_ca_file),
        retry_total=0,
    )
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
    assert sdk.tags.create({"name": "no spaces"})["id"] == "bad_request"  # a 400 pydo returns
    assert sdk.tags.delete("no-such-tag")["id"] == "not_found"  # a 404 it returns too
    with pytest.raises(HttpResponseError) as in_use:  # a VPC with members stays
        sdk.vpcs.delete(ids["default_vpc"])
    assert (in_use.value.status_code, in_use.value.response.json()["id"]) == (403, "forbidden")

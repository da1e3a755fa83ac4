"""DigitalOcean's own Python SDK (``pydo``, unmodified) writes to the simulator over HTTPS.

The write flows our code uses run through pydo end to end (droplet create, actions, snapshot
and delete; DNS record create/patch/put/delete; volumes and volume snapshots; reserved IPs;
project assignment; delete by tag), then every other write the simulator serves (firewalls, load
balancers, projects, domains, volumes by name, floating IPs, tags), each checked against what
the simulator then holds. The kinds the API only reads and deletes (certificates … autoscale
pools, apps, databases, Kubernetes clusters, VPCs) get a copy of a seeded object put behind the
API's back (``/_sim/resources``), with what rides with it (an uptime check's state, a database's
replica and pool, an app's alert, a cluster's node droplet), which pydo reads and deletes. As in
``test_conformance``, a module-scoped tour runs every flow once (each only touches what it
created) and the tests read its outcomes: one per flow, and one per served write operation,
which pydo must have called with a 2xx answer.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pydo
import pytest
from azure.core.rest import HttpRequest

from arcadia_cloud_sim.launcher import SimAdmin
from tests.sim.pydo_support import (
    ALL,
    Exchanges,
    completed,
    exchanges,
    http,
    sdk,
    sdk_action_done,
    served_operations,
    tls_admin,
    wait_for,
)

__all__ = ["exchanges", "http", "sdk", "tls_admin"]  # fixtures


@dataclass(frozen=True)
class World:
    """What the flows work with: pydo, our views of the server, and a droplet of their own."""

    sdk: pydo.Client
    http: httpx.Client
    admin: SimAdmin
    droplet: int  # in nyc3, active
    zone: str
    project: str  # a project that is not the default


FLOWS: dict[str, Callable[[World], None]] = {}


def flow(run: Callable[[World], None]) -> Callable[[World], None]:
    """Register a write flow (in order: the tour runs them as declared)."""
    FLOWS[run.__name__] = run
    return run


@flow
def droplet_create_actions_snapshot_and_delete(w: World) -> None:
    sdk, admin = w.sdk, w.admin
    created = sdk.droplets.create(
        {
            "name": "pydo-web-1",
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            "tags": ["pydo"],
            "ssh_keys": [],
            "backups": False,
            "ipv6": False,
            "monitoring": False,
        }
    )
    droplet = created["droplet"]
    assert droplet["status"] == "new" and droplet["tags"] == ["pydo"]
    create_action = sdk_action_done(sdk, created["links"]["actions"][0])
    assert (create_action["type"], create_action["resource_id"]) == ("create", droplet["id"])
    live = sdk.droplets.get(droplet["id"])["droplet"]
    assert live["status"] == "active"
    assert live == admin_rendered(admin, droplet["id"], sdk)

    for body in (
        {"type": "power_off"},
        {"type": "resize", "size": "s-2vcpu-2gb"},
        {"type": "power_on"},
        {"type": "snapshot", "name": "pydo-web-1-snap"},
    ):
        action = sdk.droplet_actions.post(droplet["id"], body)["action"]
        assert action["type"] == body["type"] and action["status"] == "in-progress"
        sdk_action_done(sdk, action)
    live = sdk.droplets.get(droplet["id"])["droplet"]
    assert (live["status"], live["size_slug"]) == ("active", "s-2vcpu-2gb")
    history = sdk.droplet_actions.list(droplet["id"])["actions"]
    assert [(a["type"], a["status"]) for a in history] == [
        (t, "completed") for t in ("create", "power_off", "resize", "power_on", "snapshot")
    ]

    snap = wait_for(
        lambda: next(iter(sdk.droplets.list_snapshots(droplet["id"])["snapshots"]), None)
    )
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


@flow
def dns_record_upsert_and_delete(w: World) -> None:
    sdk, zone = w.sdk, w.zone
    record = sdk.domains.create_record(
        zone, {"type": "A", "name": "pydo", "data": "192.0.2.10", "ttl": 300}
    )["domain_record"]
    assert (record["type"], record["name"], record["data"], record["ttl"]) == (
        "A",
        "pydo",
        "192.0.2.10",
        300,
    )
    cname = sdk.domains.create_record(
        zone, {"type": "CNAME", "name": "www-pydo", "data": f"pydo.{zone}"}
    )["domain_record"]
    assert cname["data"] == f"pydo.{zone}."  # DO stores a CNAME's target fully qualified
    patched = sdk.domains.patch_record(zone, record["id"], {"data": "192.0.2.11"})
    assert patched["domain_record"] == {**record, "data": "192.0.2.11"}
    replaced = sdk.domains.update_record(
        zone, record["id"], {"type": "A", "name": "pydo", "data": "192.0.2.12", "ttl": 600}
    )
    assert replaced["domain_record"] == {**record, "data": "192.0.2.12", "ttl": 600}
    assert sdk.domains.get_record(zone, record["id"]) == replaced
    named = sdk.domains.list_records(zone, name=f"pydo.{zone}")["domain_records"]
    assert [r["id"] for r in named] == [record["id"]]

    for rid in (record["id"], cname["id"]):
        assert sdk.domains.delete_record(zone, rid) is None
        assert sdk.domains.get_record(zone, rid)["id"] == "not_found"
    left = {r["id"] for r in sdk.domains.list_records(zone, per_page=200)["domain_records"]}
    assert not left & {record["id"], cname["id"]}


@flow
def volume_create_attach_snapshot_and_delete(w: World) -> None:
    sdk, admin = w.sdk, w.admin
    volume = sdk.volumes.create(
        {
            "name": "pydo-vol",
            "size_gigabytes": 10,
            "region": "nyc3",
            "filesystem_type": "ext4",
            "tags": ["pydo"],
        }
    )["volume"]
    assert sdk.volumes.get(volume["id"])["volume"] == volume
    attach = sdk.volume_actions.post_by_id(
        volume["id"], {"type": "attach", "droplet_id": w.droplet, "region": "nyc3"}
    )["action"]
    sdk_action_done(sdk, attach)
    assert sdk.volumes.get(volume["id"])["volume"]["droplet_ids"] == [w.droplet]
    snap = sdk.volume_snapshots.create(volume["id"], {"name": "pydo-vol-snap"})["snapshot"]
    assert sdk.volume_snapshots.get_by_id(snap["id"])["snapshot"] == snap
    listed = wait_for(lambda: sdk.volume_snapshots.list(volume["id"])["snapshots"])  # list lag
    assert [s["id"] for s in listed] == [snap["id"]]
    assert sdk.volume_snapshots.delete_by_id(snap["id"]) is None
    assert sdk.volume_snapshots.get_by_id(snap["id"])["id"] == "not_found"
    detach = sdk.volume_actions.post_by_id(
        volume["id"], {"type": "detach", "droplet_id": w.droplet, "region": "nyc3"}
    )["action"]
    sdk_action_done(sdk, detach)
    assert sdk.volumes.delete(volume["id"]) is None
    assert all(r["id"] != volume["id"] for r in admin.resources("volume"))


@flow
def reserved_ip_create_assign_and_delete(w: World) -> None:
    sdk = w.sdk
    created = sdk.reserved_ips.create({"region": "nyc3", "project_id": w.project})
    ip = created["reserved_ip"]["ip"]
    assert created["reserved_ip"]["droplet"] is None
    assign = sdk.reserved_ips_actions.post(ip, {"type": "assign", "droplet_id": w.droplet})
    sdk_action_done(sdk, assign["action"])
    assert sdk.reserved_ips.get(ip)["reserved_ip"]["droplet"]["id"] == w.droplet
    unassign = sdk.reserved_ips_actions.post(ip, {"type": "unassign"})
    sdk_action_done(sdk, unassign["action"])
    assert sdk.reserved_ips.delete(ip) is None
    assert sdk.reserved_ips.get(ip)["id"] == "not_found"


@flow
def project_assignment_moves_a_resource(w: World) -> None:
    sdk = w.sdk
    projects = sdk.projects.list()["projects"]
    target = next(p for p in projects if not p["is_default"])
    created = sdk.droplets.create(
        {
            "name": "pydo-assign",
            "region": "ams3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
        }
    )
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


@flow
def droplets_actions_and_delete_by_tag(w: World) -> None:
    sdk = w.sdk
    created = sdk.droplets.create(
        {
            "names": ["pydo-t1", "pydo-t2"],
            "region": "ams3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
            "tags": ["pydo-batch"],
        }
    )
    assert len(created["droplets"]) == 2
    assert sdk.droplets.list(tag_name="pydo-batch")["meta"]["total"] == 2
    for create in created["links"]["actions"]:
        sdk_action_done(sdk, create)
    actions = sdk.droplet_actions.post_by_tag({"type": "power_off"}, tag_name="pydo-batch")
    assert sorted(a["resource_id"] for a in actions["actions"]) == sorted(
        d["id"] for d in created["droplets"]
    )
    for action in actions["actions"]:
        sdk_action_done(sdk, action)
    assert sdk.droplets.destroy_by_tag(tag_name="pydo-batch") is None
    assert sdk.droplets.list(tag_name="pydo-batch") == {
        "droplets": [],
        "links": {},
        "meta": {"total": 0},
    }


def send(sdk: pydo.Client, method: str, path: str, body: Any = None) -> Any:
    """A request through pydo's own pipeline (``send_request``): what has no typed method."""
    response = sdk.send_request(HttpRequest(method, path, json=body))
    response.raise_for_status()
    return response.json() if response.content else None


@flow
def firewall_lifecycle(w: World) -> None:
    sdk = w.sdk
    ssh = {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0"]}}
    web = {"protocol": "tcp", "ports": "443", "sources": {"addresses": ["0.0.0.0/0"]}}
    out = {"protocol": "tcp", "ports": "all", "destinations": {"addresses": ["0.0.0.0/0"]}}
    created = sdk.firewalls.create(
        {
            "name": "pydo-fw",
            "inbound_rules": [ssh],
            "outbound_rules": [out],
            "droplet_ids": [w.droplet],
        }
    )
    fid = created["firewall"]["id"]
    updated = sdk.firewalls.update(
        fid,
        {
            "name": "pydo-fw-2",
            "inbound_rules": [ssh],
            "outbound_rules": [out],
            "droplet_ids": [w.droplet],
        },
    )
    assert updated["firewall"]["name"] == "pydo-fw-2"
    assert sdk.firewalls.add_rules(fid, {"inbound_rules": [web]}) is None
    assert sdk.firewalls.add_tags(fid, {"tags": ["pydo-fw-tag"]}) is None
    assert sdk.firewalls.delete_droplets(fid, {"droplet_ids": [w.droplet]}) is None
    held = sdk.firewalls.get(fid)["firewall"]
    assert (len(held["inbound_rules"]), held["tags"], held["droplet_ids"]) == (
        2,
        ["pydo-fw-tag"],
        [],
    )
    assert sdk.firewalls.delete_rules(fid, {"inbound_rules": [web]}) is None
    assert sdk.firewalls.delete_tags(fid, {"tags": ["pydo-fw-tag"]}) is None
    assert sdk.firewalls.assign_droplets(fid, {"droplet_ids": [w.droplet]}) is None
    held = sdk.firewalls.get(fid)["firewall"]
    assert (held["inbound_rules"], held["tags"], held["droplet_ids"]) == ([ssh], [], [w.droplet])
    assert sdk.firewalls.delete(fid) is None
    assert sdk.firewalls.get(fid)["id"] == "not_found"


@flow
def load_balancer_lifecycle(w: World) -> None:
    sdk = w.sdk
    http_rule = {
        "entry_protocol": "http",
        "entry_port": 80,
        "target_protocol": "http",
        "target_port": 80,
    }
    tcp_rule = {
        "entry_protocol": "tcp",
        "entry_port": 3306,
        "target_protocol": "tcp",
        "target_port": 3306,
    }
    created = sdk.load_balancers.create(
        {"name": "pydo-lb", "region": "nyc3", "forwarding_rules": [http_rule]}
    )
    lid = created["load_balancer"]["id"]
    updated = sdk.load_balancers.update(
        lid, {"name": "pydo-lb-2", "region": "nyc3", "forwarding_rules": [http_rule]}
    )
    assert updated["load_balancer"]["name"] == "pydo-lb-2"
    assert sdk.load_balancers.add_droplets(lid, {"droplet_ids": [w.droplet]}) is None
    assert sdk.load_balancers.add_forwarding_rules(lid, {"forwarding_rules": [tcp_rule]}) is None
    held = sdk.load_balancers.get(lid)["load_balancer"]
    assert held["droplet_ids"] == [w.droplet] and len(held["forwarding_rules"]) == 2
    assert sdk.load_balancers.remove_droplets(lid, {"droplet_ids": [w.droplet]}) is None
    assert sdk.load_balancers.remove_forwarding_rules(lid, {"forwarding_rules": [tcp_rule]}) is None
    held = sdk.load_balancers.get(lid)["load_balancer"]
    assert held["droplet_ids"] == [] and len(held["forwarding_rules"]) == 1
    assert sdk.load_balancers.delete(lid) is None
    assert sdk.load_balancers.get(lid)["id"] == "not_found"


@flow
def project_lifecycle(w: World) -> None:
    sdk = w.sdk
    created = sdk.projects.create(
        {"name": "pydo-project", "purpose": "Web Application", "environment": "Development"}
    )["project"]
    pid = created["id"]
    put = sdk.projects.update(
        pid,
        {
            "name": "pydo-project-2",
            "description": "tenant:pydo",
            "purpose": "Web Application",
            "environment": "Staging",
            "is_default": False,
        },
    )["project"]
    assert (put["name"], put["environment"]) == ("pydo-project-2", "Staging")
    patched = sdk.projects.patch(pid, {"description": "tenant:pydo-2"})["project"]
    assert patched == {**put, "description": "tenant:pydo-2", "updated_at": patched["updated_at"]}
    assert sdk.projects.delete(pid) is None
    assert sdk.projects.get(pid)["id"] == "not_found"
    default = sdk.projects.get_default()["project"]
    keep = {k: default[k] for k in ("name", "description", "purpose", "environment")}
    assert (
        sdk.projects.patch_default({"description": "pydo was here"})["project"]["description"]
        == "pydo was here"
    )
    restored = sdk.projects.update_default({**keep, "is_default": True})["project"]
    assert {k: restored[k] for k in keep} == keep


@flow
def domain_create_and_delete(w: World) -> None:
    sdk = w.sdk
    created = sdk.domains.create({"name": "pydo-example.com"})["domain"]
    assert created["name"] == "pydo-example.com"
    assert sdk.domains.get("pydo-example.com")["domain"]["name"] == "pydo-example.com"
    assert sdk.domains.delete("pydo-example.com") is None
    assert sdk.domains.get("pydo-example.com")["id"] == "not_found"


@flow
def volume_actions_and_delete_by_name(w: World) -> None:
    sdk = w.sdk
    volume = sdk.volumes.create({"name": "pydo-vol-2", "size_gigabytes": 5, "region": "nyc3"})[
        "volume"
    ]
    for kind in ("attach", "detach"):
        action = sdk.volume_actions.post(
            {"type": kind, "volume_name": "pydo-vol-2", "region": "nyc3", "droplet_id": w.droplet}
        )["action"]
        sdk_action_done(sdk, action)
        attached = sdk.volumes.get(volume["id"])["volume"]["droplet_ids"]
        assert attached == ([w.droplet] if kind == "attach" else [])
    assert sdk.volumes.delete_by_name(name="pydo-vol-2", region="nyc3") is None
    assert sdk.volumes.get(volume["id"])["id"] == "not_found"


@flow
def floating_ip_create_assign_and_delete(w: World) -> None:
    sdk = w.sdk  # pydo 0.44 has no floating_ips group: its send_request
    ip = send(sdk, "POST", "/v2/floating_ips", {"region": "nyc3"})["floating_ip"]["ip"]
    action = send(
        sdk, "POST", f"/v2/floating_ips/{ip}/actions", {"type": "assign", "droplet_id": w.droplet}
    )["action"]
    sdk_action_done(sdk, action)
    assert sdk.reserved_ips.get(ip)["reserved_ip"]["droplet"]["id"] == w.droplet
    send(sdk, "POST", f"/v2/floating_ips/{ip}/actions", {"type": "unassign"})
    assert send(sdk, "DELETE", f"/v2/floating_ips/{ip}") is None
    assert sdk.reserved_ips.get(ip)["id"] == "not_found"


@flow
def tag_create_and_delete(w: World) -> None:
    sdk = w.sdk
    created = sdk.tags.create({"name": "pydo-tag"})["tag"]
    assert created == {"name": "pydo-tag", "resources": {**created["resources"], "count": 0}}
    assert sdk.tags.create({"name": "pydo-tag"})["tag"] == created  # DO returns it as it is
    assert sdk.tags.get("pydo-tag")["tag"] == created
    assert sdk.tags.delete("pydo-tag") is None
    assert sdk.tags.get("pydo-tag")["id"] == "not_found"


@dataclass(frozen=True)
class Seeded:
    """A kind the API only reads and deletes: a copy of a seeded object is put behind the API's
    back (``/_sim/resources``) under ``body_id``, then read and deleted through pydo."""

    kind: str  # the store kind
    body_id: Any  # the copy's id, as DO types it
    id_key: str  # the id's field in the body
    key: str  # the envelope key of one object
    get: Callable[[pydo.Client, Any], Any]
    delete: Callable[[pydo.Client, Any], Any]
    changes: Mapping[str, Any] = field(default_factory=dict)  # more fields of the copy
    row_name: str | None = None  # the stored row's name (what ``?name=`` or a lookup matches)
    answer: Callable[[Any], Any] = lambda ident: None  # what pydo's delete returns


PYDO_UUID = "00000000-0000-4000-8000-00000000d0d0"
SEEDED: dict[str, Seeded] = {
    "certificate": Seeded(
        "certificate",
        PYDO_UUID,
        "id",
        "certificate",
        lambda c, i: c.certificates.get(i),
        lambda c, i: c.certificates.delete(i),
        {"name": "pydo-cert"},
        "pydo-cert",
    ),
    "cdn_endpoint": Seeded(
        "cdn_endpoint",
        PYDO_UUID,
        "id",
        "endpoint",
        lambda c, i: c.cdn.get_endpoint(i),
        lambda c, i: c.cdn.delete_endpoint(i),
    ),
    "ssh_key": Seeded(
        "ssh_key",
        41_299_001,
        "id",
        "ssh_key",
        lambda c, i: c.ssh_keys.get(i),
        lambda c, i: c.ssh_keys.delete("d0:d0:" + "00:" * 13 + "01"),
        {"fingerprint": "d0:d0:" + "00:" * 13 + "01"},
        "d0:d0:" + "00:" * 13 + "01",
    ),  # deleted by its fingerprint
    "custom_image": Seeded(
        "custom_image",
        160_599_001,
        "id",
        "image",
        lambda c, i: c.images.get(i),
        lambda c, i: c.images.delete(i),
        {"name": "pydo-image"},
        "pydo-image",
    ),
    "alert_policy": Seeded(
        "alert_policy",
        PYDO_UUID,
        "uuid",
        "policy",
        lambda c, i: c.monitoring.get_alert_policy(i),
        lambda c, i: c.monitoring.delete_alert_policy(i),
    ),
    "uptime_check": Seeded(
        "uptime_check",
        PYDO_UUID,
        "id",
        "check",
        lambda c, i: c.uptime.get_check(i),
        lambda c, i: c.uptime.delete_check(i),
    ),
    "functions_namespace": Seeded(
        "functions_namespace",
        f"fn-{PYDO_UUID}",
        "namespace",
        "namespace",
        lambda c, i: c.functions.get_namespace(i),
        lambda c, i: c.functions.delete_namespace(i),
        {"uuid": PYDO_UUID, "label": "pydo-ns"},
        "pydo-ns",
    ),
    "reserved_ipv6": Seeded(
        "reserved_ipv6",
        "2604:a880:800:14:0:1:d0:d0",
        "ip",
        "reserved_ipv6",
        lambda c, i: c.reserved_ipv6.get(i),
        lambda c, i: c.reserved_ipv6.delete(i),
        {"droplet_id": None},
    ),
    "autoscale_pool": Seeded(
        "autoscale_pool",
        PYDO_UUID,
        "id",
        "autoscale_pool",
        lambda c, i: c.autoscalepools.get(i),
        lambda c, i: c.autoscalepools.delete(i),
        {"name": "pydo-pool"},
        "pydo-pool",
    ),  # DO answers 202: it deletes asynchronously
    "app": Seeded(
        "app",
        PYDO_UUID,
        "id",
        "app",
        lambda c, i: c.apps.get(i),
        lambda c, i: c.apps.delete(i),
        {"project_id": None},
        "pydo-app",
        answer=lambda i: {"id": i},
    ),  # DO answers 200 with the app's id
    "database": Seeded(
        "database",
        PYDO_UUID,
        "id",
        "database",
        lambda c, i: c.databases.get_cluster(i),
        lambda c, i: c.databases.destroy_cluster(i),
        {"name": "pydo-db"},
        "pydo-db",
    ),
    "kubernetes_cluster": Seeded(
        "kubernetes_cluster",
        PYDO_UUID,
        "id",
        "kubernetes_cluster",
        lambda c, i: c.kubernetes.get_cluster(i),
        lambda c, i: c.kubernetes.delete_cluster(i),
        {"name": "pydo-doks"},
        "pydo-doks",
    ),  # node pools: RIDERS
    "vpc": Seeded(
        "vpc",
        PYDO_UUID,
        "id",
        "vpc",
        lambda c, i: c.vpcs.get(i),
        lambda c, i: c.vpcs.delete(i),
        {"name": "pydo-vpc", "default": False, "urn": f"do:vpc:{PYDO_UUID}"},
        "pydo-vpc",
    ),  # no droplet names it: no members, so DO lets it go
}


#: What rides with a copy: ``(held, gone)`` checks, before and after pydo deletes the copy.
Checks = tuple[Callable[[], None], Callable[[], None]]
Rider = Callable[[World, Mapping[str, Any], dict[str, Any], str], Checks]


def _uptime_state(w: World, model: Mapping[str, Any], body: dict[str, Any], ident: str) -> Checks:
    """The check's state row: read through pydo, and gone with the check."""
    state = w.admin.get_resource("uptime_check_state", model["id"])["body"]
    w.admin.put_resource("uptime_check_state", ident, state, parent=ident)

    def held() -> None:
        assert w.sdk.uptime.get_check_state(ident)["state"] == state

    def gone() -> None:
        assert w.sdk.uptime.get_check_state(ident)["id"] == "not_found"
        assert ident not in {r["id"] for r in w.admin.resources("uptime_check_state")}

    return held, gone


def _children(
    kind: str, listing: Callable[[pydo.Client, str], Any], key: str, name_field: str
) -> Rider:
    """One child row (``kind``, ``parent`` = the copy) that pydo lists, deleted with it."""

    def rider(w: World, model: Mapping[str, Any], body: dict[str, Any], ident: str) -> Checks:
        child = next(r for r in w.admin.resources(kind) if r["parent"] == model["id"])
        child_id = f"{ident}:pydo-child"
        w.admin.put_resource(
            kind,
            child_id,
            {**child["body"], name_field: "pydo-child"},
            parent=ident,
            name="pydo-child",
        )

        def held() -> None:
            assert [c[name_field] for c in listing(w.sdk, ident)[key]] == ["pydo-child"]

        def gone() -> None:
            assert listing(w.sdk, ident)["id"] == "not_found"
            assert child_id not in {r["id"] for r in w.admin.resources(kind)}

        return held, gone

    return rider


def _node_droplet(w: World, model: Mapping[str, Any], body: dict[str, Any], ident: str) -> Checks:
    """A node droplet of its own in the copy's one pool: DO deletes it with the cluster."""
    pool = model["body"]["node_pools"][0]
    node = w.admin.get_resource("droplet", pool["nodes"][0]["droplet_id"])["body"]
    node_id = 410_099_001
    w.admin.put_resource(
        "droplet",
        node_id,
        {**node, "id": node_id, "name": "pydo-node", "tags": ["k8s", f"k8s:{ident}", "k8s:worker"]},
        name="pydo-node",
    )
    body["node_pools"] = [
        {
            **pool,
            "count": 1,
            "nodes": [{**pool["nodes"][0], "name": "pydo-node", "droplet_id": str(node_id)}],
        }
    ]

    def held() -> None:
        pools = w.sdk.kubernetes.list_node_pools(ident)["node_pools"]
        assert [n["droplet_id"] for p in pools for n in p["nodes"]] == [str(node_id)]
        assert w.sdk.droplets.get(node_id)["droplet"]["name"] == "pydo-node"

    def gone() -> None:
        assert w.sdk.droplets.get(node_id)["id"] == "not_found"

    return held, gone


RIDERS: dict[str, tuple[Rider, ...]] = {
    "uptime_check": (_uptime_state,),
    "kubernetes_cluster": (_node_droplet,),
    "database": (
        _children(
            "database_replica", lambda c, i: c.databases.list_replicas(i), "replicas", "name"
        ),
        _children(
            "database_pool", lambda c, i: c.databases.list_connection_pools(i), "pools", "name"
        ),
    ),
    "app": (_children("app_alert", lambda c, i: c.apps.list_alerts(i), "alerts", "id"),),
}


def seeded_delete(name: str, seeded: Seeded) -> Callable[[World], None]:
    """The flow that puts a copy of a seeded ``seeded.kind`` (and what rides with it: its
    :data:`RIDERS`) and deletes it through pydo."""

    def run(w: World) -> None:
        sdk, admin, ident = w.sdk, w.admin, str(seeded.body_id)
        model = admin.resources(seeded.kind)[0]
        body = {**model["body"], seeded.id_key: seeded.body_id, **seeded.changes}
        checks = [rider(w, model, body, ident) for rider in RIDERS.get(seeded.kind, ())]
        admin.put_resource(seeded.kind, ident, body, name=seeded.row_name)
        got = seeded.get(sdk, seeded.body_id)[seeded.key]
        assert got[seeded.id_key] == seeded.body_id
        for held, _ in checks:
            held()
        assert seeded.delete(sdk, seeded.body_id) == seeded.answer(seeded.body_id)
        assert seeded.get(sdk, seeded.body_id)["id"] == "not_found"
        assert admin.get_resource(seeded.kind, ident)["deleted_at"] is not None
        for _, gone in checks:
            gone()

    run.__name__ = f"{name}_put_behind_the_api_and_deleted_through_pydo"
    return run


for _name, _seeded in SEEDED.items():
    flow(seeded_delete(_name, _seeded))


@pytest.fixture(scope="module")
def tour(sdk: pydo.Client, http: httpx.Client, tls_admin: SimAdmin) -> dict[str, str | None]:
    """Every flow once, in order: its traceback, or None when it passed."""
    created = http.post(
        "/v2/droplets",
        json={
            "name": "pydo-own",
            "region": "nyc3",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64",
        },
    ).json()
    completed(http, created["links"]["actions"][0])
    projects = http.get("/v2/projects").json()["projects"]
    world = World(
        sdk=sdk,
        http=http,
        admin=tls_admin,
        droplet=created["droplet"]["id"],
        zone=http.get("/v2/domains").json()["domains"][0]["name"],
        project=next(p["id"] for p in projects if not p["is_default"]),
    )
    outcomes: dict[str, str | None] = {}
    for name, run in FLOWS.items():
        try:
            run(world)
        except Exception:
            outcomes[name] = traceback.format_exc()
        else:
            outcomes[name] = None
    http.delete(f"/v2/droplets/{world.droplet}")
    return outcomes


@pytest.mark.parametrize("name", list(FLOWS))
def test_write_flow_through_pydo(tour: dict[str, str | None], name: str) -> None:
    assert tour[name] is None, tour[name]


WRITES = sorted(op for op in served_operations() if op[0] != "GET")


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[f"{m} {t}" for m, t in WRITES])
def test_pydo_called_every_write_the_simulator_serves(
    tour: dict[str, str | None], exchanges: Exchanges, method: str, template: str
) -> None:
    statuses = {s for m, t, s in exchanges.seen if (m, t) == (method, template)}
    assert statuses, f"the tour never called {method} {template} through pydo"
    assert all(200 <= s < 300 for s in statuses), statuses

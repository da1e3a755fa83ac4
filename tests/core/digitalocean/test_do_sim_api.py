"""The client against the real simulator (``default`` scenario): every endpoint we use."""

from __future__ import annotations

import time
from datetime import UTC

import pytest

from arcadia_cloud_core.digitalocean import (
    Action,
    DOAuthError,
    DOClient,
    DONotFoundError,
)
from arcadia_cloud_sim.launcher import SimAdmin

from .conftest import ClientFactory
from .helpers import api_status_counts

DEFAULT_DROPLETS = {
    "acme-web-1": ("nyc3", "s-1vcpu-2gb"),
    "acme-web-2": ("nyc3", "s-1vcpu-2gb"),
    "acme-db-1": ("nyc3", "s-2vcpu-4gb"),
    "globex-etl-1": ("ams3", "s-2vcpu-4gb"),
    "platform-ci-1": ("ams3", "s-1vcpu-1gb"),
    # the DOKS cluster's nodes
    "workers-x7k2p": ("ams3", "s-2vcpu-4gb"),
    "workers-m3q9d": ("ams3", "s-2vcpu-4gb"),
    "batch-x7k2p": ("ams3", "s-4vcpu-8gb"),
}


def wait_for_action(client: DOClient, action: Action, *, timeout: float = 10.0) -> Action:
    deadline = time.monotonic() + timeout
    while not action.done:
        assert time.monotonic() < deadline, f"action {action.id} still {action.status}"
        time.sleep(0.2)
        action = client.get_action(action.id)
    return action


def test_inventory_reads_match_the_default_scenario(
    make_do: ClientFactory, admin: SimAdmin
) -> None:
    do = make_do()
    droplets = do.list_droplets()
    assert {d.name: (d.region, d.size_slug) for d in droplets} == DEFAULT_DROPLETS
    assert droplets.complete and droplets.requests == 1
    for d in droplets:
        assert d.status == "active" and d.public_ipv4 and d.private_ipv4
        assert d.image_slug == "ubuntu-24-04-x64"
        assert d.created_at.tzinfo is UTC
    by_name = {d.name: d for d in droplets}
    assert len(do.list_droplet_backups(by_name["acme-db-1"].id)) == 2
    assert len(do.list_droplet_backups(by_name["acme-web-1"].id)) == 0
    assert {i.name for i in do.list_droplet_snapshots(by_name["acme-web-1"].id)} == {
        "acme-web-1-2026-03-01",
        "acme-web-1-2026-04-01",
    }

    snapshots = do.list_snapshots()
    assert len(snapshots) == 12
    volume_snaps = do.list_snapshots(resource_type="volume")
    assert volume_snaps.filtered and len(volume_snaps) == 4
    assert {s.resource_type for s in volume_snaps} == {"volume"}

    volumes = {v.name: v for v in do.list_volumes()}
    assert volumes["acme-db-data"].droplet_ids == (by_name["acme-db-1"].id,)
    assert volumes["platform-cache"].droplet_ids == ()
    assert do.get_volume(volumes["globex-warehouse"].id).size_gigabytes == 500

    ips = do.list_all_reserved_ips()
    assert len(ips) == 2
    assigned = [ip for ip in ips if ip.droplet_id]
    assert [ip.droplet_id for ip in assigned] == [by_name["acme-web-1"].id]
    assert do.get_reserved_ip(assigned[0].ip).region == "nyc3"

    (fw,) = do.list_firewalls()
    assert fw.name == "acme-web-fw"
    assert {r.ports for r in fw.inbound_rules} == {"22", "80", "443"}
    assert do.get_firewall(fw.id).droplet_ids == fw.droplet_ids
    (lb,) = do.list_load_balancers()
    assert [
        (r.entry_port, r.target_port) for r in do.get_load_balancer(lb.id).forwarding_rules
    ] == [(80, 80), (443, 443)]
    assert len(do.list_domains()) == 7

    assert api_status_counts(admin.stats()) == {"200": do.requests_made}


def test_domain_records_filters_and_writes(make_do: ClientFactory) -> None:
    do = make_do(purpose="provisioning")
    domain = do.get_domain("acme-store.com")
    assert domain.zone_file and "SOA" in domain.zone_file
    records = do.list_domain_records("acme-store.com")
    assert {"NS", "A", "CNAME"} <= {r.type for r in records}
    a_records = do.list_domain_records("acme-store.com", type="A", name="acme-store.com")
    assert a_records.filtered
    assert [(r.type, r.name) for r in a_records] == [("A", "@")]

    created = do.create_domain_record(
        "acme-store.com", type="A", name="api", data="192.0.2.10", ttl=300
    )
    assert (created.name, created.data, created.ttl) == ("api", "192.0.2.10", 300)
    patched = do.update_domain_record("acme-store.com", created.id, changes={"data": "192.0.2.11"})
    assert patched.data == "192.0.2.11"
    assert do.get_domain_record("acme-store.com", created.id).data == "192.0.2.11"
    assert do.delete_domain_record("acme-store.com", created.id)
    assert do.delete_domain_record("acme-store.com", created.id, missing_ok=True) is False


def test_projects_and_resources(make_do: ClientFactory) -> None:
    do = make_do()
    projects = {p.name: p for p in do.list_projects()}
    assert {p.description for p in projects.values()} == {
        "tenant:acme",
        "tenant:globex",
        "tenant:platform",
    }
    default = do.get_default_project()
    assert (default.name, default.is_default) == ("Platform", True)
    assert do.get_project(projects["Acme Storefront"].id).purpose == "Web Application"
    acme = do.list_project_resources(projects["Acme Storefront"].id)
    kinds = {r.kind for r in acme}
    assert {"droplet", "volume", "domain", "floatingip", "loadbalancer", "space"} <= kinds
    assert all(r.urn == f"do:{r.kind}:{r.id}" for r in acme)
    platform = do.list_project_resources("default")
    assert {"kubernetes", "vpc"} <= {r.kind for r in platform}
    globex = do.list_project_resources(projects["Globex Analytics"].id)
    assert {"dbaas", "vpc"} <= {r.kind for r in globex}


def test_billing_reads(make_do: ClientFactory) -> None:
    do = make_do(purpose="billing")
    balance = do.get_balance()
    assert balance.month_to_date_balance_cents == (
        balance.account_balance_cents + balance.month_to_date_usage_cents
    )
    invoices = do.list_invoices()
    assert len(invoices) == 137
    assert invoices.requests == 1
    periods = sorted(i.invoice_period for i in invoices)
    assert (periods[0], periods[-1]) == ("2014-12", "2026-04")
    latest = next(i for i in invoices if i.invoice_period == "2026-04")
    items = do.list_invoice_items(latest.invoice_uuid)
    assert items.items and not items.skipped
    summary = do.get_invoice_summary(latest.invoice_uuid)
    assert summary.amount_cents == latest.amount_cents
    csv_text = do.get_invoice_csv(latest.invoice_uuid)
    assert csv_text.splitlines()[0] == (
        "product,group_description,description,hours,start,end,USD,project_name,category"
    )
    assert len(csv_text.strip().splitlines()) == len(items) + 1
    assert sum(i.amount_cents for i in items) == latest.amount_cents
    history = do.list_billing_history()
    assert sum(1 for h in history if h.type == "Invoice") == 137
    preview = do.get_invoice_preview()
    assert preview is not None and preview.updated_at is not None


def test_droplet_lifecycle_actions_and_snapshots(make_do: ClientFactory) -> None:
    do = make_do(purpose="provisioning")
    created = do.create_droplet(
        name="client-test-1",
        region="nyc3",
        size="s-1vcpu-1gb",
        image="ubuntu-24-04-x64",
        tags=["client-test"],
    )
    droplet = created.resource
    assert droplet.status == "new" and created.action_ids
    create_action = wait_for_action(do, do.get_action(created.action_ids[0]))
    assert create_action.succeeded
    assert do.get_droplet(droplet.id).public_ipv4

    tagged = do.list_droplets(tag_name="client-test")
    assert [d.id for d in tagged] == [droplet.id] and tagged.filtered

    off = wait_for_action(do, do.power_off_droplet(droplet.id))
    assert off.type == "power_off" and off.succeeded
    resize = do.resize_droplet(droplet.id, size="s-1vcpu-2gb")
    assert do.get_droplet_action(droplet.id, resize.id).type == "resize"
    wait_for_action(do, resize)
    wait_for_action(do, do.power_on_droplet(droplet.id))
    assert do.get_droplet(droplet.id).size_slug == "s-1vcpu-2gb"

    snap_action = wait_for_action(do, do.snapshot_droplet(droplet.id, name="client-test-snap"))
    assert snap_action.succeeded
    deadline = time.monotonic() + 5.0  # snapshots show up in listings after a lag
    while not (snaps := do.list_droplet_snapshots(droplet.id)).items:
        assert time.monotonic() < deadline, "snapshot never listed"
        time.sleep(0.2)
    assert [s.name for s in snaps] == ["client-test-snap"]
    assert do.delete_snapshot(snaps.items[0].id)

    assert do.delete_droplet(droplet.id)
    with pytest.raises(DONotFoundError):
        do.get_droplet(droplet.id)
    assert do.delete_droplet(droplet.id, missing_ok=True) is False


def test_reserved_ip_create_and_delete(make_do: ClientFactory) -> None:
    do = make_do(purpose="provisioning")
    created = do.create_reserved_ip(region="ams3")
    assert created.resource.region == "ams3" and created.resource.droplet_id is None
    assert created.resource.ip in {ip.ip for ip in do.list_all_reserved_ips()}
    assert do.delete_reserved_ip(created.resource.ip)
    assert created.resource.ip not in {ip.ip for ip in do.list_reserved_ips()}


def test_typed_errors_from_the_simulator(make_do: ClientFactory, admin: SimAdmin) -> None:
    do = make_do()
    with pytest.raises(DONotFoundError) as missing:
        do.get_droplet(999999999)
    assert missing.value.status == 404 and missing.value.error_id == "not_found"
    assert missing.value.request_id
    assert str(missing.value).startswith("GET /v2/droplets/999999999 -> 404 not_found: ")
    with pytest.raises(DONotFoundError):
        do.get_invoice_summary("00000000-0000-4000-8000-000000000000")

    wrong = make_do(token="dop_v1_not_a_valid_token")
    with pytest.raises(DOAuthError) as denied:
        wrong.get_account()
    assert denied.value.status == 401 and denied.value.error_id == "unauthorized"
    assert wrong.requests_made == 1  # auth errors are not retried
    assert api_status_counts(admin.stats()) == {"404": 2, "401": 1}

"""Payload → model parsing: ids as strings, aware UTC times, exact cents, named bad fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcadia_cloud_core.digitalocean import (
    Action,
    Balance,
    Droplet,
    Firewall,
    Image,
    InvoiceItem,
    InvoiceSummary,
    LoadBalancer,
    ProjectResource,
    ReservedIP,
    Snapshot,
)
from arcadia_cloud_core.digitalocean.fields import FieldError, parse_cents, parse_datetime

from .helpers import droplet_payload


def test_droplet_fields_from_a_do_payload() -> None:
    d = Droplet.from_payload(droplet_payload(3164444, volume_ids=["vol-a"], backup_ids=[7, 8]))
    assert d.id == "3164444"
    assert (d.name, d.status, d.region, d.size_slug) == (
        "web-3164444",
        "active",
        "nyc3",
        "s-1vcpu-2gb",
    )
    assert (d.image_slug, d.image_id) == ("ubuntu-24-04-x64", "63663980")
    assert (d.public_ipv4, d.private_ipv4, d.public_ipv6) == ("203.0.113.5", "10.10.0.5", None)
    assert (d.vcpus, d.memory_mb, d.disk_gb) == (1, 2048, 50)
    assert d.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert d.volume_ids == ("vol-a",)
    assert d.backup_ids == ("7", "8")
    assert d.snapshot_ids == ("111",)
    assert d.tags == ("web",)
    assert d.raw["vpc_uuid"] == "760e09ef-dc84-11e8-981e-3cfdfeaae000"


def test_droplet_model_is_frozen_and_raw_is_read_only() -> None:
    d = Droplet.from_payload(droplet_payload(1))
    with pytest.raises(AttributeError):
        d.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.raw["name"] = "other"  # type: ignore[index]
    assert "raw" not in repr(d)


def test_new_droplet_without_networks_or_backup_window_parses() -> None:
    d = Droplet.from_payload(
        droplet_payload(5, status="new", networks={"v4": [], "v6": []}, next_backup_window=None)
    )
    assert d.status == "new"
    assert d.public_ipv4 is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"name": 42}, "name"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"region": None}, "region.slug"),
        ({"networks": {"v4": ["x"]}}, "networks.v4[0]"),
        ({"tags": [{"k": "v"}]}, "tags[0]"),
    ],
)
def test_bad_droplet_field_is_named(change: dict, field: str) -> None:
    with pytest.raises(FieldError) as info:
        Droplet.from_payload(droplet_payload(9, **change))
    assert info.value.field == field


def test_droplet_without_size_slug_falls_back_to_size_object() -> None:
    payload = droplet_payload(9)
    del payload["size_slug"]
    assert Droplet.from_payload(payload).size_slug == "s-1vcpu-2gb"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("86.92", 8692),
        ("-5.00", -500),
        ("+1.50", 150),
        ("0", 0),
        ("$3.11", 311),
        ("-$0.16", -16),
        ("12.3", 1230),
        ("1,234.56", 123456),
        (12, 1200),
        ("0.10", 10),
    ],
)
def test_money_parses_to_exact_cents(text: object, cents: int) -> None:
    assert parse_cents(text, "amount") == cents


@pytest.mark.parametrize(
    "text", ["12.345", "abc", "", "NaN", "1e400000", "--5.00", "5.00-", None, True]
)
def test_money_that_is_not_whole_cents_is_rejected(text: object) -> None:
    with pytest.raises(FieldError) as info:
        parse_cents(text, "amount")
    assert info.value.field == "amount"


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
    )
)
def test_money_round_trips_through_strings(value: Decimal) -> None:
    assert parse_cents(f"{value:.2f}", "amount") == int(value * 100)


@pytest.mark.parametrize(
    "text",
    [
        "2019-09-03T16:34:46.000+00:00",
        "2019-09-03T16:34:46Z",
        "2019-09-03T18:34:46+02:00",
        "2019-09-03T16:34:46",
    ],
)
def test_timestamps_become_aware_utc(text: str) -> None:
    parsed = parse_datetime(text, "t")
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)
    assert parsed == datetime(2019, 9, 3, 16, 34, 46, tzinfo=UTC)


def test_balance_in_cents() -> None:
    b = Balance.from_payload(
        {
            "month_to_date_balance": "23.44",
            "account_balance": "12.23",
            "month_to_date_usage": "11.21",
            "generated_at": "2019-07-09T15:01:12Z",
        }
    )
    assert (
        b.month_to_date_balance_cents,
        b.account_balance_cents,
        b.month_to_date_usage_cents,
    ) == (2344, 1223, 1121)
    assert b.month_to_date_balance_cents == b.account_balance_cents + b.month_to_date_usage_cents


def test_invoice_summary_lines_in_cents() -> None:
    s = InvoiceSummary.from_payload(
        {
            "invoice_uuid": "22737513-0ea7-4206-8ceb-98a575af7681",
            "invoice_id": "123456789",
            "billing_period": "2020-01",
            "amount": "27.13",
            "user_name": "Sammy Shark",
            "product_charges": {
                "name": "Product usage charges",
                "amount": "12.34",
                "items": [
                    {"amount": "10.00", "name": "Spaces", "count": "1"},
                    {"amount": "2.34", "name": "Databases", "count": "1"},
                ],
            },
            "overages": {"name": "Overages", "amount": "3.45"},
            "taxes": {"name": "Taxes", "amount": "4.56"},
            "credits_and_adjustments": {"name": "Credits & adjustments", "amount": "-6.78"},
        }
    )
    assert s.amount_cents == 2713
    assert s.product_charges is not None and s.product_charges.amount_cents == 1234
    assert [i.amount_cents for i in s.product_charge_items] == [1000, 234]
    assert s.credits_and_adjustments is not None
    assert s.credits_and_adjustments.amount_cents == -678


def test_invoice_summary_item_without_amount_names_the_item() -> None:
    with pytest.raises(FieldError) as info:
        InvoiceSummary.from_payload(
            {
                "invoice_uuid": "u",
                "billing_period": "2020-01",
                "amount": "1.00",
                "product_charges": {"amount": "1.00", "items": [{"name": "x"}]},
            }
        )
    assert info.value.field == "product_charges.items[0].amount"


def test_invoice_item() -> None:
    item = InvoiceItem.from_payload(
        {
            "product": "Droplets",
            "resource_uuid": "711157cb",
            "group_description": "",
            "description": "acme-web-1 (s-1vcpu-2gb)",
            "amount": "12.00",
            "duration": "744",
            "duration_unit": "Hours",
            "start_time": "2026-03-01T00:00:00Z",
            "end_time": "2026-04-01T00:00:00Z",
            "project_name": "Acme Storefront",
        },
        invoice_uuid="inv",
    )
    assert item.amount_cents == 1200
    assert item.group_description is None
    assert item.end_time == datetime(2026, 4, 1, tzinfo=UTC)


def test_snapshot_ids_are_strings_and_image_has_type() -> None:
    snap = Snapshot.from_payload(
        {
            "id": "6372321",
            "name": "web-01",
            "created_at": "2020-07-28T16:47:44Z",
            "regions": ["nyc3"],
            "resource_id": "200776916",
            "resource_type": "droplet",
            "min_disk_size": 25,
            "size_gigabytes": 2.34,
            "tags": None,
        }
    )
    assert (snap.id, snap.resource_id, snap.tags) == ("6372321", "200776916", ())
    image = Image.from_payload(
        {
            "id": 67539192,
            "name": "web-01 2020-07-29",
            "created_at": "2020-07-29T01:44:35Z",
            "regions": ["nyc3"],
            "min_disk_size": 50,
            "size_gigabytes": 2.34,
            "type": "backup",
        },
        droplet_id="3164444",
    )
    assert (image.id, image.type, image.droplet_id) == ("67539192", "backup", "3164444")


def test_reserved_ip_with_and_without_droplet() -> None:
    assigned = ReservedIP.from_payload(
        {
            "ip": "45.55.96.47",
            "droplet": droplet_payload(7),
            "region": {"slug": "nyc3"},
            "locked": False,
        }
    )
    assert (assigned.ip, assigned.droplet_id, assigned.region) == ("45.55.96.47", "7", "nyc3")
    free = ReservedIP.from_payload(
        {"ip": "45.55.96.48", "droplet": None, "region": {"slug": "ams3"}}, source="floating_ips"
    )
    assert (free.droplet_id, free.sources) == (None, ("floating_ips",))


def test_project_resource_urn_split() -> None:
    r = ProjectResource.from_payload(
        {
            "urn": "do:floatingip:45.55.96.47",
            "assigned_at": "2018-09-28T19:26:37Z",
            "links": {"self": "https://api.digitalocean.com/v2/floating_ips/45.55.96.47"},
            "status": "ok",
        },
        project_id="p1",
    )
    assert (r.kind, r.id, r.project_id) == ("floatingip", "45.55.96.47", "p1")
    with pytest.raises(FieldError) as info:
        ProjectResource.from_payload({"urn": "droplet-13457723"})
    assert info.value.field == "urn"


def test_firewall_and_load_balancer_rules() -> None:
    fw = Firewall.from_payload(
        {
            "id": "bb4b2611-3d72-467b-8602-280330ecd65c",
            "name": "acme-web-fw",
            "status": "succeeded",
            "created_at": "2017-05-23T21:24:00Z",
            "inbound_rules": [
                {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0"]}}
            ],
            "outbound_rules": [],
            "droplet_ids": [8043964],
            "tags": [],
        }
    )
    assert fw.droplet_ids == ("8043964",)
    assert fw.inbound_rules[0].addresses == ("0.0.0.0/0",)
    with pytest.raises(FieldError) as info:
        Firewall.from_payload({"id": "x", "name": "fw", "inbound_rules": [{"ports": "22"}]})
    assert info.value.field == "inbound_rules[0].protocol"
    lb = LoadBalancer.from_payload(
        {
            "id": "4de7ac8b-495b-4884-9a69-1050c6793cd6",
            "name": "acme-web-lb",
            "region": {"slug": "nyc3"},
            "algorithm": "round_robin",
            "droplet_ids": [1, 2],
            "forwarding_rules": [
                {
                    "entry_protocol": "http",
                    "entry_port": 80,
                    "target_protocol": "http",
                    "target_port": 80,
                }
            ],
        }
    )
    assert lb.forwarding_rules[0].entry_port == 80
    assert lb.droplet_ids == ("1", "2")


def test_action_terminal_states() -> None:
    a = Action.from_payload(
        {
            "id": 36804636,
            "status": "in-progress",
            "type": "snapshot",
            "started_at": "2020-11-14T16:29:21Z",
            "completed_at": None,
            "resource_id": 3164444,
            "resource_type": "droplet",
            "region_slug": "nyc3",
        }
    )
    assert (a.id, a.resource_id, a.done) == ("36804636", "3164444", False)
    done = Action.from_payload(
        {**a.raw, "status": "completed", "completed_at": "2020-11-14T16:30:00Z"}
    )
    assert done.done and done.succeeded

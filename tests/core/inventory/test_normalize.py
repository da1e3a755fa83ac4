"""Client models → `NormalizedResource`: stable attrs (order and volatile fields ignored), skips."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcadia_cloud_core.digitalocean import Domain, Droplet, Firewall, ReservedIP, Volume
from arcadia_cloud_core.digitalocean.listing import SkippedItem
from arcadia_cloud_core.inventory import normalize
from tests.core.digitalocean.helpers import droplet_payload

RULE_SSH = {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["0.0.0.0/0", "::/0"]}}
RULE_WEB = {"protocol": "tcp", "ports": "443", "sources": {"tags": ["web"]}}


def _droplet(**overrides: Any) -> Droplet:
    return Droplet.from_payload(droplet_payload(7, **overrides))


def _firewall(inbound: list[dict[str, Any]], droplet_ids: list[int]) -> Firewall:
    return Firewall.from_payload(
        {
            "id": "fb6045f1-cf1d-4ca3-bfac-18832663025b",
            "name": "web-fw",
            "status": "succeeded",
            "inbound_rules": inbound,
            "outbound_rules": [],
            "droplet_ids": droplet_ids,
            "tags": [],
        }
    )


def test_a_droplet_keeps_what_drift_dns_and_attribution_need() -> None:
    row = normalize.droplet(_droplet(tags=["web", "a"], volume_ids=["v-2", "v-1"]))
    assert (row.kind, row.provider_id, row.name, row.region, row.status) == (
        "droplet",
        "7",
        "web-7",
        "nyc3",
        "active",
    )
    assert row.attrs["size"] == "s-1vcpu-2gb"
    assert row.attrs["image"] == "ubuntu-24-04-x64"
    assert (row.attrs["public_ipv4"], row.attrs["private_ipv4"]) == ("203.0.113.5", "10.10.0.5")
    assert row.attrs["tags"] == ["a", "web"]
    assert row.attrs["volume_ids"] == ["v-1", "v-2"]
    assert row.attrs["created_at"] == "2026-03-01T10:00:00+00:00"
    assert "locked" not in row.attrs


def test_a_droplet_without_an_image_slug_is_known_by_its_image_id() -> None:
    row = normalize.droplet(_droplet(image={"id": 42, "slug": None, "name": "custom"}))
    assert row.attrs["image"] == row.attrs["image_id"] == "42"


@given(
    tags=st.lists(st.sampled_from(["a", "b", "web", "db"]), unique=True),
    features=st.permutations(["backups", "monitoring", "private_networking"]),
    locked=st.booleans(),
)
def test_droplet_attrs_ignore_order_and_volatile_fields(
    tags: list[str], features: list[str], locked: bool
) -> None:
    shuffled = normalize.droplet(_droplet(tags=tags, features=features, locked=locked))
    plain = normalize.droplet(_droplet(tags=sorted(tags), features=sorted(features)))
    assert shuffled == plain


def test_firewall_rules_compare_equal_in_any_order() -> None:
    one = normalize.firewall(_firewall([RULE_SSH, RULE_WEB], [2, 1]))
    other = normalize.firewall(_firewall([RULE_WEB, RULE_SSH], [1, 2]))
    assert one == other
    assert one.attrs["droplet_ids"] == ["1", "2"]
    assert [rule["ports"] for rule in one.attrs["inbound_rules"]] == ["22", "443"]


@pytest.mark.parametrize(("droplet_ids", "status"), [([], "available"), ([7], "attached")])
def test_volume_status_says_whether_it_is_attached(droplet_ids: list[int], status: str) -> None:
    volume = Volume.from_payload(
        {
            "id": "506f78a4-e098-11e5-ad9f-000f53306ae1",
            "name": "data",
            "region": {"slug": "nyc3"},
            "size_gigabytes": 10,
            "droplet_ids": droplet_ids,
            "created_at": "2026-03-01T10:00:00Z",
        }
    )
    assert normalize.volume(volume).status == status


def test_ids_that_are_names_or_addresses() -> None:
    zone = normalize.dns_zone(Domain.from_payload({"name": "example.com", "ttl": 1800}))
    assert (zone.provider_id, zone.name, zone.status) == ("example.com", "example.com", "active")
    assert zone.attrs == {"ttl": 1800}
    ip = normalize.reserved_ip(
        ReservedIP.from_payload({"ip": "45.55.96.48", "droplet": None, "region": {"slug": "ams3"}})
    )
    assert (ip.provider_id, ip.status, ip.region) == ("45.55.96.48", "unassigned", "ams3")


def test_normalize_all_skips_what_fails_naming_it_and_keeps_the_rest() -> None:
    good, bad = _droplet(), _droplet(id=8)

    def convert(d: Droplet):
        if d.id == "8":
            raise ValueError("size: not a slug")
        return normalize.droplet(d)

    listed_skip = SkippedItem(endpoint="/v2/droplets", id="9", field="region", reason="missing")
    batch = normalize.normalize_all("droplet", [good, bad], convert, listing_skipped=[listed_skip])

    assert [r.provider_id for r in batch.resources] == ["7"]
    assert [(s.provider_id, s.field, s.reason) for s in batch.skipped] == [
        ("9", "region", "missing"),
        ("8", "*", "size: not a slug"),
    ]
    assert batch.skipped_ids == {"8", "9"}

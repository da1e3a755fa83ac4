"""DO's known rewrites, field resolution and field names: the pure-Python rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_core.drift import InvalidSpec, check_field, compare_field, resolve_live_value
from arcadia_cloud_core.drift.checks import check_deleted, check_resource
from arcadia_cloud_core.drift.fields import validate_field
from arcadia_cloud_core.drift.normalisers import dns_record_data, dns_record_name

from .helpers import droplet_attrs

IMAGE = {"id": 155990111, "slug": "ubuntu-24-04-x64", "distribution": "Ubuntu"}
ZONE = "example.com"
RECORDS_LIVE = [
    {"id": 1, "type": "SOA", "name": "@", "data": "1800", "ttl": 1800},
    {"id": 2, "type": "NS", "name": "@", "data": "ns1.digitalocean.com.", "ttl": 1800},
    {"id": 3, "type": "A", "name": "@", "data": "203.0.113.7", "ttl": 1800, "priority": None},
    {"id": 4, "type": "CNAME", "name": "www", "data": "example.com.", "ttl": 1800},
    {"id": 5, "type": "MX", "name": "@", "data": "mail.example.com.", "priority": 10},
]


@pytest.mark.parametrize(
    ("kind", "field", "expected", "actual", "zone", "matches"),
    [
        ("droplet", "image", "ubuntu-24-04-x64", IMAGE, None, True),
        ("droplet", "image", 155990111, IMAGE, None, True),
        ("droplet", "image", "155990111", IMAGE, None, True),
        ("droplet", "image", "debian-12-x64", IMAGE, None, False),
        ("droplet", "image", 1, {"id": 1, "slug": None}, None, True),
        ("droplet", "image", "ubuntu-24-04-x64", {"id": 1, "slug": None}, None, False),
        ("droplet", "size", "s-1vcpu-1gb", {"slug": "s-1vcpu-1gb", "vcpus": 1}, None, True),
        ("droplet", "size", "s-2vcpu-2gb", {"slug": "s-1vcpu-1gb"}, None, False),
        ("volume", "region", "fra1", {"slug": "fra1", "name": "Frankfurt 1"}, None, True),
        ("reserved_ip", "droplet", "42", {"id": 42, "name": "web-1"}, None, True),
        ("dns_zone", "name", "example.com.", "Example.com", None, True),
        ("dns_zone", "name", "example.com", "example.org", None, False),
        # A rule of one kind does not leak into another.
        ("volume", "image", "ubuntu-24-04-x64", IMAGE, None, False),
    ],
)
def test_compare_field_rules(
    kind: str, field: str, expected: Any, actual: Any, zone: str | None, matches: bool
) -> None:
    assert (
        compare_field(kind=kind, field=field, expected=expected, actual=actual, zone=zone).matches
        is matches
    )


def test_the_aligned_live_value_is_in_the_spec_representation() -> None:
    by_slug = compare_field(kind="droplet", field="image", expected="debian-12-x64", actual=IMAGE)
    by_id = compare_field(kind="droplet", field="image", expected=145931466, actual=IMAGE)
    assert (by_slug.matches, by_slug.actual) == (False, "ubuntu-24-04-x64")
    assert (by_id.matches, by_id.actual) == (False, 155990111)


@pytest.mark.parametrize(
    ("spec_records", "matches"),
    [
        # The spec's full names, trailing dots and @ all mean what DO stores.
        (
            [
                {"type": "A", "name": "example.com", "data": "203.0.113.7"},
                {"type": "CNAME", "name": "www.example.com.", "data": "@"},
                {"type": "MX", "name": "@", "data": "mail.example.com", "priority": "10"},
            ],
            True,
        ),
        (
            [
                {"type": "mx", "name": "example.com.", "data": "MAIL.example.com."},
                {"type": "cname", "name": "www", "data": "example.com"},
                {"type": "a", "name": "@", "data": "203.0.113.7"},
            ],
            True,
        ),
        # A changed address, a missing record, an extra record are drift.
        (
            [
                {"type": "A", "name": "@", "data": "203.0.113.8"},
                {"type": "CNAME", "name": "www", "data": "example.com"},
                {"type": "MX", "name": "@", "data": "mail.example.com"},
            ],
            False,
        ),
        ([{"type": "A", "name": "@", "data": "203.0.113.7"}], False),
        # Listing NS records makes DO's own NS records count.
        (
            [
                {"type": "A", "name": "@", "data": "203.0.113.7"},
                {"type": "CNAME", "name": "www", "data": "example.com"},
                {"type": "MX", "name": "@", "data": "mail.example.com"},
                {"type": "NS", "name": "@", "data": "ns9.example.net"},
            ],
            False,
        ),
    ],
)
def test_dns_records_rule(spec_records: list[dict[str, Any]], matches: bool) -> None:
    verdict = compare_field(
        kind="dns_zone", field="records", expected=spec_records, actual=RECORDS_LIVE, zone=ZONE
    )
    assert verdict.matches is matches


@pytest.mark.parametrize(
    ("name", "relative"),
    [
        ("@", "@"),
        ("", "@"),
        ("example.com", "@"),
        ("example.com.", "@"),
        ("EXAMPLE.com.", "@"),
        ("www", "www"),
        ("www.example.com", "www"),
        ("www.example.com.", "www"),
        ("a.b.example.com", "a.b"),
        ("www.example.org", "www.example.org"),
    ],
)
def test_dns_record_names_are_relative_to_the_zone(name: str, relative: str) -> None:
    assert dns_record_name(name, "example.com.") == relative


@pytest.mark.parametrize(
    ("data", "record_type", "normal"),
    [
        ("mail.example.com.", "MX", "mail.example.com"),
        ("Mail.Example.com", "mx", "mail.example.com"),
        ("@", "CNAME", "example.com"),
        ("203.0.113.7", "A", "203.0.113.7"),
        ("v=spf1 include:Example.com.", "TXT", "v=spf1 include:Example.com."),
    ],
)
def test_dns_data_loses_only_the_hostname_rewrites(
    data: str, record_type: str, normal: str
) -> None:
    assert dns_record_data(data, record_type, "example.com") == normal


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True))
def test_dns_names_are_one_thing_however_written(label: str) -> None:
    forms = {label, f"{label}.{ZONE}", f"{label}.{ZONE}.", f"{label.upper()}.{ZONE}"}
    assert {dns_record_name(form, ZONE) for form in forms} == {label}


def test_resolve_live_value_prefers_columns_then_follows_dotted_paths() -> None:
    resource = {
        "kind": "droplet",
        "name": "web-1",
        "region": None,
        "attrs": {"region": {"slug": "ams3"}, "size": {"slug": "s-1"}, "name": "other"},
    }
    assert resolve_live_value(resource, "name") == "web-1"
    assert resolve_live_value(resource, "region") == {"slug": "ams3"}  # column is null
    assert resolve_live_value(resource, "size.slug") == "s-1"
    assert resolve_live_value(resource, "size.slug.deeper") is None
    assert resolve_live_value(resource, "missing.path") is None


def test_check_field_uses_the_rule_aliases() -> None:
    resource = {"kind": "droplet", "name": "web-1", "attrs": droplet_attrs(size="s-2vcpu-2gb")}
    assert check_field(resource, field="size", expected="s-2vcpu-2gb").matches
    assert check_field(resource, field="size_slug", expected="s-2vcpu-2gb").matches
    assert check_field(resource, field="image", expected=155990111).matches
    assert not check_field(resource, field="size", expected="s-1vcpu-1gb").matches
    flat = {"kind": "droplet", "attrs": {"image": "ubuntu-24-04-x64", "image_id": 155990111}}
    assert check_field(flat, field="image", expected="155990111").matches
    assert not check_field(flat, field="image", expected="145931466").matches
    assert not check_field(flat, field="image", expected=None).matches


def test_a_deleted_resource_has_one_status_check() -> None:
    resource = {"kind": "droplet", "deleted_at": "2026-05-01", "attrs": droplet_attrs()}
    verdicts = check_resource(resource, {"size": "other", "image": "other", "status": "active"})
    assert list(verdicts) == ["status"]
    assert (verdicts["status"].expected, verdicts["status"].actual) == ("active", "deleted")
    assert check_deleted({}).expected == "present"
    assert check_deleted({"status": "deleted"}).matches


@pytest.mark.parametrize("field", ["region", "size.slug", "a_b.c1", "_x"])
def test_valid_field_names(field: str) -> None:
    assert validate_field(field) == field


@pytest.mark.parametrize("field", ["", "size.", ".size", "size..slug", "tags.0", "a-b", "a b", 3])
def test_invalid_field_names_are_named_in_the_error(field: Any) -> None:
    with pytest.raises(InvalidSpec, match=re.escape(repr(field))):
        validate_field(field)

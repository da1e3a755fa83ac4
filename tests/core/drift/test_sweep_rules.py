"""Every equality rule through the real sweep, on SQLite and Postgres.

Each case is one resource with a one-field spec; one sweep judges them all, and the test compares
the set of drifted cases (and what the drift rows say) with what the rules promise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from arcadia_cloud_core.drift import detect_all, record_provisioned

from .helpers import T0, add_resource, droplet_attrs, open_pairs

ZONE_RECORDS = [
    {"id": 1, "type": "SOA", "name": "@", "data": "1800", "ttl": 1800},
    {"id": 2, "type": "NS", "name": "@", "data": "ns1.digitalocean.com.", "ttl": 1800},
    {"id": 3, "type": "A", "name": "@", "data": "203.0.113.7", "ttl": 1800},
    {"id": 4, "type": "CNAME", "name": "www", "data": "example.com.", "ttl": 1800},
]


@dataclass(frozen=True)
class Case:
    spec: dict[str, Any]
    drift: bool
    kind: str = "droplet"
    name: str | None = "web-1"
    attrs: dict[str, Any] = field(default_factory=droplet_attrs)
    columns: dict[str, Any] = field(default_factory=dict)
    actual: Any = None  # what the drift row shows, when it drifts


#: A droplet as inventory stores it (`arcadia_cloud_core.inventory.normalize.droplet`).
FLAT = {
    "size": "s-1vcpu-1gb",
    "image": "ubuntu-24-04-x64",
    "image_id": 155990111,
    "tags": ["env:prod", "team:web"],
}


def _attrs(**extra: Any) -> dict[str, Any]:
    return {**droplet_attrs(), **extra}


CASES: dict[str, Case] = {
    # scalars compare as strings
    "int_vs_string": Case({"vcpus": "2"}, False, attrs=_attrs(vcpus=2)),
    "string_vs_int": Case({"vcpus": 2}, False, attrs=_attrs(vcpus="2")),
    "float_vs_int": Case({"disk": 25.0}, False, attrs=_attrs(disk=25)),
    "number_changed": Case({"vcpus": 4}, True, attrs=_attrs(vcpus=2), actual=2),
    "bool_same": Case({"locked": False}, False, attrs=_attrs(locked=False)),
    "bool_changed": Case({"locked": True}, True, attrs=_attrs(locked=False), actual=False),
    # lists compare as sets
    "list_reordered": Case({"tags": ["team:web", "env:prod"]}, False),
    "list_changed": Case({"tags": ["env:prod"]}, True, actual=["env:prod", "team:web"]),
    "list_of_objects_reordered": Case(
        {"volumes": [{"id": "v2"}, {"id": "v1"}]},
        False,
        attrs=_attrs(volumes=[{"id": "v1"}, {"id": "v2"}]),
    ),
    # nested attrs through dotted paths
    "dotted_same": Case({"size.slug": "s-1vcpu-1gb"}, False),
    "dotted_changed": Case({"size.slug": "s-2vcpu-2gb"}, True, actual="s-1vcpu-1gb"),
    "dotted_three_deep": Case({"a.b.c": "1"}, False, attrs=_attrs(a={"b": {"c": 1}})),
    "dotted_through_a_scalar": Case({"size_slug.x": "y"}, True, actual=None),
    # missing == null
    "null_vs_missing": Case({"kernel": None}, False),
    "null_vs_null": Case({"kernel": None}, False, attrs=_attrs(kernel=None)),
    "value_vs_missing": Case({"kernel": "k1"}, True, actual=None),
    "null_vs_value_even_when_an_alias_is_null": Case(
        {"size": None}, True, attrs=_attrs(size_slug=None), actual="s-1vcpu-1gb"
    ),
    "nested_null_key_vs_missing": Case(
        {"backup_policy": {"plan": "weekly", "hour": None}},
        False,
        attrs=_attrs(backup_policy={"plan": "weekly"}),
    ),
    # top-level columns first, attrs when the column is null
    "column_wins_over_attrs": Case({"name": "web-1"}, False, attrs=_attrs(name="other")),
    "column_changed": Case({"status": "active"}, True, columns={"status": "off"}, actual="off"),
    "null_column_falls_back_to_attrs": Case(
        {"region": "ams3"}, False, columns={"region": None}, attrs=droplet_attrs(region="ams3")
    ),
    # DO rewrites: image slug vs id, catalog objects
    "image_by_slug": Case({"image": "ubuntu-24-04-x64"}, False),
    "image_by_id": Case({"image": 155990111}, False),
    "image_by_id_text": Case({"image": "155990111"}, False),
    "image_changed": Case({"image": "debian-12-x64"}, True, actual="ubuntu-24-04-x64"),
    # ... and the same against inventory's flattened droplet attrs (image slug + image_id)
    "flat_image_by_slug": Case({"image": "ubuntu-24-04-x64"}, False, attrs=FLAT),
    "flat_image_by_id": Case({"image": 155990111}, False, attrs=FLAT),
    "flat_image_by_id_text": Case({"image": "155990111"}, False, attrs=FLAT),
    "flat_image_changed": Case({"image": 145931466}, True, attrs=FLAT, actual="ubuntu-24-04-x64"),
    "flat_size": Case({"size": "s-1vcpu-1gb"}, False, attrs=FLAT),
    "size_object": Case({"size": "s-1vcpu-1gb"}, False),
    "size_changed": Case({"size": "s-2vcpu-2gb"}, True, actual="s-1vcpu-1gb"),
    # DO rewrites: DNS trailing dots and @ vs the full name
    "zone_name_trailing_dot": Case(
        {"name": "example.com."},
        False,
        kind="dns_zone",
        name="example.com",
        columns={"region": None, "status": None},
        attrs={"name": "example.com", "ttl": 1800, "records": ZONE_RECORDS},
    ),
    "zone_records_rewritten": Case(
        {
            "records": [
                {"type": "A", "name": "example.com.", "data": "203.0.113.7"},
                {"type": "CNAME", "name": "www.example.com", "data": "@"},
            ]
        },
        False,
        kind="dns_zone",
        name="example.com",
        columns={"region": None, "status": None},
        attrs={"name": "example.com", "ttl": 1800, "records": ZONE_RECORDS},
    ),
    "zone_records_changed": Case(
        {"records": [{"type": "A", "name": "@", "data": "203.0.113.99"}]},
        True,
        kind="dns_zone",
        name="example.com",
        columns={"region": None, "status": None},
        attrs={"name": "example.com", "ttl": 1800, "records": ZONE_RECORDS},
        actual=[
            {"type": "A", "name": "@", "data": "203.0.113.7"},
            {"type": "CNAME", "name": "www", "data": "example.com"},
        ],
    ),
}


def test_each_equality_rule_through_the_sweep(engine: Engine) -> None:
    ids: dict[int, str] = {}
    for case_name, case in CASES.items():
        resource_id = add_resource(
            engine, kind=case.kind, name=case.name, attrs=case.attrs, **case.columns
        )
        record_provisioned(engine, resource_id=resource_id, spec=case.spec, saga_id="saga-1")
        ids[resource_id] = case_name

    result = detect_all(engine, now=T0)

    drifted = {ids[resource_id]: row for (resource_id, _), row in open_pairs(engine).items()}
    assert sorted(drifted) == sorted(name for name, case in CASES.items() if case.drift)
    for case_name, row in drifted.items():
        case = CASES[case_name]
        assert row["field"] == next(iter(case.spec)), case_name
        assert row["expected"] == next(iter(case.spec.values())), case_name
        assert row["actual"] == case.actual, case_name
    assert result.new == result.open == len(drifted)
    inbox = {(d.resource_id, d.field): d for d in result.open_drifts}
    assert {ids[resource_id] for resource_id, _ in inbox} == set(drifted)
    assert all(d.since == T0 and d.resource_name for d in inbox.values())

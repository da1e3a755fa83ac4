"""URN parsing and the kind vocabularies derived from the schema's kinds."""

from __future__ import annotations

import pytest

from arcadia_cloud_core.db.schema import RESOURCE_KINDS
from arcadia_cloud_core.digitalocean import FieldError
from arcadia_cloud_core.errors import ArcadiaError
from arcadia_cloud_core.inventory.kinds import KIND_SPECS, PLACEHOLDER_KINDS
from arcadia_cloud_core.inventory.urns import DEDICATED_KINDS, IMAGE_KINDS, URN_KINDS, parse_urn


def test_dedicated_and_placeholder_kinds_split_the_schema_kinds() -> None:
    assert DEDICATED_KINDS.isdisjoint(PLACEHOLDER_KINDS)
    assert DEDICATED_KINDS | set(PLACEHOLDER_KINDS) == set(RESOURCE_KINDS)


def test_dedicated_kinds_are_the_kinds_with_a_sync_asset() -> None:
    listed = {spec.kind for spec in KIND_SPECS.values()} | {"droplet_backup"}
    assert listed == DEDICATED_KINDS


def test_urn_kinds_and_image_kinds_are_schema_kinds() -> None:
    assert set(URN_KINDS.values()) <= set(RESOURCE_KINDS)
    assert set(IMAGE_KINDS) <= DEDICATED_KINDS


@pytest.mark.parametrize(
    ("urn", "kind", "dedicated"),
    [
        ("do:droplet:123", "droplet", True),
        ("do:floatingip:1.2.3.4", "reserved_ip", True),
        ("do:ReservedIP:1.2.3.4", "reserved_ip", True),
        ("do:space:bucket-a", "spaces_bucket", False),
        ("do:kubernetes:bd5f5959-5e1e-4205-a714-a914373942af", "k8s_cluster", True),
        ("do:dbaas:9cc10173-e9ea-4176-9dbc-a4cee4c4ff30", "managed_db", True),
        ("do:vpc:5a4981aa-9653-4bd1-bef5-d6bff52042e4", "vpc", True),
        ("do:app:not-checked", None, False),  # a kind we do not track: its id as it comes
    ],
)
def test_parse_urn_maps_do_kinds_to_ours(urn: str, kind: str | None, dedicated: bool) -> None:
    parsed = parse_urn(urn)
    assert parsed.kind == kind
    assert parsed.has_dedicated_asset is dedicated
    assert parsed.provider_id == urn.split(":", 2)[2]


def test_id_may_contain_colons() -> None:
    assert parse_urn("do:app:a:b").provider_id == "a:b"


@pytest.mark.parametrize("urn", ["", "droplet:1", "do::1", "do:droplet:", "aws:droplet:1"])
def test_malformed_urns_raise_naming_the_urn(urn: str) -> None:
    with pytest.raises(FieldError, match="malformed DO URN") as raised:
        parse_urn(urn)
    assert raised.value.field == "urn"


@pytest.mark.parametrize(
    ("urn", "shape"),
    [
        ("do:volume:not-a-uuid", "a UUID"),
        ("do:dbaas:12345", "a UUID"),
        ("do:kubernetes:bd5f5959-5e1e-4205-a714", "a UUID"),
        ("do:droplet:web-1", "a positive integer id"),
        ("do:floatingip:1.2.3.999", "an IPv4 address"),
        ("do:domain:not a domain", "a domain name"),
        ("do:space:B", "a bucket name"),
    ],
)
def test_an_id_not_of_the_shape_do_promises_is_a_typed_error(urn: str, shape: str) -> None:
    with pytest.raises(FieldError) as raised:
        parse_urn(urn)
    error = raised.value
    assert isinstance(error, ArcadiaError)
    assert (error.field, error.kind, error.resource_id) == ("urn", urn.split(":")[1], urn)
    assert f"is not {shape}" in str(error) and urn in str(error)

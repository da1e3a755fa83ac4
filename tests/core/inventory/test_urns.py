"""URN parsing and the kind vocabularies derived from the schema's kinds."""

from __future__ import annotations

import pytest

from arcadia_cloud_core.db.schema import RESOURCE_KINDS
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
        ("do:kubernetes:abc", "k8s_cluster", True),
        ("do:dbaas:abc", "managed_db", True),
        ("do:vpc:abc", "vpc", True),
        ("do:hologram:abc", None, False),
    ],
)
def test_parse_urn_maps_do_kinds_to_ours(urn: str, kind: str | None, dedicated: bool) -> None:
    parsed = parse_urn(urn)
    assert parsed.kind == kind
    assert parsed.has_dedicated_asset is dedicated
    assert parsed.provider_id == urn.split(":", 2)[2]


def test_id_may_contain_colons() -> None:
    assert parse_urn("do:domain:a:b").provider_id == "a:b"


@pytest.mark.parametrize("urn", ["", "droplet:1", "do::1", "do:droplet:", "aws:droplet:1"])
def test_malformed_urns_raise_naming_the_urn(urn: str) -> None:
    with pytest.raises(ValueError, match="malformed DO URN"):
        parse_urn(urn)

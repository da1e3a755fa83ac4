"""The account-level normalisers on DO-shaped payloads (the spec's field names): what lands in
`attrs`, what stays out (secrets, moving figures), and the parse errors that name the field."""

from __future__ import annotations

import pytest

from arcadia_cloud_core.digitalocean.fields import FieldError
from arcadia_cloud_core.digitalocean.models import account_kinds as m
from arcadia_cloud_core.inventory import normalize_account as na
from arcadia_cloud_core.inventory.normalize import normalize_all

UUID = "892071a0-bb95-49bc-8021-3afd67a210bf"


def test_a_cdn_endpoint_knows_its_bucket_and_region() -> None:
    endpoint = m.CdnEndpoint.from_payload(
        {
            "id": UUID,
            "origin": "static-images.nyc3.digitaloceanspaces.com",
            "endpoint": "static-images.nyc3.cdn.digitaloceanspaces.com",
            "ttl": 3600,
            "created_at": "2018-07-19T15:04:16Z",
        }
    )
    row = na.cdn_endpoint(endpoint)
    assert (row.name, row.region, row.attrs["bucket"]) == (
        "static-images.nyc3.cdn.digitaloceanspaces.com",
        "nyc3",
        "static-images",
    )
    custom = m.CdnEndpoint.from_payload(
        {"id": UUID, "origin": "example.com", "custom_domain": "cdn.example.com"}
    )
    assert (custom.bucket, custom.region, na.cdn_endpoint(custom).name) == (
        None,
        None,
        "cdn.example.com",
    )


def test_tag_counts_read_dos_imgages_spelling() -> None:
    tag = m.Tag.from_payload(
        {
            "name": "extra-awesome",
            "resources": {
                "count": 5,
                "droplets": {"count": 1},
                "imgages": {"count": 1},
                "volumes": {"count": 1},
                "volume_snapshots": {"count": 1},
                "databases": {"count": 1},
            },
        }
    )
    row = na.tag(tag)
    assert row.provider_id == "extra-awesome" and row.attrs["resource_count"] == 5
    assert row.attrs["counts"] == dict.fromkeys(
        ("databases", "droplets", "images", "volume_snapshots", "volumes"), 1
    )
    with pytest.raises(FieldError, match=r"resources\.volumes\.count"):
        m.Tag.from_payload({"name": "x", "resources": {"volumes": {"count": "many"}}})


def test_a_functions_namespace_never_keeps_its_key() -> None:
    namespace = m.FunctionsNamespace.from_payload(
        {
            "namespace": "fn-xxxx",
            "label": "my namespace",
            "region": "nyc1",
            "api_host": "https://faas.example",
            "uuid": UUID,
            "key": "d1zcd455h01mqjfs4s2eaewyejehi5f2uj4etqq3h7cera8iwkub6xg5of1wdde2",
        }
    )
    row = na.functions_namespace(namespace)
    assert "key" not in namespace.raw and "key" not in row.attrs
    assert "d1zcd455" not in repr(namespace) + repr(row)
    assert (row.provider_id, row.name, row.region) == ("fn-xxxx", "my namespace", "nyc1")


def test_an_ssh_key_keeps_its_fingerprint_and_type_not_the_key() -> None:
    key = m.SSHKey.from_payload(
        {
            "id": 512189,
            "name": "My SSH Public Key",
            "fingerprint": "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa",
            "public_key": "ssh-rsa AEXAMPLEaC1yc2EAAAADAQABAAAAQQDDHr example",
        }
    )
    row = na.ssh_key(key)
    assert row.provider_id == "512189"
    assert row.attrs == {
        "fingerprint": "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa",
        "key_type": "ssh-rsa",
    }


@pytest.mark.parametrize(
    ("regions", "status"),
    [
        ({"us_east": "UP", "eu_west": "UP"}, "UP"),
        ({"us_east": "UP", "eu_west": "DOWN"}, "DOWN"),
        ({"us_east": "UP", "eu_west": "CHECKING"}, "CHECKING"),
    ],
)
def test_an_uptime_check_is_down_when_any_region_sees_it_down(
    regions: dict[str, str], status: str
) -> None:
    check = m.UptimeCheck.from_payload(
        {
            "id": UUID,
            "name": "Landing page",
            "type": "https",
            "target": "https://www.landingpage.com",
            "regions": list(regions),
            "enabled": True,
        }
    )
    state = m.UptimeState.from_payload(
        {
            "regions": {
                r: {"status": s, "thirty_day_uptime_percentage": 99.9} for r, s in regions.items()
            }
        }
    )
    row = na.uptime_check(check.with_state(state))
    assert row.status == status and row.attrs["region_status"] == dict(sorted(regions.items()))
    assert "uptime_30d" not in row.attrs  # it moves every minute: not tracked


def test_only_custom_images_normalise_and_a_snapshot_image_is_skipped_by_id() -> None:
    payload = {
        "id": 7555620,
        "name": "Nifty New Snapshot",
        "type": "snapshot",
        "regions": ["nyc2"],
        "created_at": "2014-11-04T22:23:02Z",
    }
    custom = m.CustomImage.from_payload(
        {**payload, "id": 7555621, "type": "custom", "status": "available", "tags": ["base"]}
    )
    batch = normalize_all(
        "custom_image", [m.CustomImage.from_payload(payload), custom], na.custom_image
    )
    assert [r.provider_id for r in batch.resources] == ["7555621"]
    assert batch.skipped_ids == {"7555620"}
    assert batch.resources[0].attrs["tags"] == ["base"]


def test_an_autoscale_pool_reads_its_template_and_bounds() -> None:
    pool = m.AutoscalePool.from_payload(
        {
            "id": UUID,
            "name": "test-autoscalergroup",
            "status": "active",
            "active_resources_count": 1,
            "created_at": "2020-11-19T20:27:18Z",
            "config": {
                "min_instances": 1,
                "max_instances": 5,
                "target_cpu_utilization": 0.5,
                "cooldown_minutes": 10,
            },
            "droplet_template": {
                "size": "c-2",
                "region": "tor1",
                "image": "ubuntu-20-04-x64",
                "tags": ["my-tag"],
                "project_id": UUID,
                "ssh_keys": ["3b:16"],
            },
            "current_utilization": {"cpu": 0.42, "memory": 0.1},
        }
    )
    row = na.autoscale_pool(pool)
    assert (row.region, row.status, row.attrs["project_id"]) == ("tor1", "active", UUID)
    assert (row.attrs["min_instances"], row.attrs["max_instances"]) == (1, 5)
    assert "current_utilization" not in row.attrs
    with pytest.raises(FieldError, match="active_resources_count"):
        m.AutoscalePool.from_payload({"id": UUID, "name": "p"})


def test_a_registry_keeps_its_storage_and_tier_in_cents() -> None:
    registry = m.ContainerRegistry.from_payload(
        {
            "name": "example",
            "region": "fra1",
            "storage_usage_bytes": 29393920,
            "storage_usage_bytes_updated_at": "2020-11-04T21:39:49.530562231Z",
            "subscription": {
                "tier": {
                    "slug": "basic",
                    "monthly_price_in_cents": 500,
                    "included_storage_bytes": 5368709120,
                }
            },
        }
    )
    row = na.container_registry(registry)
    assert row.attrs["storage_usage_bytes"] == 29393920
    assert (row.attrs["tier"], row.attrs["monthly_price_cents"]) == ("basic", 500)
    assert "storage_usage_updated_at" not in row.attrs
    repo = m.ContainerRepository.from_payload(
        {
            "registry_name": "example",
            "name": "repo-1",
            "tag_count": 1,
            "manifest_count": 1,
            "latest_manifest": {
                "digest": "sha256:cb8a",
                "size_bytes": 2803255,
                "compressed_size_bytes": 1972332,
                "tags": ["latest"],
            },
        }
    )
    assert na.container_repository(repo).provider_id == "example/repo-1"
    with pytest.raises(FieldError, match=r"latest_manifest\.size_bytes"):
        m.ContainerRepository.from_payload(
            {"registry_name": "r", "name": "n", "latest_manifest": {"size_bytes": "big"}}
        )


def test_certificates_alerts_and_reserved_ipv6_keep_what_attribution_reads() -> None:
    cert = na.certificate(
        m.Certificate.from_payload(
            {
                "id": UUID,
                "name": "web-cert-01",
                "not_after": "2017-02-22T00:23:00Z",
                "dns_names": ["www.example.com", "example.com"],
                "state": "verified",
                "type": "custom",
            }
        )
    )
    assert cert.status == "verified" and cert.attrs["dns_names"] == [
        "example.com",
        "www.example.com",
    ]
    alert = na.alert_policy(
        m.AlertPolicy.from_payload(
            {
                "uuid": UUID,
                "type": "v1/insights/droplet/cpu",
                "description": "CPU Alert",
                "compare": "GreaterThan",
                "value": 80,
                "window": "5m",
                "entities": [192018292],
                "tags": ["droplet_tag"],
                "enabled": False,
                "alerts": {
                    "email": ["bob@example.com"],
                    "slack": [{"channel": "#ops", "url": "u"}],
                },
            }
        )
    )
    assert (alert.status, alert.attrs["entities"], alert.attrs["slack_channels"]) == (
        "disabled",
        ["192018292"],
        ["#ops"],
    )
    ip = na.reserved_ipv6(
        m.ReservedIPv6.from_payload(
            {
                "ip": "2409:40d0:f7:1017:74b4:3a96:105e:4c6e",
                "region_slug": "nyc3",
                "droplet": {"id": 3164444, "name": "web"},
            }
        )
    )
    assert (ip.status, ip.attrs["droplet_id"]) == ("assigned", "3164444")
    with pytest.raises(FieldError, match="droplet"):
        m.ReservedIPv6.from_payload({"ip": "2409::1", "droplet": "web"})

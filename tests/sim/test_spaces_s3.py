"""The simulator's S3 API for Spaces, driven by an unmodified boto3 client (nothing of ours)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from arcadia_cloud_sim.billing.scenarios import DEFAULT_SPACES_BUCKETS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from arcadia_cloud_sim.settings import SimSettings

KEYS = SimSettings()


def s3(
    sim: SimulatorHandle,
    region: str,
    *,
    key: str = KEYS.spaces_key,
    secret: str = KEYS.spaces_secret,
) -> Any:  # boto3's client types are generated
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=f"{sim.base_url}/s3/{region}",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def test_list_buckets_answers_each_regions_buckets_as_s3_does(sim: SimulatorHandle) -> None:
    expected: dict[str, set[str]] = {}
    for bucket, region, _, _ in DEFAULT_SPACES_BUCKETS:
        expected.setdefault(region, set()).add(bucket)
    for region in ("nyc3", "ams3", "sfo3"):
        answer = s3(sim, region).list_buckets()
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        names = [b["Name"] for b in answer["Buckets"]]
        assert names == sorted(expected.get(region, set()))
        assert all(
            isinstance(b["CreationDate"], datetime) and b["CreationDate"].tzinfo
            for b in answer["Buckets"]
        )
        assert answer["Owner"]["ID"]  # the account's uuid, as Spaces names the owner
    assert sum(len(v) for v in expected.values()) == 6


@pytest.mark.parametrize(
    ("key", "secret", "code"),
    [
        ("DO00NOTAKEY", KEYS.spaces_secret, "InvalidAccessKeyId"),
        (KEYS.spaces_key, "not-the-secret", "SignatureDoesNotMatch"),
    ],
)
def test_a_wrong_key_or_secret_is_refused_with_s3s_403(
    sim: SimulatorHandle, key: str, secret: str, code: str
) -> None:
    with pytest.raises(ClientError) as caught:
        s3(sim, "nyc3", key=key, secret=secret).list_buckets()
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unsigned_request_or_unknown_region_gets_an_xml_error(sim: SimulatorHandle) -> None:
    unsigned = httpx.get(f"{sim.base_url}/s3/nyc3/")
    assert unsigned.status_code == 403
    assert unsigned.headers["content-type"].startswith("application/xml")
    assert "<Code>AccessDenied</Code>" in unsigned.text
    with pytest.raises(ClientError) as caught:
        s3(sim, "mars1").list_buckets()
    assert caught.value.response["Error"]["Code"] == "NoSuchRegion"


def test_the_spaces_secret_is_not_in_the_admin_config(admin: SimAdmin) -> None:
    config = admin.config()
    assert config["spaces_key"] == KEYS.spaces_key
    assert "spaces_secret" not in config and KEYS.spaces_secret not in str(config)

"""Spaces buckets through DO's S3-compatible API (boto3), one ``ListBuckets`` per region.

DO's API (``/v2``) has no bucket listing: a bucket is known there only as a ``do:space:<name>``
project URN. The S3 API lists them, per regional endpoint
(``https://<region>.digitaloceanspaces.com``), signed (SigV4) with a Spaces access key, which is
not the API token. The key pair is passed in by the caller (``SpacesResource``: from the
environment only) and never kept in an error, a log line or a model.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from arcadia_cloud_core.errors import ArcadiaError

log = logging.getLogger(__name__)

#: DO's Spaces regions (those with a ``<region>.digitaloceanspaces.com`` endpoint).
DEFAULT_SPACES_REGIONS = ("nyc3", "ams3", "sfo3", "sgp1", "fra1", "syd1")
#: The endpoint of a region; ``{region}`` is replaced (the simulator: ``<url>/s3/{region}``).
DEFAULT_SPACES_ENDPOINT = "https://{region}.digitaloceanspaces.com"
#: S3 error codes that mean the key pair is wrong: no retry helps.
AUTH_CODES = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"})


class SpacesError(ArcadiaError):
    """A Spaces ``ListBuckets`` failed; names the region, endpoint, status and S3 error code."""

    def __init__(
        self, *, region: str, endpoint: str, status: int | None, code: str, message: str
    ) -> None:
        self.region, self.endpoint, self.status, self.code = region, endpoint, status, code
        self.message = message[:300]
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return (
            f"Spaces ListBuckets in {self.region} (GET {self.endpoint}/){status} "
            f"{self.code}: {self.message}"
        )


class SpacesAuthError(SpacesError):
    """Spaces refused the key pair (unknown key id, wrong secret, no permission)."""


@dataclass(frozen=True)
class SpacesBucket:
    """One bucket as ``ListBuckets`` answers it, with the region it was listed in."""

    name: str
    region: str
    created_at: datetime
    endpoint: str

    @property
    def urn(self) -> str:
        """DO's project-resource URN of the bucket."""
        return f"do:space:{self.name}"


def region_endpoint(template: str, region: str) -> str:
    """The S3 endpoint of ``region`` from ``template`` (``{region}`` replaced)."""
    return template.rstrip("/").replace("{region}", region)


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session() -> boto3.session.Session:
    """The process's boto3 session (loading S3's service model costs ~0.1 s: once, not per
    region). It holds no credentials: each client gets the key pair it is made with."""
    return boto3.session.Session()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def list_region(
    *,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    endpoint_template: str = DEFAULT_SPACES_ENDPOINT,
    timeout_seconds: float = 30.0,
    max_attempts: int = 4,
) -> list[SpacesBucket]:
    """The buckets of one region (one signed ``GET /``; botocore retries 5xx/throttling)."""
    endpoint = region_endpoint(endpoint_template, region)
    config = Config(
        s3={"addressing_style": "path"},
        connect_timeout=timeout_seconds,
        read_timeout=timeout_seconds,
        retries={"max_attempts": max_attempts, "mode": "standard"},
    )
    with _SESSION_LOCK:  # a session is not thread-safe; its clients are
        client = _session().client(
            "s3",
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )
    try:
        answer = client.list_buckets()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        kind = SpacesAuthError if code in AUTH_CODES else SpacesError
        raise kind(
            region=region,
            endpoint=endpoint,
            status=status,
            code=code,
            message=str(error.get("Message", "")),
        ) from None
    except BotoCoreError as exc:
        raise SpacesError(
            region=region, endpoint=endpoint, status=None, code=type(exc).__name__, message=str(exc)
        ) from None
    finally:
        client.close()
    return [
        SpacesBucket(
            name=b["Name"], region=region, created_at=_aware(b["CreationDate"]), endpoint=endpoint
        )
        for b in answer.get("Buckets", [])
    ]


def list_buckets(
    *,
    access_key_id: str,
    secret_access_key: str,
    regions: Iterable[str],
    endpoint_template: str = DEFAULT_SPACES_ENDPOINT,
    timeout_seconds: float = 30.0,
) -> tuple[list[SpacesBucket], int]:
    """Every bucket of ``regions`` (a name listed in two regions is kept once, from the first);
    returns the buckets and the requests made (one per region). Any region failing raises."""
    found: dict[str, SpacesBucket] = {}
    requests = 0
    for region in regions:
        requests += 1
        for bucket in list_region(
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            region=region,
            endpoint_template=endpoint_template,
            timeout_seconds=timeout_seconds,
        ):
            found.setdefault(bucket.name, bucket)
    log.info("Spaces: %d buckets in %d regions", len(found), requests)
    return sorted(found.values(), key=lambda b: b.name), requests

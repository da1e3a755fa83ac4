"""Spaces buckets through the S3 API: ``ListBuckets`` per region (``GET /s3/<region>/``).

An unmodified S3 client reaches a region with ``endpoint_url=http://<sim>/s3/<region>`` (path-style
addressing; boto3 keeps the endpoint's path). The request must carry an AWS SigV4
``Authorization`` header whose access key id is the simulator's Spaces key
(``ARCADIA_SIM_SPACES_KEY``) and whose signature was made with its secret
(``ARCADIA_SIM_SPACES_SECRET``), else S3's XML errors: 403 ``AccessDenied`` (no header),
``InvalidAccessKeyId`` (unknown key) or ``SignatureDoesNotMatch`` (wrong secret). The answer is
S3's ``ListAllMyBucketsResult`` with the buckets of that region.

Buckets are stored as kind ``spaces_bucket`` (id: the bucket name; body: name, region,
creation date); their project membership is the ``do:space:<name>`` URN, as at DO.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.account.account import ACCOUNT_KEY
from arcadia_cloud_sim.api.kinds import SPACES_BUCKET
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.store import NewResource, iso

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
SPACES_REGIONS = ("nyc3", "ams3", "sfo2", "sfo3", "sgp1", "fra1", "syd1", "blr1", "tor1", "lon1",
                  "atl1")
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<scope>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)"
)


def new_bucket_body(*, name: str, region: str, created_at: float) -> dict[str, Any]:
    """The stored body of a bucket."""
    return {"name": name, "region": region, "creation_date": iso(created_at)}


def seed_buckets(buckets: Sequence[tuple[str, str]], *, at: float) -> list[NewResource]:
    """Rows for ``(name, region)`` buckets created at ``at``."""
    return [NewResource(SPACES_BUCKET, name, new_bucket_body(name=name, region=region,
                                                              created_at=at), at, name=name)
            for name, region in buckets]


def s3_error(status: int, code: str, message: str, resource: str) -> Response:
    """S3's XML error document."""
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message><Resource>{escape(resource)}</Resource>"
            "<RequestId>sim</RequestId></Error>")
    return Response(body, status_code=status, media_type="application/xml")


def _signature(request: Request, *, secret: str, scope: str, signed: str) -> str:
    """The SigV4 signature of ``request`` (S3 flavour: the path is not re-encoded)."""
    names = signed.split(";")
    headers = "".join(f"{n}:{' '.join(request.headers.get(n, '').split())}\n" for n in names)
    query = "&".join(sorted(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                            for k, v in request.query_params.multi_items()))
    payload = request.headers.get("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
    canonical = "\n".join([request.method, quote(request.url.path, safe="/-_.~"), query, headers,
                           signed, payload])
    date, region, service, terminal = scope.split("/")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", request.headers.get("x-amz-date", ""), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _refused(request: Request) -> Response | None:
    """S3's answer to a request without a valid Spaces key and signature, else None."""
    settings = sim_context(request).settings
    match = _AUTH.match(request.headers.get("authorization", ""))
    if match is None:
        return s3_error(403, "AccessDenied", "Access Denied", request.url.path)
    if match["key"] != settings.spaces_key:
        return s3_error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not "
                        "exist in our records.", request.url.path)
    expected = _signature(request, secret=settings.spaces_secret, scope=match["scope"],
                          signed=match["signed"])
    if not hmac.compare_digest(expected, match["signature"]):
        return s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does "
                        "not match the signature you provided.", request.url.path)
    return None


async def list_buckets(request: Request) -> Response:
    """GET /s3/{region}[/] → ``ListAllMyBucketsResult`` of the region's buckets."""
    region = request.path_params["region"]
    if region not in SPACES_REGIONS:
        return s3_error(404, "NoSuchRegion", f"Spaces is not available in {region}",
                        request.url.path)
    refused = _refused(request)
    if refused is not None:
        return refused
    ctx = sim_context(request)
    with ctx.store.transaction(write=False):
        rows, _ = ctx.store.list_rows(SPACES_BUCKET, json_eq={"region": region})
        raw = ctx.store.meta_get(ACCOUNT_KEY)
    owner = escape(str(json.loads(raw).get("uuid", "")) if raw else "")
    buckets = "".join(f"<Bucket><Name>{escape(r.body['name'])}</Name>"
                      f"<CreationDate>{r.body['creation_date']}</CreationDate></Bucket>"
                      for r in sorted(rows, key=lambda r: r.body["name"]))
    body = (f'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="{S3_NS}">'
            f"<Owner><ID>{owner}</ID><DisplayName>{owner}</DisplayName></Owner>"
            f"<Buckets>{buckets}</Buckets></ListAllMyBucketsResult>")
    return Response(body, media_type="application/xml")


def routes() -> list[BaseRoute]:
    """The S3 listing, one path prefix per region (boto3 sends the endpoint's path as is, with
    no trailing slash)."""
    paths = ("/s3/{region}", "/s3/{region}/")
    return [Route(path, list_buckets, methods=["GET"]) for path in paths]

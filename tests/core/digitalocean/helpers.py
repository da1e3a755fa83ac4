"""Helpers for DO client tests: fake DO payloads and a scripted ``httpx.MockTransport``."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from arcadia_cloud_core.digitalocean import DOClient

_COUNTER = itertools.count(1)


def fresh_token(label: str = "t") -> str:
    """A unique token per client, so each test gets its own process-wide rate budget."""
    return f"dop_v1_{label}_{next(_COUNTER):04d}_5ecret5ecret5ecret"


def droplet_payload(droplet_id: int, **overrides: Any) -> dict[str, Any]:
    """A DO-shaped droplet object."""
    body: dict[str, Any] = {
        "id": droplet_id,
        "name": f"web-{droplet_id}",
        "memory": 2048,
        "vcpus": 1,
        "disk": 50,
        "locked": False,
        "status": "active",
        "kernel": None,
        "created_at": "2026-03-01T10:00:00Z",
        "features": ["private_networking"],
        "backup_ids": [],
        "next_backup_window": None,
        "snapshot_ids": [111],
        "image": {"id": 63663980, "slug": "ubuntu-24-04-x64", "name": "24.04 (LTS) x64"},
        "volume_ids": [],
        "size": {"slug": "s-1vcpu-2gb"},
        "size_slug": "s-1vcpu-2gb",
        "networks": {
            "v4": [
                {
                    "ip_address": "10.10.0.5",
                    "netmask": "255.255.0.0",
                    "gateway": "nil",
                    "type": "private",
                },
                {
                    "ip_address": "203.0.113.5",
                    "netmask": "255.255.255.0",
                    "gateway": "203.0.113.1",
                    "type": "public",
                },
            ],
            "v6": [],
        },
        "region": {
            "name": "New York 3",
            "slug": "nyc3",
            "features": [],
            "available": True,
            "sizes": [],
        },
        "tags": ["web"],
        "vpc_uuid": "760e09ef-dc84-11e8-981e-3cfdfeaae000",
    }
    body.update(overrides)
    return body


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None):
    """An ``httpx.Response`` with a JSON body."""
    return httpx.Response(status, json=body, headers=headers)


class PagedDroplets:
    """A fake ``GET /v2/droplets`` over ``count`` droplets with DO's page/link behaviour."""

    def __init__(
        self,
        count: int,
        *,
        host: str = "https://api.digitalocean.com",
        drop_params_from_links: bool = False,
        total_override: int | None = None,
        include_total: bool = True,
    ) -> None:
        self.count = count
        self.host = host
        self.drop_params = drop_params_from_links
        self.total_override = total_override
        self.include_total = include_total
        self.seen: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.seen.append(request)
        params = request.url.params
        page = int(params.get("page", "1"))
        per_page = min(int(params.get("per_page", "20")), 200)
        start = (page - 1) * per_page
        ids = range(start + 1, min(start + per_page, self.count) + 1)
        last = max(1, -(-self.count // per_page))
        pages: dict[str, str] = {}
        if page < last:
            kept = (
                []
                if self.drop_params
                else [(k, v) for k, v in params.multi_items() if k not in ("page",)]
            )
            query = "&".join(f"{k}={v}" for k, v in [*kept, ("page", str(page + 1))])
            pages["next"] = f"{self.host}{request.url.path}?{query}"
            pages["last"] = f"{self.host}{request.url.path}?page={last}"
        body: dict[str, Any] = {
            "droplets": [droplet_payload(i) for i in ids],
            "links": {"pages": pages},
        }
        if self.include_total:
            body["meta"] = {"total": self.total_override or self.count}
        return json_response(body)


class Script:
    """A MockTransport handler answering from a list of responders, then repeating the last."""

    def __init__(self, responders: Iterable[Callable[[httpx.Request], httpx.Response]]):
        self.responders = list(responders)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        index = min(len(self.requests), len(self.responders) - 1)
        self.requests.append(request)
        return self.responders[index](request)


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[DOClient, str]:
    """A ``DOClient`` on a MockTransport with a fresh token; returns ``(client, token)``."""
    token = kwargs.pop("token", None) or fresh_token()
    kwargs.setdefault("base_url", "http://127.0.0.1:9")
    client = DOClient(token=token, transport=httpx.MockTransport(handler), **kwargs)
    return client, token


def body_of(request: httpx.Request) -> Any:
    """The JSON body a request carried."""
    return json.loads(request.content) if request.content else None


def api_status_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Status → count over the simulator's ``/v2/`` requests only (admin calls left out)."""
    counts: dict[str, int] = {}
    for key, by_status in stats["by_path"].items():
        if key.split(" ", 1)[1].startswith("/v2/"):
            for code, n in by_status.items():
                counts[code] = counts.get(code, 0) + n
    return counts

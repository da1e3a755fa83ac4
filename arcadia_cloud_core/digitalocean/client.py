"""``DOClient``: one authenticated, paced, retrying client per purpose (sync, billing, …)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from arcadia_cloud_core.digitalocean.api.account import AccountAPI
from arcadia_cloud_core.digitalocean.api.account_kinds import AccountKindsAPI
from arcadia_cloud_core.digitalocean.api.billing import BillingAPI
from arcadia_cloud_core.digitalocean.api.domains import DomainsAPI
from arcadia_cloud_core.digitalocean.api.droplets import DropletsAPI
from arcadia_cloud_core.digitalocean.api.networking import NetworkingAPI
from arcadia_cloud_core.digitalocean.api.platform import PlatformAPI
from arcadia_cloud_core.digitalocean.api.projects import ProjectsAPI
from arcadia_cloud_core.digitalocean.api.reserved_ips import ReservedIPsAPI
from arcadia_cloud_core.digitalocean.api.snapshots import SnapshotsAPI
from arcadia_cloud_core.digitalocean.api.volumes import VolumesAPI
from arcadia_cloud_core.digitalocean.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_BURST_WINDOW_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RETRY_SECONDS,
    DEFAULT_PAGE_CONCURRENCY,
    DEFAULT_REQUESTS_PER_HOUR,
    DEFAULT_REQUESTS_PER_MINUTE,
    DEFAULT_TIMEOUT_SECONDS,
)
from arcadia_cloud_core.digitalocean.pacing import (
    DO_ENDPOINT_LIMITS,
    EndpointLimit,
    RateBudget,
    endpoint_budgets,
    shared_budget,
)
from arcadia_cloud_core.digitalocean.transport import Transport

_PURPOSE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_API_PATH = re.compile(r"/v2/[A-Za-z0-9_./-]*")


class DOClient(
    AccountAPI,
    DropletsAPI,
    SnapshotsAPI,
    VolumesAPI,
    ReservedIPsAPI,
    NetworkingAPI,
    DomainsAPI,
    ProjectsAPI,
    BillingAPI,
    AccountKindsAPI,  # certificates … autoscale pools (#13)
    PlatformAPI,
):
    """A DigitalOcean API v2 client.

    One ``httpx.Client`` per instance (bearer auth, timeouts, logging hooks). Requests are
    paced by the token's process-wide :class:`RateBudget`, retried per
    :mod:`~arcadia_cloud_core.digitalocean.retry_policy`, and failures raise typed
    :class:`~arcadia_cloud_core.digitalocean.errors.DOError` subclasses. Use one client per
    ``purpose`` (``sync``, ``billing``, ``provisioning``), each with its own token and budget.
    """

    def __init__(
        self,
        *,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        purpose: str = "sync",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS,
        page_concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
        requests_per_hour: int = DEFAULT_REQUESTS_PER_HOUR,
        burst_window_seconds: float = DEFAULT_BURST_WINDOW_SECONDS,
        transport: httpx.BaseTransport | None = None,
        endpoint_limits: Sequence[EndpointLimit] = DO_ENDPOINT_LIMITS,
        endpoint_window_scale: float = 1.0,
    ) -> None:
        if not isinstance(token, str) or not token.strip():
            raise ValueError("token must be a non-empty string")
        if not _PURPOSE.fullmatch(purpose):
            raise ValueError(f"invalid purpose: {purpose!r:.40}")
        if page_concurrency < 1:
            raise ValueError("page_concurrency must be at least 1")
        if timeout <= 0 or max_retry_seconds < 0:
            raise ValueError("timeout must be positive and max_retry_seconds not negative")
        self.purpose = purpose
        self.base_url = base_url.rstrip("/")
        self._page_concurrency = page_concurrency
        budget = shared_budget(
            token,
            per_minute=requests_per_minute,
            per_hour=requests_per_hour,
            burst_window=burst_window_seconds,
        )
        self._transport = Transport(
            token=token,
            base_url=self.base_url,
            purpose=purpose,
            timeout=timeout,
            max_attempts=max_attempts,
            max_retry_seconds=max_retry_seconds,
            budget=budget,
            pool_size=max(page_concurrency + 2, 4),
            transport=transport,
            endpoint_budgets=endpoint_budgets(
                token, endpoint_limits, window_scale=endpoint_window_scale
            ),
        )

    def __repr__(self) -> str:
        return f"DOClient(purpose={self.purpose!r}, base_url={self.base_url!r})"

    def __enter__(self) -> DOClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool (the client cannot be used afterwards)."""
        self._transport.close()

    @property
    def requests_made(self) -> int:
        """HTTP attempts this client made so far, retries included."""
        return self._transport.requests_made.value

    @property
    def rate_budget(self) -> RateBudget:
        """The rate budget shared by every client of this token in the process."""
        return self._transport.budget

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any:
        """Escape hatch for an endpoint without a method: the decoded JSON body (or ``None``).

        ``path`` must be a ``/v2/...`` path; POST is retried on 5xx/timeouts only with
        ``idempotent=True``.
        """
        if not _API_PATH.fullmatch(path) or ".." in path:
            raise ValueError(f"invalid path: {path!r:.80} is not a /v2/ API path")
        method = method.upper()
        expect = "empty" if method == "DELETE" else "json"
        return self._transport.call(
            method, path, params=params, body=body, idempotent=idempotent, expect=expect
        )

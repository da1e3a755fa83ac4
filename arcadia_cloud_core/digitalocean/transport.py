"""The HTTP layer: one ``httpx.Client``, pacing, retries and response decoding.

Every attempt goes: wait for the rate budget → send → fold the ``ratelimit-*`` headers into
the budget → turn an error status into a typed :class:`DOError` → decode the body. Retries
wrap the whole attempt, so a truncated body is retried like a dropped connection.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import orjson

from arcadia_cloud_core.digitalocean.errors import (
    DOError,
    DOParseError,
    DORateLimitError,
    DOTransportError,
    error_from_response,
)
from arcadia_cloud_core.digitalocean.pacing import EndpointBudgets, RateBudget, budget_for
from arcadia_cloud_core.digitalocean.retry_policy import build_retrying

logger = logging.getLogger("arcadia_cloud_core.digitalocean")

Expect = Literal["json", "csv", "empty"]
_STARTED = "arcadia_started"


class RequestCounter:
    """A thread-safe count of HTTP attempts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def add(self) -> None:
        """Count one attempt."""
        with self._lock:
            self._value += 1

    @property
    def value(self) -> int:
        """Attempts counted so far."""
        return self._value


def display_path(path: str, params: Mapping[str, Any] | None) -> str:
    """``path?query`` as shown in errors and logs (never headers)."""
    if not params:
        return path
    return f"{path}?{urlencode(params, doseq=True)}"


class Transport:
    """Sends DO API requests for one client: auth, timeouts, pacing, retries, decoding."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        purpose: str,
        timeout: float,
        max_attempts: int,
        max_retry_seconds: float,
        budget: RateBudget,
        pool_size: int,
        transport: httpx.BaseTransport | None = None,
        endpoint_budgets: EndpointBudgets = (),
    ) -> None:
        if not token or not token.strip():
            raise ValueError("token must be a non-empty string")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.purpose = purpose
        self.budget = budget
        self.endpoint_budgets = endpoint_budgets
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self.requests_made = RequestCounter()
        self._client = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"arcadia-cloud/{purpose}",
            },
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            transport=transport,
            follow_redirects=False,
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # -- event hooks: method, path, status, elapsed; never headers, token or payloads --------

    @staticmethod
    def _on_request(request: httpx.Request) -> None:
        request.extensions[_STARTED] = time.perf_counter()

    def _on_response(self, response: httpx.Response) -> None:
        request = response.request
        started = request.extensions.get(_STARTED)
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else -1.0
        logger.debug(
            "DO %s %s -> %d in %.0f ms (%s)",
            request.method,
            request.url.path,
            response.status_code,
            elapsed_ms,
            self.purpose,
        )

    # -- requests ------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        expect: Expect = "json",
        counter: RequestCounter | None = None,
    ) -> Any:
        """Send one logical request (with retries) and return the decoded body.

        ``expect="json"`` returns the JSON object, ``"csv"`` the body as text (an empty body,
        an HTML page or a JSON body is a retryable ``DOParseError``), ``"empty"`` ``None``.
        Raises a :class:`DOError` subclass once retries are exhausted or the error is not
        retryable.
        """
        method = method.upper()
        shown = display_path(path, params)
        retrying = build_retrying(
            method=method,
            idempotent=idempotent,
            max_attempts=self.max_attempts,
            max_retry_seconds=self.max_retry_seconds,
            on_rate_limit=self.budget.pause,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    return self._attempt(
                        method,
                        path,
                        shown,
                        params=params,
                        body=body,
                        expect=expect,
                        counter=counter,
                    )
        except DOError as exc:
            exc.attempts = attempts
            raise
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        path: str,
        shown: str,
        *,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        expect: Expect,
        counter: RequestCounter | None,
    ) -> Any:
        max_wait = max(self.max_retry_seconds, 1.0)
        endpoint_budget = budget_for(self.endpoint_budgets, method, path)
        endpoint_slot = endpoint_budget.acquire(max_wait=max_wait) if endpoint_budget else None
        slot = (
            None
            if endpoint_budget and endpoint_slot is None
            else self.budget.acquire(max_wait=max_wait)
        )
        if slot is None:
            if endpoint_budget is not None and endpoint_slot is not None:
                endpoint_budget.release(endpoint_slot)
            raise DORateLimitError(
                "local rate budget exhausted: the next slot is further away than "
                f"max_retry_seconds={self.max_retry_seconds}",
                method=method,
                path=shown,
                error_id="local_rate_budget",
            )
        self.requests_made.add()
        if counter is not None:
            counter.add()
        # Errors are built inside the except blocks but raised after them, so the httpx
        # exception (whose request carries the Authorization header) is neither the cause
        # nor the context of what we raise.
        failure: DOError | None = None
        try:
            response = self._client.request(method, path, params=params, json=body)
        except httpx.TimeoutException as exc:
            failure = DOTransportError(
                f"timed out ({type(exc).__name__})", reason="timeout", method=method, path=shown
            )
        except httpx.DecodingError as exc:
            failure = DOParseError(
                f"undecodable body ({type(exc).__name__})",
                field="<body>",
                retryable=True,
                method=method,
                path=shown,
            )
        except httpx.RequestError as exc:
            failure = DOTransportError(
                f"connection failed ({type(exc).__name__}: {_short(exc)})",
                reason="connection",
                method=method,
                path=shown,
            )
        finally:
            self.budget.release(slot)
            if endpoint_budget is not None and endpoint_slot is not None:
                endpoint_budget.release(endpoint_slot)
        if failure is not None:
            raise failure
        status = response.status_code
        if status != 429:  # a 429's "remaining: 0" may be the burst limit: Retry-After rules
            self.budget.observe(response.headers)
        if not 200 <= status < 300:
            raise error_from_response(
                method=method,
                path=shown,
                status=status,
                body=response.content,
                headers=response.headers,
            )
        return _decode(response, expect=expect, method=method, path=shown)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:120] or "no detail"


def _decode(response: httpx.Response, *, expect: Expect, method: str, path: str) -> Any:
    common: dict[str, Any] = {"method": method, "path": path, "status": response.status_code}
    if expect == "empty":
        return None
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if expect == "csv":
        return _decode_csv(response, content_type, common)
    if not response.content:
        raise DOParseError(
            "empty body where JSON was expected", field="<body>", retryable=True, **common
        )
    try:
        data = orjson.loads(response.content)
    except (orjson.JSONDecodeError, UnicodeDecodeError):
        kind = content_type or "unknown content type"
        raise DOParseError(
            f"body is not JSON ({kind}, {len(response.content)} bytes; truncated or garbled?)",
            field="<body>",
            retryable=True,
            **common,
        ) from None
    if not isinstance(data, dict):
        raise DOParseError(
            f"expected a JSON object, got {type(data).__name__}", field="<body>", **common
        )
    return data


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body"))


def _decode_csv(response: httpx.Response, content_type: str, common: dict[str, Any]) -> str:
    """CSV text, or a retryable ``DOParseError`` for an empty, HTML or JSON body."""
    try:
        text = response.content.decode(response.encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise DOParseError(
            "CSV body is not valid text", field="<body>", retryable=True, **common
        ) from None
    if not text.strip():
        raise DOParseError(
            "empty body where CSV was expected", field="<body>", retryable=True, **common
        )
    if "html" in content_type or _looks_like_html(text):
        raise DOParseError(
            "HTML page where CSV was expected", field="<body>", retryable=True, **common
        )
    if "json" in content_type:
        raise DOParseError(
            f"{content_type} body where CSV was expected", field="<body>", retryable=True, **common
        )
    return text

"""Typed errors of the DigitalOcean client.

Every error carries the context a human needs (method, path+query, status, DO's error id and
request id) and nothing secret: errors hold plain strings and numbers only — never the request,
its headers or the response object — so no token can leak through ``str``, ``repr`` or ``args``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from arcadia_cloud_core.digitalocean.headers import number_header
from arcadia_cloud_core.errors import ArcadiaError

#: Longest DO error message we keep (a proxy's error page must not end up in a log line).
_MAX_MESSAGE = 300


class DOError(ArcadiaError):
    """A DigitalOcean API call failed.

    ``status`` is the HTTP status (``None`` when no response arrived), ``error_id`` DO's
    snake_case ``id`` (e.g. ``not_found``), ``message`` its message, ``request_id`` DO's
    request id when given; ``method``/``path`` name the endpoint (path with query, no headers).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        error_id: str | None = None,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.message = _clip(message)
        self.method = method
        self.path = path
        self.status = status
        self.error_id = error_id
        self.request_id = request_id
        self.attempts = attempts
        super().__init__(self.message)

    def __str__(self) -> str:
        endpoint = f"{self.method} {self.path}".strip() or "DigitalOcean API"
        status = f" -> {self.status}" if self.status is not None else ""
        ident = f" {self.error_id}" if self.error_id else ""
        extra = []
        if self.request_id:
            extra.append(f"request_id={self.request_id}")
        if self.attempts > 1:
            extra.append(f"after {self.attempts} attempts")
        suffix = f" ({', '.join(extra)})" if extra else ""
        return f"{endpoint}{status}{ident}: {self.message}{suffix}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_id={self.error_id!r}, "
            f"method={self.method!r}, path={self.path!r}, message={self.message!r})"
        )


class DOAuthError(DOError):
    """401/403: the token is wrong, expired or lacks a scope."""


class DONotFoundError(DOError):
    """404: the resource does not exist (for a delete this usually means: already gone)."""


class DORateLimitError(DOError):
    """429: over the token's rate budget; ``retry_after`` / ``reset_at`` say when to come back."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        reset_at: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.reset_at = reset_at


class DOServerError(DOError):
    """5xx: DigitalOcean (or a proxy in front of it) failed."""


class DOTransportError(DOError):
    """No usable response: timeout, refused/dropped connection (``status`` is ``None``)."""

    def __init__(self, message: str, *, reason: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason


class DOParseError(DOError):
    """A response body we cannot use: not JSON, truncated, wrong envelope, missing field.

    ``field`` names what was wrong (``<body>`` for the body as a whole); ``retryable`` is True
    when the body itself was undecodable (truncated or garbled), which a retry may cure.
    """

    def __init__(self, message: str, *, field: str, retryable: bool = False, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.field = field
        self.retryable = retryable

    def __str__(self) -> str:
        endpoint = f"{self.method} {self.path}".strip() or "DigitalOcean API"
        status = f" (HTTP {self.status})" if self.status is not None else ""
        attempts = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{endpoint}{status}: bad field {self.field!r}: {self.message}{attempts}"

    def __repr__(self) -> str:
        return (
            f"DOParseError(field={self.field!r}, method={self.method!r}, path={self.path!r}, "
            f"status={self.status!r}, message={self.message!r})"
        )


class FieldError(ArcadiaError, ValueError):
    """A field of a DO payload is missing or malformed (an id that is not the UUID DO promises).

    ``field`` is a dotted path (``region.slug``), ``reason`` what is wrong; ``kind`` and
    ``resource_id`` name the item when they are known. A listing skips such an item (with a
    warning naming kind, id and field) and keeps the rest; a single-object call turns it into a
    :class:`DOParseError`. A ``ValueError`` too, for callers that validate input generically.
    """

    def __init__(
        self, field: str, reason: str, *, kind: str | None = None, resource_id: str | None = None
    ) -> None:
        self.field = field
        self.reason = reason
        self.kind = kind
        self.resource_id = resource_id
        super().__init__(field, reason)

    def __str__(self) -> str:
        item = " ".join(part for part in (self.kind, self.resource_id) if part)
        return f"{item + ': ' if item else ''}field {self.field!r}: {self.reason}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(field={self.field!r}, reason={self.reason!r}, "
            f"kind={self.kind!r}, resource_id={self.resource_id!r})"
        )


class DOCurrencyError(DOParseError):
    """An amount in a currency other than USD (refused: never converted or mixed in)."""


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _error_class(status: int) -> type[DOError]:
    if status in (401, 403):
        return DOAuthError
    if status == 404:
        return DONotFoundError
    if status == 429:
        return DORateLimitError
    if status >= 500:
        return DOServerError
    return DOError


def _body_fields(body: bytes, content_type: str) -> tuple[str | None, str, str | None]:
    """``(error_id, message, request_id)`` from DO's error body, or a description of the body."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        error_id = data.get("id")
        message = data.get("message")
        request_id = data.get("request_id")
        return (
            str(error_id) if error_id is not None else None,
            str(message) if message is not None else "error body without a message",
            str(request_id) if request_id is not None else None,
        )
    kind = content_type.split(";")[0].strip() or "unknown content type"
    if not body:
        return None, "empty error body", None
    # Never copy a foreign body (a proxy's HTML page) into the message: describe it instead.
    return None, f"non-JSON error body ({kind}, {len(body)} bytes)", None


def error_from_response(
    *,
    method: str,
    path: str,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
) -> DOError:
    """The typed error for an HTTP error response (status ≥ 400 or an unexpected 1xx/3xx)."""
    error_id, message, request_id = _body_fields(body, headers.get("content-type", ""))
    request_id = request_id or headers.get("x-request-id")
    cls = _error_class(status)
    common: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "error_id": error_id,
        "request_id": request_id,
    }
    if cls is DORateLimitError:
        return DORateLimitError(
            message,
            retry_after=number_header(headers, "retry-after"),
            reset_at=number_header(headers, "ratelimit-reset"),
            **common,
        )
    return cls(message, **common)

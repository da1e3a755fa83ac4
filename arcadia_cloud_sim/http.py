"""DigitalOcean response envelopes: errors, pagination links and JSON bodies.

Pagination follows the DO reference (§1.5):

- ``page`` defaults to 1 (minimum 1) and ``per_page`` to 20 (minimum 1, maximum 200).
  A ``per_page`` above 200 is **clamped** to 200 (the spec is silent; clamping is what a
  tolerant API does and it never breaks a client that asks for too much). A value that is not
  an integer, or is below 1, is a 400 ``bad_request``.
- ``meta.total`` is the filtered total over all pages.
- ``links.pages`` carries absolute URLs (on the simulator's own base URL, so a client that
  follows ``next`` stays on the simulator) that keep the caller's other query parameters;
  ``first``/``prev`` only when page > 1, ``next``/``last`` only when more pages follow.
- Intro rule: with 20 or fewer items and no explicit ``per_page`` the ``links`` key is omitted.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSONResponse
from starlette.responses import Response

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200

#: A page source: either a materialised list, or ``fetch(limit, offset) -> (items, total)``.
PageFetch = Callable[[int, int], tuple[Sequence[Any], int]]

ERROR_MESSAGES: dict[str, str] = {
    "bad_request": "error parsing request body",
    "unauthorized": "Unable to authenticate you.",
    "forbidden": "You do not have permission to perform this action.",
    "not_found": "The resource you requested could not be found.",
    "conflict": "The request could not be completed due to a conflict.",
    "precondition_failed": "The request could not be completed due to a failed precondition.",
    "unprocessable_entity": "request payload validation failed",
    "too_many_requests": "API rate limit exceeded.",
    "server_error": "Unexpected server-side error",
}


class JSONResponse(_StarletteJSONResponse):
    """A JSON response encoded with orjson (a page of 200 droplets is ~330 KB)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class ApiError(Exception):
    """Raise from a handler to answer with DO's error body (turned into a response by the app)."""

    def __init__(self, status: int, error_id: str, message: str | None = None) -> None:
        super().__init__(message or ERROR_MESSAGES.get(error_id, error_id))
        self.status = status
        self.error_id = error_id
        self.message = message or ERROR_MESSAGES.get(error_id, error_id)


def not_found() -> ApiError:
    """The canonical 404 error."""
    return ApiError(404, "not_found")


def bad_request(message: str) -> ApiError:
    """A 400 ``bad_request`` error with a human message."""
    return ApiError(400, "bad_request", message)


def unprocessable(message: str) -> ApiError:
    """A 422 ``unprocessable_entity`` error with a human message."""
    return ApiError(422, "unprocessable_entity", message)


def error_body(error_id: str, message: str | None = None) -> dict[str, str]:
    """DO's error body ``{id, message, request_id}``."""
    return {
        "id": error_id,
        "message": message or ERROR_MESSAGES.get(error_id, error_id),
        "request_id": str(uuid.uuid4()),
    }


def error_response(
    status: int,
    error_id: str,
    message: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response with DO's body ``{id, message, request_id}``."""
    return JSONResponse(error_body(error_id, message), status_code=status, headers=headers)


def json_response(body: Any, status: int = 200) -> JSONResponse:
    """A JSON response (compact separators, like DO)."""
    return JSONResponse(body, status_code=status)


def no_content() -> Response:
    """DO's 204 for deletes and similar: empty body."""
    return Response(status_code=204)


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    """Parse a JSON object body, raising 400 ``bad_request`` like DO when it is not one."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request("error parsing request body")
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request("error parsing request body") from exc
    if not isinstance(body, dict):
        raise bad_request("error parsing request body")
    return body


def _int_param(request: Request, name: str, default: int) -> tuple[int, bool]:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default, False
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad_request(f"invalid {name}: {raw!r} is not an integer") from exc
    if value < 1:
        raise bad_request(f"invalid {name}: must be at least 1")
    return value, True


def page_params(request: Request) -> tuple[int, int, bool]:
    """``(page, per_page, per_page_explicit)`` from the query string (per_page clamped to 200)."""
    page, _ = _int_param(request, "page", 1)
    per_page, explicit = _int_param(request, "per_page", DEFAULT_PER_PAGE)
    return page, min(per_page, MAX_PER_PAGE), explicit


def page_url(request: Request, page: int) -> str:
    """Absolute URL of ``page`` for this request, keeping every other query parameter."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    params.append(("page", str(page)))
    return str(request.url.replace(query=urlencode(params)))


def page_links(request: Request, *, page: int, per_page: int, total: int) -> dict[str, str]:
    """The ``links.pages`` object for one page of ``total`` items."""
    last = max(1, math.ceil(total / per_page))
    pages: dict[str, str] = {}
    if page > 1:
        pages["first"] = page_url(request, 1)
        pages["prev"] = page_url(request, min(page - 1, last))
    if page < last:
        pages["next"] = page_url(request, page + 1)
        pages["last"] = page_url(request, last)
    return pages


def paginate(
    request: Request,
    items_or_query: Sequence[Any] | PageFetch,
    key: str,
    *,
    render: Callable[[Sequence[Any]], list[Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A DO collection response ``{key: [...], "links": {"pages": {...}}, "meta": {"total": N}}``.

    ``items_or_query`` is either the full list of items or ``fetch(limit, offset) -> (items,
    total)`` (e.g. a store query). ``render`` maps the page's items to JSON (default: as is);
    ``extra`` adds top-level keys (e.g. ``invoice_preview``).
    """
    page, per_page, explicit = page_params(request)
    offset = (page - 1) * per_page
    if callable(items_or_query):
        items, total = items_or_query(per_page, offset)
    else:
        total = len(items_or_query)
        items = items_or_query[offset : offset + per_page]
    body: dict[str, Any] = {key: render(items) if render else list(items)}
    if extra:
        body.update(extra)
    if explicit or total > DEFAULT_PER_PAGE:
        body["links"] = {"pages": page_links(request, page=page, per_page=per_page, total=total)}
    body["meta"] = {"total": total}
    return JSONResponse(body)

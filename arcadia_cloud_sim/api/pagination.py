"""DigitalOcean collections: ``{key: [...], "links": {...}, "meta": {"total": N}}``.

Pagination follows the DO reference (§1.5):

- ``page`` defaults to 1 (minimum 1) and ``per_page`` to 20 (minimum 1, maximum 200).
  A ``per_page`` above 200 is **clamped** to 200 (the spec is silent; clamping is what a
  tolerant API does and it never breaks a client that asks for too much). A value that is not
  an integer, or is below 1, is a 400 ``bad_request``.
- ``meta.total`` is the filtered total over all pages.
- ``links.pages`` carries absolute URLs (on the simulator's own base URL, so a client that
  follows ``next`` stays on the simulator) that keep the caller's other query parameters;
  ``first``/``prev`` only when page > 1, ``next``/``last`` only when more pages follow.
- ``links`` is always there, and ``{}`` when there is no page to link to (one page, an empty
  list): the shape of the spec's single-page examples (droplet snapshots and backups,
  ``/v2/snapshots``, firewalls, floating IPs, domain records), the same for every list with or
  without ``per_page``. Otherwise it is ``{"pages": {...}}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from arcadia_cloud_sim.api.envelopes import JSONResponse
from arcadia_cloud_sim.api.errors import bad_request

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200

#: A page source: either a materialised list, or ``fetch(limit, offset) -> (items, total)``.
PageFetch = Callable[[int, int], tuple[Sequence[Any], int]]


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad_request(f"invalid {name}: {raw!r} is not an integer") from exc
    if value < 1:
        raise bad_request(f"invalid {name}: must be at least 1")
    return value


def page_params(request: Request) -> tuple[int, int]:
    """``(page, per_page)`` from the query string (per_page clamped to 200)."""
    page = _int_param(request, "page", 1)
    return page, min(_int_param(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)


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
    """A DO collection response ``{key: [...], "links": {...}, "meta": {"total": N}}``.

    ``items_or_query`` is either the full list of items or ``fetch(limit, offset) -> (items,
    total)`` (e.g. a store query). ``render`` maps the page's items to JSON (default: as is);
    ``extra`` adds top-level keys (e.g. ``invoice_preview``).
    """
    page, per_page = page_params(request)
    offset = (page - 1) * per_page
    if callable(items_or_query):
        items, total = items_or_query(per_page, offset)
    else:
        total = len(items_or_query)
        items = items_or_query[offset : offset + per_page]
    body: dict[str, Any] = {key: render(items) if render else list(items)}
    if extra:
        body.update(extra)
    pages = page_links(request, page=page, per_page=per_page, total=total)
    body["links"] = {"pages": pages} if pages else {}
    body["meta"] = {"total": total}
    return JSONResponse(body)

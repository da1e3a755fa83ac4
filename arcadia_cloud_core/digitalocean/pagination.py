"""Read every page of a DO collection into a :class:`Listing`.

- ``per_page=200``; follow ``links.pages.next`` until it is missing. A single page may come
  with no ``links``, ``links: {}``, ``links: {"pages": {}}`` or ``first``/``last`` only.
- The caller's filter params ride on every page: a ``next`` link that lacks one gets it back.
  Only the path and query of a link are used; the host is always our ``base_url``.
- The page-numbered envelope of billing insights (``{data_points, total_items, total_pages,
  current_page}``, no ``links``) is read the same way: ``page=current_page + 1`` is the next
  link until ``total_pages``, and ``total_items`` the total.
- Once the first page tells ``meta.total``, the remaining pages are fetched concurrently
  (``page_concurrency`` threads, each request paced by the shared rate budget).
- Items are de-duplicated by id across pages (offset pagination shifts when the list changes);
  an item that fails to parse is skipped with a warning naming its id and field. A page that
  still fails after retries raises: a listing is never silently partial.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from arcadia_cloud_core.digitalocean.defaults import DEFAULT_PAGE_CONCURRENCY
from arcadia_cloud_core.digitalocean.errors import DOParseError
from arcadia_cloud_core.digitalocean.fields import FieldError, frozen
from arcadia_cloud_core.digitalocean.listing import Listing, SkippedItem
from arcadia_cloud_core.digitalocean.transport import RequestCounter, Transport, display_path
from arcadia_cloud_core.gc_pause import gc_paused

logger = logging.getLogger(__name__)

T = TypeVar("T")

PER_PAGE = 200
#: Hard stop for a ``next`` chain (200 per page → one million items).
MAX_PAGES = 5000
#: Query keys that are paging mechanics, not filters.
PAGING_KEYS = frozenset({"page", "per_page"})


@dataclass(frozen=True)
class _Page:
    number: int
    items: Sequence[Any]
    next_url: str | None
    total: int | None


#: One parsed list item: (id for de-duplication, the model or None, why it was skipped or None).
_Entry = tuple[str | None, Any, SkippedItem | None]
_PageParser = Callable[[_Page], list[_Entry]]


@gc_paused()  # a listing builds tens of thousands of acyclic objects: see gc_pause
def collect(
    transport: Transport,
    *,
    path: str,
    key: str,
    parse: Callable[[Mapping[str, Any]], T],
    id_field: str | None = "id",
    params: Mapping[str, Any] | None = None,
    page_concurrency: int = DEFAULT_PAGE_CONCURRENCY,
    per_page: int = PER_PAGE,
) -> Listing[T]:
    """Every item of the collection at ``path`` (envelope key ``key``), parsed with ``parse``.

    ``params`` are the caller's filters (``None`` values are dropped); a listing with filters
    is marked ``filtered``. ``id_field`` de-duplicates across pages (``None``: no dedupe, for
    collections without ids such as billing history or invoice items).
    """
    filters = {k: v for k, v in (params or {}).items() if v is not None}
    counter = RequestCounter()
    shown = display_path(path, filters)

    def parse_page(page: _Page) -> list[_Entry]:
        return _parse_page(page, path=shown, parse=parse, id_field=id_field)

    first_params = {**filters, "per_page": per_page}
    first = _fetch(transport, path, first_params, key=key, number=1, counter=counter)
    parsed = [parse_page(first)]
    if first.next_url is not None:
        parsed.extend(
            _remaining_pages(
                transport,
                path,
                first,
                key=key,
                filters=filters,
                counter=counter,
                page_concurrency=page_concurrency,
                parse_page=parse_page,
            )
        )
    items, skipped = _merge(parsed, path=shown)
    return Listing(
        items=tuple(items),
        skipped=tuple(skipped),
        requests=counter.value,
        pages=len(parsed),
        filtered=bool(filters),
        total=first.total,
    )


def collect_from_body(
    body: Mapping[str, Any],
    *,
    key: str,
    parse: Callable[[Mapping[str, Any]], T],
    id_field: str | None,
    method: str,
    path: str,
    requests: int,
) -> Listing[T]:
    """A one-page :class:`Listing` from a response body already in hand (e.g. a POST's)."""
    items = body.get(key)
    if not isinstance(items, list):
        problem = "missing" if items is None else f"expected an array, got {type(items).__name__}"
        raise DOParseError(problem, field=key, method=method, path=path)
    page = _Page(number=1, items=items, next_url=None, total=_meta_total(body))
    entries = _parse_page(page, path=path, parse=parse, id_field=id_field)
    parsed, skipped = _merge([entries], path=path)
    return Listing(
        items=tuple(parsed), skipped=tuple(skipped), requests=requests, pages=1, total=page.total
    )


def _remaining_pages(
    transport: Transport,
    path: str,
    first: _Page,
    *,
    key: str,
    filters: Mapping[str, Any],
    counter: RequestCounter,
    page_concurrency: int,
    parse_page: _PageParser,
) -> list[list[_Entry]]:
    """Pages 2… parsed; fetched concurrently when the first page gave a total.

    Each worker parses the page it fetched, so parsing overlaps the other pages' network waits.
    """
    assert first.next_url is not None
    pages: list[_Page] = []
    parsed: list[list[_Entry]] = []

    def fetch_and_parse(
        link_path: str, query: dict[str, Any], number: int
    ) -> tuple[_Page, list[_Entry]]:
        page = _fetch(transport, link_path, query, key=key, number=number, counter=counter)
        return page, parse_page(page)

    page_size = len(first.items)
    if first.total is not None and page_size > 0 and page_concurrency > 1:
        last = math.ceil(first.total / page_size)
        requests = [
            _link_request(first.next_url, path=path, filters=filters, page=n)
            for n in range(2, last + 1)
        ]
        if requests:
            with ThreadPoolExecutor(
                max_workers=min(page_concurrency, len(requests)),
                thread_name_prefix=f"do-pages-{key}",
            ) as pool:
                futures = [
                    pool.submit(fetch_and_parse, p, q, n)
                    for n, (p, q) in enumerate(requests, start=2)
                ]
                try:
                    done = [f.result() for f in futures]
                    pages = [page for page, _ in done]
                    parsed = [entries for _, entries in done]
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
    # Sequential: no total, or the list grew past the pages the total promised.
    followed: set[str] = set()
    current = pages[-1] if pages else first
    while current.next_url is not None:
        if len(pages) + 1 >= MAX_PAGES:
            raise DOParseError(
                f"more than {MAX_PAGES} pages",
                field="links.pages.next",
                method="GET",
                path=display_path(path, filters),
            )
        if current.next_url in followed:
            raise DOParseError(
                "pagination loop: next link repeats",
                field="links.pages.next",
                method="GET",
                path=display_path(path, filters),
            )
        followed.add(current.next_url)
        link_path, query = _link_request(current.next_url, path=path, filters=filters)
        current, entries = fetch_and_parse(link_path, query, current.number + 1)
        pages.append(current)
        parsed.append(entries)
    return parsed


def _link_request(
    url: str, *, path: str, filters: Mapping[str, Any], page: int | None = None
) -> tuple[str, dict[str, Any]]:
    """``(path, params)`` for a ``next`` link: its path+query, our host, the caller's filters."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise DOParseError(
            "next link is not a URL", field="links.pages.next", method="GET", path=path
        ) from None
    if parsed.path != path:
        raise DOParseError(
            f"next link points at another path ({parsed.path[:80]!r})",
            field="links.pages.next",
            method="GET",
            path=path,
        )
    query: dict[str, Any] = dict(parsed.params.multi_items())
    for name, value in filters.items():
        query.setdefault(name, value)
    query.setdefault("per_page", PER_PAGE)
    if page is not None:
        query["page"] = page
    return parsed.path, query


def _fetch(
    transport: Transport,
    path: str,
    params: Mapping[str, Any],
    *,
    key: str,
    number: int,
    counter: RequestCounter,
) -> _Page:
    body = transport.call("GET", path, params=params, counter=counter)
    shown = display_path(path, params)
    items = body.get(key)
    if not isinstance(items, list):
        problem = "missing" if items is None else f"expected an array, got {type(items).__name__}"
        raise DOParseError(problem, field=key, method="GET", path=shown)
    next_url = _next_link(body, shown) or _next_page_number(body, path, shown)
    return _Page(number=number, items=items, next_url=next_url, total=_meta_total(body))


def _next_link(body: Mapping[str, Any], shown: str) -> str | None:
    links = body.get("links")
    if links is None:
        return None
    if not isinstance(links, Mapping):
        raise DOParseError("expected an object", field="links", method="GET", path=shown)
    pages = links.get("pages")
    if pages is None:
        return None
    if not isinstance(pages, Mapping):
        raise DOParseError("expected an object", field="links.pages", method="GET", path=shown)
    nxt = pages.get("next")
    if nxt is None or nxt == "":
        return None
    if not isinstance(nxt, str):
        raise DOParseError("expected a URL", field="links.pages.next", method="GET", path=shown)
    return nxt


def _next_page_number(body: Mapping[str, Any], path: str, shown: str) -> str | None:
    """``path?page=N+1`` for a page-numbered envelope (``current_page`` < ``total_pages``)."""
    if "current_page" not in body and "total_pages" not in body:
        return None
    current, pages = body.get("current_page"), body.get("total_pages")
    for name, value, least in (("current_page", current, 1), ("total_pages", pages, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise DOParseError("expected a page number", field=name, method="GET", path=shown)
    return f"{path}?page={current + 1}" if current < pages else None


def _meta_total(body: Mapping[str, Any]) -> int | None:
    meta = body.get("meta")
    total = meta.get("total") if isinstance(meta, Mapping) else body.get("total_items")
    if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
        return total
    return None


def _parse_page(
    page: _Page,
    *,
    path: str,
    parse: Callable[[Mapping[str, Any]], T],
    id_field: str | None,
) -> list[_Entry]:
    """Parse one page's items; a bad item becomes a skip naming its id and field."""
    entries: list[_Entry] = []
    for position, raw in enumerate(page.items):
        if not isinstance(raw, Mapping):
            where = f"page {page.number} item {position}"
            entries.append(
                (None, None, SkippedItem(path, None, "<item>", f"{where}: not an object"))
            )
            continue
        ident = raw.get(id_field) if id_field else None
        ident_key = str(ident) if ident is not None and ident != "" else None
        try:
            entries.append((ident_key, parse(raw), None))
        except FieldError as exc:
            skip = SkippedItem(path, ident_key, exc.field, exc.reason, frozen(raw))
            entries.append((ident_key, None, skip))
    return entries


def _merge(pages: Sequence[Sequence[_Entry]], *, path: str) -> tuple[list[Any], list[SkippedItem]]:
    """Items in page order, de-duplicated by id (first wins), with the skips logged."""
    items: list[Any] = []
    skipped: list[SkippedItem] = []
    seen: set[str] = set()
    for entries in pages:
        for ident_key, item, skip in entries:
            if ident_key is not None:
                if ident_key in seen:
                    continue
                seen.add(ident_key)
            if skip is None:
                items.append(item)
                continue
            skipped.append(skip)
            logger.warning(
                "DO %s: skipped item id=%s: field %r %s", path, ident_key, skip.field, skip.reason
            )
    return items, skipped

"""Pagination against scripted responses (MockTransport): shapes, params, concurrency, dedupe."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest

from arcadia_cloud_core.digitalocean import DOParseError, DOServerError

from .helpers import PagedDroplets, droplet_payload, json_response, make_client

SINGLE_PAGE_SHAPES = {
    "no links": {},
    "links {}": {"links": {}},
    "pages {}": {"links": {"pages": {}}},
    "first/last only": {
        "links": {
            "pages": {
                "first": "https://api.digitalocean.com/v2/droplets?page=1",
                "last": "https://api.digitalocean.com/v2/droplets?page=1",
            }
        }
    },
    "links null": {"links": None},
}


@pytest.mark.parametrize("shape", SINGLE_PAGE_SHAPES.values(), ids=SINGLE_PAGE_SHAPES.keys())
def test_every_single_page_shape_is_the_last_page(shape: dict) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            {"droplets": [droplet_payload(1), droplet_payload(2)], "meta": {"total": 2}, **shape}
        )

    client, _ = make_client(handler)
    with client:
        listing = client.list_droplets()
    assert [d.id for d in listing] == ["1", "2"]
    assert (listing.requests, listing.pages, listing.filtered) == (1, 1, False)
    assert listing.complete


def test_first_request_asks_for_200_per_page() -> None:
    fake = PagedDroplets(3)
    client, _ = make_client(fake)
    with client:
        client.list_droplets()
    assert fake.seen[0].url.params["per_page"] == "200"
    assert "page" not in fake.seen[0].url.params


def test_sequential_follow_keeps_filters_and_our_host() -> None:
    """Without meta.total: follow next; links on DO's host and without tag_name still work."""
    fake = PagedDroplets(450, drop_params_from_links=True, include_total=False)
    client, _ = make_client(fake, base_url="http://127.0.0.1:9")
    with client:
        listing = client.list_droplets(tag_name="env:prod")
    assert len(listing) == 450
    assert (listing.requests, listing.pages, listing.filtered) == (3, 3, True)
    assert not listing.complete
    for request in fake.seen:
        assert request.url.host == "127.0.0.1"
        assert request.url.params["tag_name"] == "env:prod"
        assert request.url.params["per_page"] == "200"
    assert [r.url.params.get("page") for r in fake.seen] == [None, "2", "3"]


def test_pages_after_the_first_are_fetched_concurrently_in_order() -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    fake = PagedDroplets(1000)

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            if request.url.params.get("page"):
                time.sleep(0.1)
            return fake(request)
        finally:
            with lock:
                in_flight -= 1

    client, _ = make_client(handler, page_concurrency=4)
    with client:
        listing = client.list_droplets(name="web")
    assert listing.requests == 5 == listing.pages  # the minimum for 1000 at 200 per page
    assert [d.id for d in listing] == [str(i) for i in range(1, 1001)]
    assert listing.total == 1000
    assert peak == 4  # pages 2-5 were in flight together
    assert all(r.url.params["name"] == "web" for r in fake.seen)


def test_items_are_deduplicated_across_pages() -> None:
    """Offset pages shift when items are added mid-listing: the repeated item counts once."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        ids = {1: [1, 2, 3], 2: [3, 4, 5], 3: [5, 6]}[page]
        pages = {"next": f"https://api.digitalocean.com/v2/droplets?page={page + 1}"}
        return json_response(
            {
                "droplets": [droplet_payload(i) for i in ids],
                "links": {"pages": pages if page < 3 else {}},
                "meta": {"total": 8},
            }
        )

    client, _ = make_client(handler)
    with client:
        listing = client.list_droplets()
    assert [d.id for d in listing] == ["1", "2", "3", "4", "5", "6"]
    assert listing.pages == 3


def test_list_grown_past_meta_total_is_still_followed() -> None:
    fake = PagedDroplets(650, total_override=400)  # total says 2 pages, there are 4
    client, _ = make_client(fake)
    with client:
        listing = client.list_droplets()
    assert len(listing) == 650
    assert listing.requests == 4


def test_unparseable_item_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            {
                "droplets": [
                    droplet_payload(1),
                    droplet_payload(2, created_at="not a date"),
                    "garbage",
                    droplet_payload(3),
                ],
                "meta": {"total": 4},
            }
        )

    client, _ = make_client(handler)
    with caplog.at_level(logging.WARNING), client:
        listing = client.list_droplets()
    assert [d.id for d in listing] == ["1", "3"]
    assert [(s.id, s.field) for s in listing.skipped] == [("2", "created_at"), (None, "<item>")]
    assert not listing.complete
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "id=2" in warnings and "created_at" in warnings


def test_a_page_that_keeps_failing_raises_instead_of_a_partial_listing() -> None:
    fake = PagedDroplets(800)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "3":
            return json_response({"id": "server_error", "message": "boom"}, status=500)
        return fake(request)

    client, _ = make_client(handler, max_attempts=2)
    with client, pytest.raises(DOServerError) as info:
        client.list_droplets()
    assert info.value.status == 500
    assert "page=3" in info.value.path
    assert info.value.attempts == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"meta": {"total": 0}}, "droplets"),
        ({"droplets": {"id": 1}}, "droplets"),
        ({"droplets": [], "links": []}, "links"),
        ({"droplets": [], "links": {"pages": "next"}}, "links.pages"),
        ({"droplets": [], "links": {"pages": {"next": 2}}}, "links.pages.next"),
    ],
)
def test_unexpected_envelopes_name_the_field(body: dict, field: str) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return json_response(body)

    client, _ = make_client(handler)
    with client, pytest.raises(DOParseError) as info:
        client.list_droplets()
    assert info.value.field == field
    assert "GET /v2/droplets" in str(info.value)
    assert len(calls) == 1  # a well-formed but wrong envelope is not retried


def test_next_link_to_another_path_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            {
                "droplets": [droplet_payload(1)],
                "meta": {"total": 1},
                "links": {"pages": {"next": "https://evil.example/v2/account"}},
            }
        )

    client, _ = make_client(handler, page_concurrency=1)
    with client, pytest.raises(DOParseError) as info:
        client.list_droplets()
    assert info.value.field == "links.pages.next"


def test_a_next_link_loop_is_detected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            {
                "droplets": [droplet_payload(1)],
                "links": {"pages": {"next": "http://x/v2/droplets?page=2"}},
            }
        )

    client, _ = make_client(handler)
    with client, pytest.raises(DOParseError) as info:
        client.list_droplets()
    assert "loop" in str(info.value)

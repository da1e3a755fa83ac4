"""``list_billing_insights``: 31-day chunks, page-numbered pagination, strict data points."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from arcadia_cloud_core.digitalocean import BillingInsight, DOCurrencyError, DOParseError

from .conftest import ClientFactory
from .helpers import json_response, make_client

URN = "do:team:12345678-1234-1234-1234-123456789012"


def _point(day: str, amount: str = "0.86", **extra: str) -> dict[str, str]:
    return {
        "usage_team_urn": URN,
        "start_date": day,
        "total_amount": amount,
        "region": "nyc3",
        "sku": "1-DO-DROP-0109",
        "description": "web-1 (s-1vcpu-1gb)",
        "group_description": "",
        **extra,
    }


def test_two_months_from_the_simulator_in_31_day_calls_and_pages(make_do: ClientFactory) -> None:
    with make_do(purpose="billing") as do:
        urn = do.billing_account_urn()
        listing = do.list_billing_insights(urn, date(2026, 3, 1), date(2026, 4, 30))
        invoices = {i.invoice_period: i for i in do.list_invoices()}
    days = {p.day for p in listing}
    assert min(days) == date(2026, 3, 1) and max(days) == date(2026, 4, 30) and len(days) == 61
    assert listing.total == len(listing.items) > 400  # more than two 200-item pages
    assert listing.pages >= 3 and listing.requests == listing.pages  # 2 calls, several pages
    for month in ("2026-03", "2026-04"):
        total = sum(p.amount_cents for p in listing if p.day.isoformat()[:7] == month)
        assert total == invoices[month].amount_cents
    assert all(isinstance(p, BillingInsight) and p.sku for p in listing)


def test_a_range_of_exactly_31_days_is_one_call_and_32_are_two() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        first = request.url.path.split("/")[-2]
        return json_response(
            {"data_points": [_point(first)], "total_items": 1, "total_pages": 1, "current_page": 1}
        )

    client, _ = make_client(handler)
    with client:
        one = client.list_billing_insights(URN, date(2025, 1, 1), date(2025, 1, 31))
        two = client.list_billing_insights(URN, date(2025, 1, 1), date(2025, 2, 1))
    assert calls == [
        f"/v2/billing/{URN}/insights/2025-01-01/2025-01-31",
        f"/v2/billing/{URN}/insights/2025-01-01/2025-01-31",
        f"/v2/billing/{URN}/insights/2025-02-01/2025-02-01",
    ]
    assert [p.day for p in one] == [date(2025, 1, 1)]
    assert [p.day for p in two] == [date(2025, 1, 1), date(2025, 2, 1)]


def test_pages_follow_current_page_to_total_pages() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        seen.append(request.url.params.get("page"))
        return json_response(
            {
                "data_points": [_point("2025-01-01", f"{page}.00")],
                "total_items": 3,
                "total_pages": 3,
                "current_page": page,
            }
        )

    client, _ = make_client(handler, page_concurrency=1)
    with client:
        listing = client.list_billing_insights(URN, date(2025, 1, 1), date(2025, 1, 1))
    assert seen == [None, "2", "3"] and [p.amount_cents for p in listing] == [100, 200, 300]


@pytest.mark.parametrize(
    ("point", "error", "field"),
    [
        (_point("2025-01-01", currency="EUR"), DOCurrencyError, "data_points[].currency"),
        (_point("2025-01-01", "€12.00"), DOParseError, "data_points[].total_amount"),
        (_point("01/01/2025"), DOParseError, "data_points[].start_date"),
        (_point("2025-01-01", "0.123"), DOParseError, "data_points[].total_amount"),
        (
            {k: v for k, v in _point("2025-01-01").items() if k != "sku"},
            DOParseError,
            "data_points[].sku",
        ),
    ],
    ids=["currency", "symbol", "date", "sub-cent", "no-sku"],
)
def test_a_bad_data_point_fails_the_whole_listing(point, error, field) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(
            {
                "data_points": [_point("2025-01-01"), point],
                "total_items": 2,
                "total_pages": 1,
                "current_page": 1,
            }
        )

    client, _ = make_client(handler)
    with client, pytest.raises(error) as caught:
        client.list_billing_insights(URN, date(2025, 1, 1), date(2025, 1, 1))
    assert caught.value.field == field and "/insights/2025-01-01/2025-01-01" in str(caught.value)


def test_credits_are_negative_cents_and_usd_is_accepted() -> None:
    point = BillingInsight.from_payload(_point("2025-01-05", "-12.34", currency="usd"))
    assert (point.amount_cents, point.day) == (-1234, date(2025, 1, 5))


def test_bad_arguments_and_envelopes_are_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"data_points": "nope", "total_items": 0})

    client, _ = make_client(handler)
    with client:
        with pytest.raises(ValueError, match="account_urn"):
            client.list_billing_insights("do:team:../x", date(2025, 1, 1), date(2025, 1, 1))
        with pytest.raises(ValueError, match="before start"):
            client.list_billing_insights(URN, date(2025, 1, 2), date(2025, 1, 1))
        with pytest.raises(DOParseError, match="data_points"):
            client.list_billing_insights(URN, date(2025, 1, 1), date(2025, 1, 1))

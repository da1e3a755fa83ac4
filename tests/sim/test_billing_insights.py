"""Billing insights on a real simulator: the spec's shape, the invoice to the cent, spikes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_sim.billing.insights import split_by_day
from arcadia_cloud_sim.billing.scenarios import APRIL_2026_TOTAL_CENTS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import api_client
from tests.sim.openapi import validate_response
from tests.sim.test_billing_api import cents

TEMPLATE = "/v2/billing/{account_urn}/insights/{start_date}/{end_date}"
APRIL_TOTAL_CENTS = APRIL_2026_TOTAL_CENTS


@pytest.fixture(scope="module")
def urn(fresh: SimulatorHandle) -> str:
    with api_client(fresh) as c:
        return f"do:team:{c.get('/v2/account').json()['account']['team']['uuid']}"


@pytest.fixture
def sim_admin(fresh: SimulatorHandle) -> Iterator[SimAdmin]:
    with SimAdmin(fresh) as admin:
        yield admin
        admin.clear_billing_spikes()


def insights(client: httpx.Client, urn: str, first: str, last: str) -> list[dict[str, Any]]:
    """Every data point of the range, page by page (``current_page`` up to ``total_pages``)."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        r = client.get(
            f"/v2/billing/{urn}/insights/{first}/{last}", params={"page": page, "per_page": 200}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        validate_response("GET", TEMPLATE, 200, body)
        assert body["current_page"] == page
        out += body["data_points"]
        if page >= body["total_pages"]:
            assert len(out) == body["total_items"]
            return out
        page += 1


def test_a_month_of_days_adds_up_to_its_invoice_line_by_line(client, urn) -> None:
    points = insights(client, urn, "2026-04-01", "2026-04-30")
    assert cents_sum(points) == APRIL_TOTAL_CENTS
    april = next(
        i
        for i in client.get("/v2/customers/my/invoices?per_page=200").json()["invoices"]
        if i["invoice_period"] == "2026-04"
    )
    items = client.get(f"/v2/customers/my/invoices/{april['invoice_uuid']}?per_page=200")
    by_description = Counter[str]()
    for item in items.json()["invoice_items"]:
        by_description[item["description"]] += cents(item["amount"])
    daily = Counter[str]()
    for p in points:
        daily[p["description"]] += cents(p["total_amount"])
    assert daily == by_description
    assert {p["start_date"] for p in points} == {f"2026-04-{d:02d}" for d in range(1, 31)}
    droplet = [p for p in points if p["description"] == "acme-web-1 (s-1vcpu-2gb)"]
    assert {p["sku"] for p in droplet} == {"1-DO-DROP-0109"}
    assert min(p["start_date"] for p in droplet) == "2026-04-21" and len(droplet) == 10


def test_a_month_with_a_credit_adds_up_to_its_invoice(client, urn) -> None:
    """2019-11 holds the scenario's promotional credit (-$10.00): its days are negative."""
    november = next(
        i
        for i in client.get("/v2/customers/my/invoices?per_page=200").json()["invoices"]
        if i["invoice_period"] == "2019-11"
    )
    points = insights(client, urn, "2019-11-01", "2019-11-30")
    assert cents_sum(points) == cents(november["amount"])
    credit = [p for p in points if p["description"].startswith("Promotional Credit")]
    assert len(credit) == 30 and all(cents(p["total_amount"]) < 0 for p in credit)
    assert sum(cents(p["total_amount"]) for p in credit) == -1000
    assert all(p["usage_team_urn"] == urn and p["region"] for p in points)


def cents_sum(points: list[dict[str, Any]]) -> int:
    return sum(cents(p["total_amount"]) for p in points)


@pytest.mark.parametrize("month", ["2014-12", "2018-02", "2026-03"])
def test_other_months_add_up_to_their_invoices(client, urn, month) -> None:
    """The first invoice, a month a droplet ended mid-month, the month before the live estate."""
    invoices = client.get("/v2/customers/my/invoices?per_page=200").json()["invoices"]
    amount = next(cents(i["amount"]) for i in invoices if i["invoice_period"] == month)
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    assert cents_sum(insights(client, urn, first.isoformat(), last.isoformat())) == amount > 0


def test_the_month_to_date_days_add_up_to_the_preview(client, urn) -> None:
    for _ in range(3):  # the preview grows by the hour: retry if an hour turned in between
        before = client.get("/v2/customers/my/invoices/preview?per_page=200").json()
        points = insights(client, urn, "2026-05-01", "2026-05-31")
        after = client.get("/v2/customers/my/invoices/preview?per_page=200").json()
        if before == after:
            break
    total = sum(cents(i["amount"]) for i in after["invoice_items"])
    assert cents_sum(points) == total > 0
    preview = client.get("/v2/customers/my/invoices?per_page=1").json()["invoice_preview"]
    assert cents(preview["amount"]) == total


@pytest.mark.parametrize(
    ("first", "last", "status", "says"),
    [
        ("2026-04-01", "2026-05-02", 400, "within 31 days"),
        ("2026-04-10", "2026-04-09", 400, "before start_date"),
        ("2026-4-1", "2026-04-09", 400, "start_date"),
        ("2026-04-01", "2026-04-31", 400, "end_date"),
    ],
)
def test_bad_ranges_are_do_errors(client, urn, first, last, status, says) -> None:
    r = client.get(f"/v2/billing/{urn}/insights/{first}/{last}")
    assert r.status_code == status
    body = r.json()
    assert body["id"] == "bad_request" and says in body["message"] and body["request_id"]


def test_another_account_is_not_found_and_empty_days_are_empty(client, urn) -> None:
    r = client.get("/v2/billing/do:team:someone-else/insights/2026-04-01/2026-04-02")
    assert r.status_code == 404 and r.json()["id"] == "not_found"
    body = client.get(f"/v2/billing/{urn}/insights/2014-01-01/2014-01-31").json()
    assert body == {"data_points": [], "total_items": 0, "total_pages": 1, "current_page": 1}
    validate_response("GET", TEMPLATE, 200, body)
    assert client.get(f"/v2/billing/{urn}/insights/2026-04-30/2026-05-30").status_code == 200


def test_spikes_raise_one_day_and_are_listed(client, urn, sim_admin) -> None:
    description = "globex-etl-1 (s-2vcpu-4gb)"
    before = {
        p["description"]: cents(p["total_amount"])
        for p in insights(client, urn, "2026-04-25", "2026-04-25")
    }
    spike = {"day": "2026-04-25", "description": description, "extra_cents": 4321}
    assert sim_admin.add_billing_spikes([spike]) == [spike]
    after = {
        p["description"]: cents(p["total_amount"])
        for p in insights(client, urn, "2026-04-25", "2026-04-25")
    }
    assert after[description] == before[description] + 4321
    assert {k: v for k, v in after.items() if k != description} == {
        k: v for k, v in before.items() if k != description
    }
    assert cents_sum(insights(client, urn, "2026-04-01", "2026-04-30")) == APRIL_TOTAL_CENTS + 4321
    assert sim_admin.billing_spikes() == [spike]
    bad = sim_admin.client.post(
        "/_sim/billing/spikes", json={"spikes": [{**spike, "day": "2026-04-02"}]}
    )  # not billed yet on the 2nd
    assert bad.status_code == 400 and "no line" in bad.json()["message"]
    assert sim_admin.billing_spikes() == [spike]


def test_split_by_day_is_exact_and_deterministic() -> None:
    start = datetime(2026, 4, 3, 18, 0, tzinfo=UTC)
    end = datetime(2026, 4, 6, 6, 0, tzinfo=UTC)
    parts = split_by_day(1001, start, end)  # 6 h, 24 h, 24 h, 6 h: the odd cent to the 4th
    assert parts == [
        (date(2026, 4, 3), 100),
        (date(2026, 4, 4), 401),
        (date(2026, 4, 5), 400),
        (date(2026, 4, 6), 100),
    ]
    assert [c for _, c in split_by_day(-1001, start, end)] == [-100, -401, -400, -100]


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(-(10**7), 10**7),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 2, 1)),
    seconds=st.integers(0, 40 * 86400),
)
def test_split_by_day_adds_up_and_is_proportional(amount, start, seconds) -> None:
    start = start.replace(tzinfo=UTC)
    end = start + timedelta(seconds=seconds)
    parts = split_by_day(amount, start, end)
    assert sum(c for _, c in parts) == amount and parts == split_by_day(amount, start, end)
    days = [d for d, _ in parts]
    assert days == sorted(set(days)) and days[0] == start.date()
    if seconds:
        for day, share in parts:
            lo = max(start, datetime(day.year, day.month, day.day, tzinfo=UTC))
            hi = min(end, datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1))
            exact = abs(amount) * (hi - lo).total_seconds() / seconds
            assert abs(abs(share) - exact) < 1 + 1e-6

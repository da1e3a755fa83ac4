"""The billing endpoints on real simulators (the session's ``default`` server, seed 42, and
fresh ones for determinism and the other scenarios)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from arcadia_cloud_sim.launcher import SimulatorHandle
from tests.sim.conftest import StartSimulator
from tests.sim.openapi import load_spec, validate_response

BASE = "/v2/customers/my"
HEADERS = {"Authorization": "Bearer dop_v1_billing_tests"}
CSV_HEADER = "product,group_description,description,hours,start,end,USD,project_name,category"
LEGACY_CSV_HEADER = "product,group_description,description,hours,start,end,USD,project_name"
USD_RE = re.compile(r"^-?\$\d{1,3}(,\d{3})*\.\d{2}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$")
MONEY_RE = re.compile(r"^-?\d+\.\d{2}$")
PRODUCT_KIND = {
    "Droplets": "droplet",
    "Droplet Backups": "droplet",
    "Droplet Snapshots": "snapshot",
    "Volume Snapshots": "snapshot",
    "Volumes": "volume",
    "Load Balancers": "load_balancer",
    "Reserved IPs": "reserved_ip",
}
#: Lines without hours (not billed by the hour).
NOT_HOURLY = ("Taxes", "Credits", "Bandwidth")
ACCOUNT_PRODUCTS = ("Taxes", "Spaces Subscription", "Container Registry", *NOT_HOURLY)


@pytest.fixture(scope="module")
def client(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    """A DO client for the session's default-scenario server (seed 42; read-only use)."""
    with httpx.Client(base_url=sim.base_url, headers=HEADERS, timeout=30) as c:
        yield c


def cents(money: str) -> int:
    """ "86.92" / "$1,234.56" / "-12.34" → cents."""
    sign = -1 if money.startswith("-") else 1
    return sign * int(money.lstrip("-$").replace(",", "").replace(".", ""))


def walk(client: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated collection, following ``links.pages.next``."""
    out: list[dict[str, Any]] = []
    response = client.get(path, params=params)
    for _ in range(500):
        assert response.status_code == 200, response.text
        body = response.json()
        out += body[key]
        nxt = body.get("links", {}).get("pages", {}).get("next")
        if not nxt:
            return out
        response = client.get(nxt)
    raise AssertionError("pagination did not end")


def invoices(client: httpx.Client) -> list[dict[str, Any]]:
    return walk(client, f"{BASE}/invoices", "invoices", per_page=50)


def april(client: httpx.Client) -> dict[str, Any]:
    (inv,) = [i for i in invoices(client) if i["invoice_period"] == "2026-04"]
    return inv


def csv_rows(
    client: httpx.Client, invoice_uuid: str, period: str = "2026-04"
) -> list[dict[str, str]]:
    """An invoice's CSV rows; before DO had projects (2018-10) the header has no category."""
    response = client.get(f"{BASE}/invoices/{invoice_uuid}/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header = CSV_HEADER if period >= "2018-10" else LEGACY_CSV_HEADER
    assert response.text.splitlines()[0] == header
    return list(csv.DictReader(io.StringIO(response.text)))


def billed_name(product: str, description: str) -> str:
    if product == "Reserved IPs":
        return description.rsplit(" - ", 1)[1]
    if product in ("Volumes", "Droplet Snapshots", "Volume Snapshots"):  # `x (nyc3) 100GB Volume`
        return re.sub(r" \([a-z]{3}\d\) [\d.]+GB [A-Za-z ]+$", "", description)
    return re.sub(r" \([^)]*\)$", "", description)


def project_urns(client: httpx.Client) -> dict[str, set[str]]:
    """URN kind → the ids of the resources of that kind the projects hold."""
    out: dict[str, set[str]] = {}
    for project in walk(client, "/v2/projects", "projects", per_page=200):
        for item in walk(client, f"/v2/projects/{project['id']}/resources", "resources"):
            _, kind, rid = item["urn"].split(":", 2)
            out.setdefault(kind, set()).add(rid)
    return out


def live_names(client: httpx.Client) -> dict[tuple[str, str], str]:
    """(kind, lower(name)) → id of every live resource a billing line can name."""
    out: dict[tuple[str, str], str] = {}
    for d in walk(client, "/v2/droplets", "droplets", per_page=200):
        out["droplet", d["name"].lower()] = str(d["id"])
    for v in walk(client, "/v2/volumes", "volumes", per_page=200):
        out["volume", v["name"].lower()] = v["id"]
    for s in walk(client, "/v2/snapshots", "snapshots", per_page=200):
        out["snapshot", s["name"].lower()] = str(s["id"])
    for lb in walk(client, "/v2/load_balancers", "load_balancers", per_page=200):
        out["load_balancer", lb["name"].lower()] = lb["id"]
    for ip in walk(client, "/v2/reserved_ips", "reserved_ips", per_page=200):
        if ip.get("droplet") is None:
            out["reserved_ip", ip["ip"]] = ip["ip"]
    return out


# -- invoices and history ------------------------------------------------------------------------
def test_137_invoices_newest_first_with_a_preview(client: httpx.Client) -> None:
    first = client.get(f"{BASE}/invoices")
    body = first.json()
    assert body["meta"]["total"] == 137
    assert len(body["invoices"]) == 20 and "next" in body["links"]["pages"]
    assert body["invoice_preview"]["invoice_period"] == "2026-05"
    assert MONEY_RE.match(body["invoice_preview"]["amount"])
    items = invoices(client)
    periods = [i["invoice_period"] for i in items]
    assert len(items) == 137 and len({i["invoice_uuid"] for i in items}) == 137
    assert periods[0] == "2026-04" and periods[-1] == "2014-12"
    assert periods == sorted(periods, reverse=True) and len(set(periods)) == 137
    assert all(MONEY_RE.match(i["amount"]) and i["invoice_id"].isdigit() for i in items)
    assert april(client)["amount"] == "174.04"


def test_billing_history_lists_every_invoice_and_payment(client: httpx.Client) -> None:
    entries = walk(client, f"{BASE}/billing_history", "billing_history")
    kinds = Counter(e["type"] for e in entries)
    assert kinds == {"Invoice": 137, "Payment": 136}
    by_uuid = {i["invoice_uuid"]: i for i in invoices(client)}
    billed = [e for e in entries if e["type"] == "Invoice"]
    assert {e["invoice_uuid"] for e in billed} == set(by_uuid)
    for e in billed:
        assert e["amount"] == by_uuid[e["invoice_uuid"]]["amount"]
        assert e["invoice_id"] == by_uuid[e["invoice_uuid"]]["invoice_id"]
    assert all(cents(e["amount"]) < 0 for e in entries if e["type"] == "Payment")
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates)


def test_every_invoice_amount_is_the_sum_of_its_csv_lines(client: httpx.Client) -> None:
    for inv in invoices(client):
        rows = csv_rows(client, inv["invoice_uuid"], inv["invoice_period"])
        assert rows, inv["invoice_period"]
        for row in rows:
            assert USD_RE.match(row["USD"]), row
            assert TIME_RE.match(row["start"]) and TIME_RE.match(row["end"]), row
            assert row["start"][:7] == inv["invoice_period"]
            assert row["hours"] == "" if row["product"] in NOT_HOURLY else row["hours"].isdigit()
            if inv["invoice_period"] < "2018-10":
                assert row["project_name"] == "", row
        assert sum(cents(r["USD"]) for r in rows) == cents(inv["amount"]), inv["invoice_period"]


# -- the April 2026 invoice ----------------------------------------------------------------------
def test_april_2026_numbers_and_composition(client: httpx.Client) -> None:
    rows = csv_rows(client, april(client)["invoice_uuid"])
    assert len(rows) == 44
    assert sum(cents(r["USD"]) for r in rows) == 17404
    taxes = [r for r in rows if r["product"] == "Taxes"]
    assert [r["USD"] for r in taxes] == ["$15.82"] and "GST" in taxes[0]["description"]
    spaces = [r for r in rows if r["product"] == "Spaces Subscription"]
    assert len(spaces) == 1 and spaces[0]["project_name"] == ""
    # the buckets the projects hold, each billed once under its name
    buckets = [r["description"].split(" (")[0] for r in rows if r["product"] == "Spaces"]
    assert sorted(buckets) == sorted(project_urns(client)["space"])
    assert {r["category"] for r in rows if r["product"] == "Load Balancers"} == {"paas"}

    live = live_names(client)
    roles: Counter[str] = Counter()
    for row in rows:
        if row["product"] not in PRODUCT_KIND:
            continue
        kind = PRODUCT_KIND[row["product"]]
        name = billed_name(row["product"], row["description"])
        if (kind, name.lower()) in live:
            roles["live"] += 1
        elif kind == "droplet":
            roles["retired"] += 1
        else:
            assert kind == "snapshot", row
            roles["renamed"] += 1
    assert roles == {"live": 17, "retired": 11, "renamed": 3}
    projects = {r["project_name"] for r in rows if r["product"] not in ACCOUNT_PRODUCTS}
    assert projects == {"Acme Storefront", "Globex Analytics", "Platform"}
    backups = sorted(
        billed_name(r["product"], r["description"])
        for r in rows
        if r["product"] == "Droplet Backups"
    )
    assert backups == ["acme-db-1", "globex-etl-1"]
    assert all(
        r["description"].endswith(" (Weekly Backup Services)")
        for r in rows
        if r["product"] == "Droplet Backups"
    )


def test_april_json_items_carry_live_resource_ids(client: httpx.Client) -> None:
    inv = april(client)
    items = walk(client, f"{BASE}/invoices/{inv['invoice_uuid']}", "invoice_items", per_page=7)
    rows = csv_rows(client, inv["invoice_uuid"])
    assert len(items) == len(rows) == 44
    for item, row in zip(items, rows, strict=True):  # same lines, same order
        assert (item["product"], item["description"]) == (row["product"], row["description"])
        assert cents(item["amount"]) == cents(row["USD"])
        assert item.get("duration", "") == row["hours"]
        assert item.get("project_name", "") == row["project_name"]
    live = live_names(client)
    droplet_ids = {v for (k, _), v in live.items() if k == "droplet"}
    for item in items:
        name = billed_name(item["product"], item["description"]).lower()
        kind = PRODUCT_KIND.get(item["product"])
        if kind in ("droplet",) and (kind, name) in live:
            assert item["resource_id"] == live[kind, name]
        if item["product"] == "Droplets" and (kind, name) not in live:  # retired droplets
            assert item["resource_id"] not in droplet_ids
        if item["product"] in ("Volumes", "Load Balancers"):
            assert item["resource_uuid"] == live[kind, name]
    snapshot_ids = {v for (k, _), v in live.items() if k == "snapshot"}
    snap_items = [i for i in items if "Snapshots" in i["product"]]
    assert len(snap_items) == 8
    for item in snap_items:  # even the three renamed ones point at a live snapshot
        assert item.get("resource_id", item.get("resource_uuid")) in snapshot_ids
    urns = project_urns(client)
    clusters = {
        i["product"]: i["resource_uuid"]
        for i in items
        if i["product"] in ("Database Clusters", "Kubernetes Clusters")
    }
    # The estate holds two database clusters: the invoice bills one of them, by its uuid.
    assert set(clusters) == {"Database Clusters", "Kubernetes Clusters"}
    assert clusters["Database Clusters"] in urns["dbaas"]
    assert clusters["Kubernetes Clusters"] in urns["kubernetes"]


def test_invoice_items_paginate_like_do(client: httpx.Client) -> None:
    inv = april(client)
    body = client.get(f"{BASE}/invoices/{inv['invoice_uuid']}").json()
    assert body["meta"]["total"] == 44 and len(body["invoice_items"]) == 20
    pages = body["links"]["pages"]
    assert pages["next"].endswith("page=2") and pages["last"].endswith("page=3")
    third = client.get(pages["last"]).json()
    assert len(third["invoice_items"]) == 4 and "next" not in third["links"]["pages"]


def test_summary_adds_up(client: httpx.Client) -> None:
    inv = april(client)
    body = client.get(f"{BASE}/invoices/{inv['invoice_uuid']}/summary").json()
    assert (body["invoice_uuid"], body["billing_period"], body["amount"]) == (
        inv["invoice_uuid"],
        "2026-04",
        "174.04",
    )
    assert body["taxes"]["amount"] == "15.82"
    charges = body["product_charges"]
    assert cents(charges["amount"]) == sum(cents(i["amount"]) for i in charges["items"]) == 15822
    assert sum(int(i["count"]) for i in charges["items"]) == 43
    validate_response("GET", f"{BASE}/invoices/{{invoice_uuid}}/summary", 200, body)


def test_summary_puts_credits_and_overages_in_their_sections(client: httpx.Client) -> None:
    by_period = {i["invoice_period"]: i for i in invoices(client)}
    for period, section, amount in (
        ("2019-11", "credits_and_adjustments", "-10.00"),
        ("2023-07", "overages", "2.15"),
    ):
        inv = by_period[period]
        body = client.get(f"{BASE}/invoices/{inv['invoice_uuid']}/summary").json()
        assert body[section]["amount"] == amount
        parts = [
            body[k]["amount"]
            for k in ("product_charges", "overages", "taxes", "credits_and_adjustments")
        ]
        assert sum(cents(p) for p in parts) == cents(body["amount"]) == cents(inv["amount"])
        validate_response("GET", f"{BASE}/invoices/{{invoice_uuid}}/summary", 200, body)


def test_csv_and_pdf_are_attachments(client: httpx.Client) -> None:
    inv = april(client)
    spec = load_spec()["paths"]
    for suffix, media in (("csv", "text/csv"), ("pdf", "application/pdf")):
        declared = spec[f"{BASE}/invoices/{{invoice_uuid}}/{suffix}"]["get"]["responses"]["200"]
        assert media in declared["content"]
        response = client.get(f"{BASE}/invoices/{inv['invoice_uuid']}/{suffix}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="DigitalOcean Invoice 2026 Apr (')
        assert disposition.endswith(f'-{inv["invoice_id"]}).{suffix}"')
        assert response.headers["ratelimit-limit"]
    pdf = client.get(f"{BASE}/invoices/{inv['invoice_uuid']}/pdf").content
    assert pdf.startswith(b"%PDF-") and b"174.04" in pdf and pdf.rstrip().endswith(b"%%EOF")


# -- balance and preview -------------------------------------------------------------------------
def test_balance_is_open_invoice_plus_month_to_date(client: httpx.Client) -> None:
    for _ in range(3):  # the preview moves on the hour: retry if we straddled one
        before = client.get(f"{BASE}/balance").json()
        preview = client.get(f"{BASE}/invoices").json()["invoice_preview"]
        items = walk(client, f"{BASE}/invoices/preview", "invoice_items", per_page=200)
        after = client.get(f"{BASE}/balance").json()
        if before["month_to_date_usage"] == after["month_to_date_usage"]:
            break
    validate_response("GET", f"{BASE}/balance", 200, before)
    assert before["account_balance"] == "174.04"  # April is not paid yet
    assert cents(before["month_to_date_balance"]) == (
        cents(before["account_balance"]) + cents(before["month_to_date_usage"])
    )
    assert preview["amount"] == before["month_to_date_usage"]
    assert sum(cents(i["amount"]) for i in items) == cents(preview["amount"])
    assert before["generated_at"].startswith("2026-05-")
    assert preview["updated_at"].startswith("2026-05-")
    assert {i["product"] for i in items} >= {"Droplets", "Volumes", "Spaces Subscription"}
    assert not any("legacy" in i["description"] for i in items)


# -- errors, auth, conformance --------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["", "/csv", "/pdf", "/summary"])
def test_unknown_invoice_is_dos_404(client: httpx.Client, suffix: str) -> None:
    response = client.get(f"{BASE}/invoices/00000000-1111-4222-8333-444444444444{suffix}")
    assert response.status_code == 404
    body = response.json()
    assert body["id"] == "not_found"
    assert body["message"] == "The resource you requested could not be found."
    validate_response("GET", f"{BASE}/invoices/{{invoice_uuid}}{suffix}", 404, body)


def test_billing_needs_a_token(sim: SimulatorHandle) -> None:
    response = httpx.get(sim.base_url + f"{BASE}/balance")
    assert response.status_code == 401 and response.json()["id"] == "unauthorized"


def test_every_json_billing_response_conforms_to_the_spec(client: httpx.Client) -> None:
    inv = april(client)
    uuid = inv["invoice_uuid"]
    checks = [
        (f"{BASE}/balance", f"{BASE}/balance", {}),
        (f"{BASE}/billing_history", f"{BASE}/billing_history", {}),
        (f"{BASE}/billing_history", f"{BASE}/billing_history", {"page": 3, "per_page": 5}),
        (f"{BASE}/invoices", f"{BASE}/invoices", {}),
        (f"{BASE}/invoices", f"{BASE}/invoices", {"page": 7, "per_page": 20}),
        (f"{BASE}/invoices/{{invoice_uuid}}", f"{BASE}/invoices/{uuid}", {}),
        (f"{BASE}/invoices/{{invoice_uuid}}", f"{BASE}/invoices/{uuid}", {"page": 2}),
        (f"{BASE}/invoices/{{invoice_uuid}}", f"{BASE}/invoices/preview", {}),
        (f"{BASE}/invoices/{{invoice_uuid}}/summary", f"{BASE}/invoices/{uuid}/summary", {}),
        (f"{BASE}/invoices/{{invoice_uuid}}/summary", f"{BASE}/invoices/preview/summary", {}),
    ]
    for template, path, params in checks:
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        validate_response("GET", template, 200, response.json())


# -- determinism and the other scenarios -----------------------------------------------------------
def _fingerprint(base_url: str) -> tuple[list[tuple[str, ...]], str]:
    with httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as c:
        items = invoices(c)
        latest = c.get(f"{BASE}/invoices/{items[0]['invoice_uuid']}/csv").text
    return [
        (i["invoice_uuid"], i["invoice_id"], i["invoice_period"], i["amount"]) for i in items
    ], latest


def test_same_seed_same_billing_other_seed_other_billing(
    sim: SimulatorHandle, start_simulator: StartSimulator
) -> None:
    ours = _fingerprint(sim.base_url)
    with start_simulator(seed=42) as again:
        assert _fingerprint(again.base_url) == ours
    with start_simulator(seed=7) as other:
        theirs, april_csv = _fingerprint(other.base_url)
    assert {t[0] for t in theirs}.isdisjoint({o[0] for o in ours[0]})
    assert [t[3] for t in theirs[1:]] != [o[3] for o in ours[0][1:]]  # history differs
    assert theirs[0][2:] == ours[0][0][2:] == ("2026-04", "174.04")  # April is the scenario's
    assert len(april_csv.splitlines()) == 45


def test_scale_and_empty_scenarios(start_simulator: StartSimulator) -> None:
    args = ["--droplets", "40", "--volumes", "10", "--snapshots", "10", "--domains", "5"]
    with (
        start_simulator(scenario="scale", extra_args=args) as scale,
        httpx.Client(base_url=scale.base_url, headers=HEADERS, timeout=30) as c,
    ):
        items = invoices(c)
        assert [i["invoice_period"] for i in items][::11] == ["2026-04", "2025-05"]
        assert len(items) == 12
        droplets = {d["name"] for d in walk(c, "/v2/droplets", "droplets", per_page=200)}
        rows = csv_rows(c, items[0]["invoice_uuid"])
        named = {
            billed_name(r["product"], r["description"]) for r in rows if r["product"] == "Droplets"
        }
        assert named == droplets
        projects = {p["name"] for p in walk(c, "/v2/projects", "projects", per_page=200)}
        billed_projects = {r["project_name"] for r in rows if r["product"] == "Droplets"}
        assert billed_projects and billed_projects <= projects
        assert sum(cents(r["USD"]) for r in rows) == cents(items[0]["amount"])
    with (
        start_simulator(scenario="empty") as empty,
        httpx.Client(base_url=empty.base_url, headers=HEADERS, timeout=30) as c,
    ):
        body = c.get(f"{BASE}/invoices").json()
        assert body["invoices"] == [] and body["meta"]["total"] == 0
        validate_response("GET", f"{BASE}/invoices", 200, body)
        balance = c.get(f"{BASE}/balance").json()
        assert balance["account_balance"] == balance["month_to_date_usage"] == "0.00"
        assert c.get(f"{BASE}/billing_history").json()["billing_history"] == []

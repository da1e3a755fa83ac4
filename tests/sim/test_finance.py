"""The finance service stand-in on a real simulator: JWT auth, validation, dedup, faults."""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from arcadia_cloud_sim.billing.finance import DEFAULT_SECRET
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.sim.conftest import StartSimulator

IMPORT = "/api/v1/integrations/cloud/import-invoice"
LIST = "/api/v1/integrations/cloud/invoices"


@pytest.fixture(scope="module")
def finance_sim(start_simulator: StartSimulator) -> Iterator[SimulatorHandle]:
    """A fresh server of our own: these tests write to its state and change its faults."""
    with start_simulator(scenario="empty") as handle:
        yield handle


@pytest.fixture(scope="module")
def client(finance_sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=finance_sim.base_url, timeout=30) as c:
        yield c


def token(*, secret: str = DEFAULT_SECRET, omit: tuple[str, ...] = (), **claims: Any) -> str:
    payload: dict[str, Any] = {
        "exp": int(time.time()) + 300,
        "tenant_id": "acme",
        "roles": ["admin"],
        "sub": "arcadia-cloud",
    }
    payload.update(claims)
    for name in omit:
        payload.pop(name)
    with warnings.catch_warnings():  # the default dev secret is shorter than 32 bytes
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(payload, secret, algorithm="HS256")


def auth(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(**claims)}"}


def body(external_id: str = "inv-1", **changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tenant_id": "acme",
        "source": "digitalocean",
        "external_id": external_id,
        "invoice_period": "2026-04",
        "currency": "USD",
        "gross_cents": 2860,
        "tax_cents": 260,
        "net_cents": 2600,
        "lines": [
            {"line_no": 1, "description": "acme-web-1 (s-1vcpu-2gb)", "amount_cents": 2600},
            {"line_no": 2, "description": "GST (10%)", "amount_cents": 260},
        ],
    }
    out.update(changes)
    return out


def listed(client: httpx.Client, tenant: str = "acme", **params: str) -> list[dict[str, Any]]:
    response = client.get(LIST, params=params, headers=auth(tenant_id=tenant))
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["total"] == len(payload["invoices"])
    return payload["invoices"]


def test_import_creates_then_updates_the_same_invoice(client: httpx.Client) -> None:
    first = client.post(IMPORT, json=body("dedup-1"), headers=auth())
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "created"
    invoice_id = first.json()["invoice_id"]

    again = client.post(
        IMPORT, json=body("dedup-1", gross_cents=2870, tax_cents=270), headers=auth()
    )
    assert again.status_code == 200
    assert again.json() == {"status": "updated", "invoice_id": invoice_id}

    rows = listed(client, external_id="dedup-1")
    assert len(rows) == 1
    assert (rows[0]["invoice_id"], rows[0]["gross_cents"], rows[0]["import_count"]) == (
        invoice_id,
        2870,
        2,
    )
    full = client.get(f"{LIST}/{invoice_id}", headers=auth()).json()
    assert full["lines"] == body()["lines"] and full["line_count"] == 2


def test_dedup_key_is_tenant_source_and_external_id(client: httpx.Client) -> None:
    ids = set()
    for tenant, source, external in (
        ("acme", "digitalocean", "key-1"),
        ("acme", "digitalocean", "key-2"),
        ("acme", "aws", "key-1"),
        ("globex", "digitalocean", "key-1"),
    ):
        response = client.post(
            IMPORT,
            json=body(external, tenant_id=tenant, source=source),
            headers=auth(tenant_id=tenant),
        )
        assert response.status_code == 201, response.text
        ids.add(response.json()["invoice_id"])
    assert len(ids) == 4
    assert {r["external_id"] for r in listed(client, "globex")} == {"key-1"}
    assert {
        (r["source"], r["external_id"])
        for r in listed(client)
        if r["external_id"].startswith("key-")
    } == {("digitalocean", "key-1"), ("digitalocean", "key-2"), ("aws", "key-1")}


def test_concurrent_imports_of_one_invoice_create_it_once(client: httpx.Client) -> None:
    headers = auth()

    def push(_: int) -> httpx.Response:
        return client.post(IMPORT, json=body("race-1"), headers=headers)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(push, range(16)))
    assert Counter(r.status_code for r in responses) == {201: 1, 200: 15}
    assert len({r.json()["invoice_id"] for r in responses}) == 1
    rows = listed(client, external_id="race-1")
    assert len(rows) == 1 and rows[0]["import_count"] == 16


def bearer(**kwargs: Any) -> Callable[[], dict[str, str]]:
    """Headers built when the test runs (so ``exp`` is fresh)."""
    return lambda: {"Authorization": f"Bearer {token(**kwargs)}"}


@pytest.mark.parametrize(
    ("headers", "status", "needle"),
    [
        (dict, 401, "missing bearer token"),
        (lambda: {"Authorization": "Basic abc"}, 401, "missing bearer token"),
        (lambda: {"Authorization": "Bearer not-a-jwt"}, 401, "invalid token"),
        (bearer(secret="another-secret-of-enough-length!!"), 401, "invalid token"),
        (bearer(exp=1_700_000_000), 401, "expired"),
        (bearer(omit=("exp",)), 401, "'exp'"),
        (bearer(omit=("tenant_id",)), 401, "'tenant_id'"),
        (bearer(omit=("roles",)), 401, "'roles'"),
        (bearer(roles="admin"), 401, "roles must be a list"),
        (bearer(roles=["viewer"]), 403, "'admin' role"),
        (bearer(tenant_id="globex"), 403, "tenant"),
    ],
)
def test_import_rejects_bad_tokens(
    client: httpx.Client, headers: Callable[[], dict[str, str]], status: int, needle: str
) -> None:
    response = client.post(IMPORT, json=body("auth-1"), headers=headers())
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["error"] == ("unauthorized" if status == 401 else "forbidden")
    assert needle in payload["message"]
    assert not listed(client, external_id="auth-1")


def test_listing_needs_a_valid_token(client: httpx.Client) -> None:
    assert client.get(LIST).status_code == 401
    assert client.get(LIST, headers=bearer(exp=1_700_000_000)()).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tenant_id": None}, "tenant_id"),
        ({"source": ""}, "source"),
        ({"external_id": 12}, "external_id"),
        ({"invoice_period": "2026-13"}, "invoice_period"),
        ({"invoice_period": "April 2026"}, "invoice_period"),
        ({"currency": "usd"}, "currency"),
        ({"gross_cents": 28.6}, "gross_cents"),
        ({"tax_cents": "260"}, "tax_cents"),
        ({"net_cents": True}, "net_cents"),
        ({"gross_cents": 2861}, "gross_cents"),
        ({"lines": "none"}, "lines"),
        ({"lines": [{"amount_cents": 1}, 7]}, "lines[1]"),
        ({"lines": [{"amount_cents": 1.5}]}, "lines[0].amount_cents"),
    ],
)
def test_import_validation_names_the_field(
    client: httpx.Client, changes: dict[str, Any], field: str
) -> None:
    payload = {**body("invalid-1"), **changes}
    response = client.post(IMPORT, json=payload, headers=auth())
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert response.json()["field"] == field
    assert response.json()["message"].startswith(field)


def test_missing_fields_and_non_object_bodies(client: httpx.Client) -> None:
    payload = body("invalid-2")
    del payload["currency"]
    response = client.post(IMPORT, json=payload, headers=auth())
    assert (response.status_code, response.json()["field"]) == (422, "currency")
    for raw in (b"", b"[1, 2]", b"{not json"):
        response = client.post(IMPORT, content=raw, headers=auth())
        assert response.status_code == 400 and response.json()["error"] == "bad_request"
    assert not listed(client, external_id="invalid-2")


def test_other_tenants_imports_are_invisible(client: httpx.Client) -> None:
    created = client.post(
        IMPORT, json=body("private-1", tenant_id="globex"), headers=auth(tenant_id="globex")
    ).json()
    assert client.get(f"{LIST}/{created['invoice_id']}", headers=auth()).status_code == 404
    assert (
        client.get(f"{LIST}/{created['invoice_id']}", headers=auth(tenant_id="globex")).status_code
        == 200
    )


def test_finance_down_is_a_5xx_until_it_recovers(
    finance_sim: SimulatorHandle, client: httpx.Client
) -> None:
    with SimAdmin(finance_sim) as admin:
        admin.set_config(fault_rate=1.0, fault_kinds="503", fault_paths="/api/")
        try:
            down = client.post(IMPORT, json=body("faulty-1"), headers=auth())
            assert down.status_code == 503
        finally:
            admin.set_config(fault_rate=0.0, fault_paths="")
    up = client.post(IMPORT, json=body("faulty-1"), headers=auth())
    assert up.status_code == 201
    assert len(listed(client, external_id="faulty-1")) == 1

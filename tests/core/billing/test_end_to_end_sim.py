"""Against the DO simulator (a real server on 127.0.0.1): ingest the April 2026 invoice from the
API, attribute every line, reconcile to the cent, and push it to the simulator's finance API,
including its failure modes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import (
    BillingAccount,
    FinancePushError,
    FinanceRetryableError,
    FinanceSettings,
    build_finance_payload,
    finance_token,
    focus_frame,
    get_invoice,
    ingest_invoice,
    ingest_invoice_from_do,
    invoices_to_push,
    load_lines,
    push_invoice_to_finance,
    upsert_invoices,
    validate_focus,
)
from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory.kinds import PLACEHOLDER_URNS
from arcadia_cloud_sim.billing.finance import DEFAULT_SECRET
from arcadia_cloud_sim.billing.scenarios import (
    APRIL_2026_LINES,
    APRIL_2026_TAX_CENTS,
    APRIL_2026_TOTAL_CENTS,
    RETIRED_DROPLETS,
)
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle, running_simulator

from .helpers import Header, add_project, add_resources

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

TENANTS = {"Acme Storefront": "acme", "Globex Analytics": "globex", "Platform": "platform"}
SIM_FINANCE_SECRET = DEFAULT_SECRET  # the simulator's default
CLEAN = {"fault_rate": 0.0, "fault_kinds": "500,502,503", "fault_paths": "", "latency_ms": 0}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorHandle]:
    state = tmp_path_factory.mktemp("billing-sim") / "sim.sqlite3"
    with running_simulator(state_path=state) as handle:
        yield handle


@pytest.fixture
def admin(sim: SimulatorHandle) -> Iterator[SimAdmin]:
    with SimAdmin(sim) as sim_admin:
        sim_admin.set_config(**CLEAN)
        yield sim_admin
        sim_admin.set_config(**CLEAN)


@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with DOClient(token="billing-test-token", base_url=sim.base_url, purpose="billing") as client:
        yield client


@pytest.fixture
def estate(tmp_path: Path, do: DOClient) -> Engine:
    """A fresh database holding what inventory would have seen: the live estate from the API,
    the projects' buckets and clusters as placeholders (named by their id), and the droplets
    destroyed in early April as deleted resources."""
    engine = open_database(f"sqlite:///{tmp_path / 'arcadia.db'}")
    listed = list(do.list_projects())
    projects = {p.name: add_project(engine, p.name, TENANTS.get(p.name)) for p in listed}
    rows = [
        {"kind": "droplet", "provider_id": str(d.id), "name": d.name} for d in do.list_droplets()
    ]
    rows += [{"kind": "volume", "provider_id": v.id, "name": v.name} for v in do.list_volumes()]
    rows += [
        {"kind": "snapshot", "provider_id": str(s.id), "name": s.name} for s in do.list_snapshots()
    ]
    rows += [
        {"kind": "load_balancer", "provider_id": lb.id, "name": lb.name}
        for lb in do.list_load_balancers()
    ]
    rows += [
        {"kind": "reserved_ip", "provider_id": ip.ip, "name": None} for ip in do.list_reserved_ips()
    ]
    rows += [
        {"kind": "container_registry", "provider_id": r.name, "name": r.name}
        for r in do.list_container_registries()
    ]
    rows += [  # the platform kinds (#13): apps, database and DOKS clusters
        *({"kind": "app", "provider_id": a.id, "name": a.name} for a in do.list_apps()),
        *({"kind": "managed_db", "provider_id": d.id, "name": d.name} for d in do.list_databases()),
        *(
            {"kind": "k8s_cluster", "provider_id": k.id, "name": k.name}
            for k in do.list_kubernetes_clusters()
        ),
    ]
    for project in listed:
        for item in do.list_project_resources(project.id):
            _, urn_kind, provider_id = item.urn.split(":", 2)
            if urn_kind in PLACEHOLDER_URNS:
                kind = PLACEHOLDER_URNS[urn_kind]
                rows.append({"kind": kind, "provider_id": provider_id, "name": provider_id})
    rows += [
        {
            "kind": "droplet",
            "provider_id": str(310_000_101 + i),
            "name": r.name,
            "deleted_at": r.destroyed_at,
            "project_id": projects[r.project],
            "tenant_id": TENANTS[r.project],
        }
        for i, r in enumerate(RETIRED_DROPLETS)
    ]
    add_resources(engine, rows)
    upsert_invoices(engine, do.list_invoices())
    return engine


def _invoice(do: DOClient, period: str) -> str:
    return next(i.invoice_uuid for i in do.list_invoices() if i.invoice_period == period)


def _april(do: DOClient) -> str:
    return _invoice(do, "2026-04")


def _march(do: DOClient) -> str:
    """Failure-mode tests push March, so a push that finance completes after our client gave
    up (the timeout case) cannot turn April's first import into an update."""
    return _invoice(do, "2026-03")


def test_april_invoice_is_fully_attributed_and_reconciled(estate: Engine, do: DOClient) -> None:
    uuid = _april(do)
    summary = ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    assert summary.lines == len(APRIL_2026_LINES) == 44
    assert summary.total_cents == APRIL_2026_TOTAL_CENTS == summary.invoice_amount_cents
    assert summary.reconciled and summary.tax_cents == APRIL_2026_TAX_CENTS
    # The subscription is the account's; the registry, billed by its plan, is the account's one
    # registry; the app matches the inventory's app by name (#13).
    assert summary.unmatched_by_reason == {"account_level": 1, "tax": 1}
    assert summary.matched == 42 and summary.attributable == 42
    # DO's items carry ids for all but the reserved IP (billed by its address), the buckets
    # (by their name, which is their id) and the app.
    assert summary.matched_by_method == {"name_live": 8, "resource_id": 33, "only_resource": 1}
    with estate.connect() as connection:
        lines = load_lines(connection, uuid)
        assert get_invoice(connection, uuid).ingest_status == "ingested"
    retired = {r.name for r in RETIRED_DROPLETS}
    assert lines[lines["parsed_name"].isin(retired)]["resource_id"].notna().sum() == 11


def test_csv_alone_matches_by_names_and_says_why_not(estate: Engine, do: DOClient) -> None:
    uuid = _april(do)
    summary = ingest_invoice(estate, invoice_uuid=uuid, csv_data=do.get_invoice_csv(uuid))
    roles = [line.role for line in APRIL_2026_LINES]
    assert summary.reconciled
    assert summary.matched_by_method == {
        "name_deleted": roles.count("retired"),
        # and the six buckets, the database, the DOKS cluster's two lines and the app (#13)
        "name_live": roles.count("live") + 6 + 3 + 1,
        "normalised_name": 2,  # the epoch suffix and the changed case/separators
        "only_resource": 1,  # the registry, billed by its plan
    }
    # "globex-warehouse-2026..." could be either April's or March's snapshot: not guessed.
    assert summary.unmatched_by_reason == {"account_level": 1, "ambiguous": 1, "tax": 1}


def test_finance_push_created_then_updated(
    estate: Engine, do: DOClient, sim: SimulatorHandle
) -> None:
    uuid = _april(do)
    ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    payload = build_finance_payload(estate, invoice_uuid=uuid)
    assert (payload.gross_cents, payload.tax_cents, payload.net_cents) == (17404, 1582, 15822)
    assert payload.source == "digitalocean" and payload.external_id == uuid
    assert payload.tenant_id == "platform-admin" and payload.currency == "USD"
    settings = FinanceSettings(base_url=sim.base_url, jwt_secret=SIM_FINANCE_SECRET)

    created = push_invoice_to_finance(estate, invoice_uuid=uuid, settings=settings)
    assert (created.status, created.http_status) == ("created", 201)
    updated = push_invoice_to_finance(estate, invoice_uuid=uuid, settings=settings)
    assert (updated.status, updated.http_status) == ("updated", 200)
    assert updated.finance_invoice_id == created.finance_invoice_id
    with estate.connect() as connection:
        row = get_invoice(connection, uuid)
    assert row.finance_invoice_id == created.finance_invoice_id
    assert row.pushed_to_finance_at == updated.pushed_at
    assert uuid not in invoices_to_push(estate)
    ingest_invoice(estate, invoice_uuid=uuid, csv_data=do.get_invoice_csv(uuid))  # new line set
    assert uuid in invoices_to_push(estate)

    token = finance_token(settings)
    stored = httpx.get(
        f"{sim.base_url}/api/v1/integrations/cloud/invoices/{created.finance_invoice_id}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert (stored["gross_cents"], stored["tax_cents"], stored["net_cents"]) == (17404, 1582, 15822)
    assert len(stored["lines"]) == 44 and stored["import_count"] == 2
    tenants = {line["tenant_id"] for line in stored["lines"] if not line["is_tax"]}
    assert {"acme", "globex", "platform"} <= tenants


def test_finance_token_is_short_lived_admin() -> None:
    settings = FinanceSettings(base_url="http://127.0.0.1:1", jwt_secret="s" * 32)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    claims = jwt.decode(
        finance_token(settings, now=now),
        "s" * 32,
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims["tenant_id"] == "platform-admin" and claims["roles"] == ["admin"]
    assert claims["exp"] - claims["iat"] == 300
    assert "s" * 32 not in repr(settings)


@pytest.mark.parametrize(
    ("config", "timeout", "error"),
    [
        (
            {"fault_rate": 1.0, "fault_kinds": "503", "fault_paths": "/api/"},
            10.0,
            FinanceRetryableError,
        ),
        (
            {"fault_rate": 1.0, "fault_kinds": "500,502", "fault_paths": "/api/"},
            10.0,
            FinanceRetryableError,
        ),
        ({"latency_ms": 1500}, 0.3, FinanceRetryableError),
    ],
    ids=["503", "500-502", "timeout"],
)
def test_transient_finance_failures_are_retryable_and_record_nothing(
    estate: Engine,
    do: DOClient,
    sim: SimulatorHandle,
    admin: SimAdmin,
    config: dict[str, object],
    timeout: float,
    error: type[Exception],
) -> None:
    uuid = _march(do)
    ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    admin.set_config(**config)
    settings = FinanceSettings(
        base_url=sim.base_url, jwt_secret=SIM_FINANCE_SECRET, timeout_seconds=timeout
    )
    with pytest.raises(error) as caught:
        push_invoice_to_finance(estate, invoice_uuid=uuid, settings=settings)
    assert caught.value.invoice_uuid == uuid
    with estate.connect() as connection:
        row = get_invoice(connection, uuid)
    assert row.pushed_to_finance_at is None and row.finance_invoice_id is None


def test_refusals_are_not_retryable(estate: Engine, do: DOClient, sim: SimulatorHandle) -> None:
    uuid = _march(do)
    bad = FinanceSettings(base_url=sim.base_url, jwt_secret="not-the-secret")
    with pytest.raises(FinancePushError, match="not ingested"):
        push_invoice_to_finance(estate, invoice_uuid=uuid, settings=bad)
    ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    with pytest.raises(FinancePushError) as caught:
        push_invoice_to_finance(estate, invoice_uuid=uuid, settings=bad)
    assert not isinstance(caught.value, FinanceRetryableError)
    assert caught.value.status_code == 401
    with estate.connect() as connection:
        march_cents = get_invoice(connection, uuid).amount_cents
    upsert_invoices(estate, [Header(uuid, "2026-03", march_cents + 1)])
    ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    good = FinanceSettings(base_url=sim.base_url, jwt_secret=SIM_FINANCE_SECRET)
    with pytest.raises(FinancePushError, match=f"add up to {march_cents} cents"):
        push_invoice_to_finance(estate, invoice_uuid=uuid, settings=good)
    with estate.connect() as connection:
        assert get_invoice(connection, uuid).pushed_to_finance_at is None


def test_focus_export_of_simulator_invoices_keeps_the_focus_rules(
    estate: Engine, do: DOClient
) -> None:
    for uuid in (_april(do), _march(do)):
        ingest_invoice_from_do(estate, do, invoice_uuid=uuid)
    frame = focus_frame(estate, account=BillingAccount(id="sim-team", name="Simulator team"))
    assert len(frame) > 33
    result = validate_focus(frame)
    assert result.errors == [] and result.warnings == [], result.errors + result.warnings

"""upsert_dns_record / delete_dns_record against the simulator: create, no-op, update, undo."""

from __future__ import annotations

from typing import Any

import pytest

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.saga import SagaStatus
from arcadia_cloud_core.saga.steps import (
    StepServices,
    delete_dns_record_saga,
    upsert_dns_record_saga,
)
from arcadia_cloud_core.testing.drills import FAULT_ENV
from arcadia_cloud_sim.launcher import SimAdmin
from tests.core.saga.helpers import runner_for
from tests.core.saga.steps.world import FAST_POLLING, new_saga_id, records, write_requests

ZONE = "arcadia-status.dev"  # seeded with SOA, NS and an @ A record only


def _upsert(services: StepServices, **inputs: Any) -> Any:
    runner = runner_for(services.engine, upsert_dns_record_saga())
    return runner.run(new_saga_id(), inputs={"domain": ZONE, **FAST_POLLING, **inputs})


def _delete(services: StepServices, **inputs: Any) -> Any:
    runner = runner_for(services.engine, delete_dns_record_saga())
    return runner.run(new_saga_id(), inputs={"domain": ZONE, **FAST_POLLING, **inputs})


def _fields(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["data"], r["ttl"]) for r in rows]


def test_upsert_creates_then_keeps_then_updates(services: StepServices, admin: SimAdmin) -> None:
    created = _upsert(services, type="A", name="api", data="203.0.113.7", ttl=300)
    assert created.status is SagaStatus.COMPLETED, created.error
    assert created.context["dns_record"]["outcome"] == "created"
    assert created.context["dns_prior"]["records"] == []
    assert _fields(records(admin, ZONE, "A", "api")) == [("203.0.113.7", 300)]

    admin.reset_stats()
    same = _upsert(services, type="a", name="API", data="203.0.113.7", ttl=300)
    assert same.context["dns_record"]["outcome"] == "unchanged"
    assert write_requests(admin) == []

    changed = _upsert(services, type="A", name="api", data="203.0.113.8", ttl=600)
    assert changed.context["dns_record"]["outcome"] == "updated"
    (prior,) = changed.context["dns_prior"]["records"]
    assert (prior["data"], prior["ttl"]) == ("203.0.113.7", 300)
    assert _fields(records(admin, ZONE, "A", "api")) == [("203.0.113.8", 600)]


def test_hostname_data_compares_with_the_trailing_dot_normalised(
    services: StepServices, admin: SimAdmin
) -> None:
    first = _upsert(services, type="CNAME", name="docs", data="pages.example.net", ttl=1800)
    assert records(admin, ZONE, "CNAME", "docs")[0]["data"] == "pages.example.net."  # DO's dot
    admin.reset_stats()

    again = _upsert(services, type="CNAME", name="docs", data="Pages.Example.Net", ttl=1800)

    assert first.status is again.status is SagaStatus.COMPLETED
    assert again.context["dns_record"]["outcome"] == "unchanged"
    assert write_requests(admin) == []


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_upsert_restores_the_zone(
    services: StepServices,
    admin: SimAdmin,
    do: DOClient,
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
) -> None:
    name = f"undo-{int(existing)}"
    if existing:
        do.create_domain_record(ZONE, type="TXT", name=name, data="v=old", ttl=120)
    before = _fields(records(admin, ZONE, "TXT", name))
    monkeypatch.setenv(FAULT_ENV, "upsert_dns_record:after_action")

    outcome = _upsert(services, type="TXT", name=name, data="v=new", ttl=3600)

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert _fields(records(admin, ZONE, "TXT", name)) == before


def test_several_records_and_no_match_is_refused(
    services: StepServices, admin: SimAdmin, do: DOClient
) -> None:
    for data in ("198.51.100.1", "198.51.100.2"):
        do.create_domain_record(ZONE, type="A", name="rr", data=data)

    outcome = _upsert(services, type="A", name="rr", data="198.51.100.3")

    assert outcome.status is SagaStatus.ROLLED_BACK
    assert "refusing to guess" in (outcome.error or "")
    assert sorted(d for d, _ in _fields(records(admin, ZONE, "A", "rr"))) == [
        "198.51.100.1",
        "198.51.100.2",
    ]
    # With data naming one of them, it is found and kept.
    kept = _upsert(services, type="A", name="rr", data="198.51.100.2", ttl=1800)
    assert kept.context["dns_record"]["outcome"] == "unchanged"


def test_delete_stashes_the_record_and_its_undo_recreates_it(
    services: StepServices, admin: SimAdmin, do: DOClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    do.create_domain_record(ZONE, type="MX", name="mail", data="mx1.example.net", priority=10)
    monkeypatch.setenv(FAULT_ENV, "delete_dns_record:after_action")

    failed = _delete(services, type="MX", name="mail")

    assert failed.status is SagaStatus.ROLLED_BACK
    (recreated,) = records(admin, ZONE, "MX", "mail")
    assert (recreated["data"], recreated["priority"]) == ("mx1.example.net.", 10)

    monkeypatch.delenv(FAULT_ENV)
    done = _delete(services, type="MX", name="mail", data="mx1.example.net")
    assert done.status is SagaStatus.COMPLETED, done.error
    (deleted,) = done.context["dns_deleted"]["records"]
    assert deleted["was_present"] is True and deleted["priority"] == 10
    assert records(admin, ZONE, "MX", "mail") == []


def test_delete_of_an_absent_record_changes_nothing(
    services: StepServices, admin: SimAdmin
) -> None:
    admin.reset_stats()
    outcome = _delete(services, type="TXT", name="never-there")
    assert outcome.status is SagaStatus.COMPLETED
    assert outcome.context["dns_deleted"]["records"] == []
    assert write_requests(admin) == []


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"type": "A", "name": "ok", "data": "1.2.3.4", "ttl": 20}, "ttl: 20 is out of range"),
        ({"type": "SPF", "name": "ok", "data": "x"}, "type: unknown record type 'SPF'"),
        ({"type": "A", "name": "../x", "data": "1.2.3.4"}, "name: '../x' is not a valid"),
        ({"type": "A", "name": "ok", "data": "not-an-ip"}, "data: 'not-an-ip' is not an IPv4"),
        ({"type": "MX", "name": "ok", "data": "mx.example.net"}, "priority: required"),
        (
            {"domain": "evil.com/../../v2", "type": "A", "name": "x", "data": "1.2.3.4"},
            "domain: 'evil.com/../../v2' is not a domain name",
        ),
    ],
)
def test_bad_inputs_fail_before_any_write(
    services: StepServices, admin: SimAdmin, inputs: dict[str, Any], message: str
) -> None:
    admin.reset_stats()
    outcome = _upsert(services, **inputs)
    assert outcome.status is SagaStatus.ROLLED_BACK
    assert message in (outcome.error or "")
    assert admin.stats()["total"] == 0

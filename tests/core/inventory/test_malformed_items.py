"""One malformed item in a DO listing is skipped, named, and never stops the rest (both engines).

The simulator is made to list a bad item behind the API's back (an id that is not the UUID DO
promises, a missing field, a project URN whose id is not a UUID); the real inventory sync then
runs on a real database. The item is a typed ``FieldError`` (an ``ArcadiaError``), reported with
a warning naming its kind, id and field, kept out of the batch and out of the strikes; every
other item lands, and attribution goes on for every other URN.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_projects as projects_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.digitalocean import DOClient, FieldError, Firewall, Volume
from arcadia_cloud_core.errors import ArcadiaError
from arcadia_cloud_core.inventory import sync
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from tests.core.saga.steps.world import client

BAD_VOLUME = "vol-not-a-uuid"
NAMELESS_FIREWALL = "0b6e4c3a-5d1f-4e2a-9c8b-7a6f5e4d3c2b"
BAD_URN = "do:dbaas:not-a-uuid"


@pytest.fixture
def do(sim: SimulatorHandle) -> Iterator[DOClient]:
    with client(sim, purpose="sync", max_attempts=1) as do_client:
        yield do_client


def _live(engine: Engine, kind: str) -> dict[str, str | None]:
    r = resources_t
    query = sa.select(r.c.provider_id, r.c.tenant_id).where(
        r.c.kind == kind, r.c.deleted_at.is_(None)
    )
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


def _stored_body(admin: SimAdmin, kind: str) -> dict[str, Any]:
    return copy.deepcopy(admin.resources(kind)[0]["body"])


@pytest.fixture
def bad_volume(admin: SimAdmin) -> Iterator[str]:
    """A volume whose id is not a UUID, listed among the good ones (and put in a project)."""
    body = _stored_body(admin, "volume") | {"id": BAD_VOLUME, "name": "bad-volume"}
    admin.put_resource("volume", BAD_VOLUME, body, name="bad-volume")
    yield BAD_VOLUME
    admin.delete_resource("volume", BAD_VOLUME)


def test_the_models_raise_a_typed_error_naming_the_field() -> None:
    with pytest.raises(FieldError) as bad_id:
        Volume.from_payload(
            {"id": BAD_VOLUME, "name": "v", "region": {"slug": "nyc3"}, "size_gigabytes": 10}
        )
    with pytest.raises(FieldError) as missing:
        Firewall.from_payload({"id": NAMELESS_FIREWALL})
    assert isinstance(bad_id.value, ArcadiaError)
    assert (bad_id.value.field, missing.value.field) == ("id", "name")
    assert "UUID" in bad_id.value.reason and missing.value.reason == "missing"


def test_a_volume_without_a_uuid_is_skipped_and_the_rest_land(
    engine: Engine,
    do: DOClient,
    admin: SimAdmin,
    bad_volume: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = {row["id"] for row in admin.resources("volume")} - {bad_volume}
    with caplog.at_level(logging.WARNING):
        report = sync.sync_kind(engine, do, KIND_SPECS["volumes"])

    assert set(_live(engine, "volume")) == good
    assert report.result.discovered == len(good) >= 3
    [skip] = report.skipped
    assert (skip.kind, skip.provider_id, skip.field) == ("volume", bad_volume, "id")
    assert "expected a UUID" in skip.reason
    assert any(
        r.levelno == logging.WARNING
        and "skipped volume" in r.getMessage()
        and bad_volume in r.getMessage()
        and "field id" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


def test_a_firewall_missing_its_name_is_skipped_and_never_struck(
    engine: Engine,
    do: DOClient,
    admin: SimAdmin,
) -> None:
    spec = KIND_SPECS["firewalls"]
    first = sync.sync_kind(engine, do, spec)
    good = set(_live(engine, "firewall"))
    assert first.skipped == [] and good
    victim = sorted(good)[0]
    body = _stored_body(admin, "firewall")
    stored = next(r for r in admin.resources("firewall") if r["id"] == victim)["body"]
    admin.put_resource("firewall", victim, {k: v for k, v in stored.items() if k != "name"})
    admin.put_resource(
        "firewall",
        NAMELESS_FIREWALL,
        {k: v for k, v in body.items() if k != "name"} | {"id": NAMELESS_FIREWALL},
    )
    try:
        reports = [sync.sync_kind(engine, do, spec) for _ in range(3)]  # three strikes' worth
    finally:
        admin.put_resource("firewall", victim, stored)
        admin.delete_resource("firewall", NAMELESS_FIREWALL)

    # the nameless one we knew stays live (a skipped id is never struck); the new one never lands
    assert set(_live(engine, "firewall")) == good
    for report in reports:
        assert sorted((s.provider_id, s.field, s.reason) for s in report.skipped) == sorted(
            [(victim, "name", "missing"), (NAMELESS_FIREWALL, "name", "missing")]
        )
        assert report.result.deleted == 0


def test_a_bad_urn_is_skipped_and_the_rest_are_attributed(
    engine: Engine,
    do: DOClient,
    admin: SimAdmin,
    bad_volume: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sync.sync_projects_from_do(engine, do)
    for spec in KIND_SPECS.values():  # every kind a project URN can name is in inventory
        sync.sync_kind(engine, do, spec)
    databases = set(_live(engine, "managed_db"))
    project = next(p for p in admin.resources("project") if not p["body"]["is_default"])
    admin.put_resource("project_resource", BAD_URN, {}, parent=project["id"])
    try:
        with caplog.at_level(logging.WARNING):
            result, _, malformed = sync.sync_project_resources(engine, do)
    finally:
        admin.delete_resource("project_resource", BAD_URN)

    assert sorted(malformed) == sorted([BAD_URN, f"do:volume:{bad_volume}"])
    assert result.unresolved == 0 and result.attributed > 0
    for kind in ("droplet", "volume", "dns_zone", "reserved_ip", "load_balancer"):
        owners = _live(engine, kind)
        assert owners and None not in owners.values(), kind  # every good one has its tenant
    assert set(_live(engine, "managed_db")) == databases  # no row from the bad URN
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        f"skipped dbaas {BAD_URN}: field urn" in m and "is not a UUID" in m for m in messages
    ), messages


def test_a_project_without_a_uuid_is_skipped_and_the_rest_are_mirrored(
    engine: Engine,
    do: DOClient,
    admin: SimAdmin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = {row["id"] for row in admin.resources("project")}
    body = _stored_body(admin, "project") | {"id": "proj-1", "name": "bad", "is_default": False}
    admin.put_resource("project", "proj-1", body, name="bad")
    try:
        with caplog.at_level(logging.WARNING):
            first, _ = sync.sync_projects_from_do(engine, do)
            result, _, malformed = sync.sync_project_resources(engine, do)
    finally:
        admin.delete_resource("project", "proj-1")

    with engine.connect() as connection:
        mirrored = set(
            connection.execute(
                sa.select(projects_t.c.provider_id).where(projects_t.c.deleted_at.is_(None))
            ).scalars()
        )
    assert good <= mirrored and "proj-1" not in mirrored
    assert first.deleted == 0 and malformed == []
    assert result.assignments > 0 and result.unresolved > 0  # no kind synced here: unresolved
    assert any(
        "skipped project proj-1: field id: expected a UUID" in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    )

"""Input checks, the slug catalog, deterministic names and the drill knobs (no simulator)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcadia_cloud_core.saga.errors import PermanentStepError
from arcadia_cloud_core.saga.steps import catalog, saga_tag, snapshot_name, validation
from arcadia_cloud_core.saga.steps.inputs import DnsRecordSpec, DropletSpec, Polling
from arcadia_cloud_core.testing.drills import CRASH_ENV, FAULT_ENV, drill_point
from arcadia_cloud_sim.catalog import IMAGES as SIM_IMAGES
from arcadia_cloud_sim.catalog import REGION_NAMES as SIM_REGIONS
from arcadia_cloud_sim.catalog import SIZES as SIM_SIZES

UNSAFE = ("/", "?", "#", "%", " ", "\\", "..", "\n")


def test_the_catalog_knows_every_slug_the_simulator_serves() -> None:
    assert set(SIM_REGIONS) <= catalog.REGIONS
    assert set(SIM_SIZES) <= catalog.SIZES
    assert set(SIM_IMAGES) <= catalog.IMAGES


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (catalog.check_region, "nyc4", "region: unknown DigitalOcean region slug 'nyc4'; did you"),
        (
            catalog.check_size,
            "s-1vcpu-1g",
            "size: unknown DigitalOcean size slug 's-1vcpu-1g'; did you mean s-1vcpu-1gb",
        ),
        (catalog.check_image, "0", "image: unknown DigitalOcean image slug '0'"),
        (catalog.check_image, "12/../34", "image: unknown"),
    ],
)  # fmt: skip
def test_unknown_slugs_name_the_field_and_suggest(check, value: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        check(value)
    assert str(raised.value).startswith(message)


def test_an_image_may_be_a_snapshot_id() -> None:
    assert catalog.check_image(155990111) == "155990111"
    assert catalog.check_image("155990111") == "155990111"


@given(st.text(max_size=80))
def test_whatever_passes_the_checks_is_safe_in_a_url_path(text: str) -> None:
    for check in (
        validation.domain,
        validation.droplet_id,
        validation.droplet_name,
        lambda v: validation.record_name(v, zone="example.com"),
    ):
        try:
            value = check(text)
        except ValueError:
            continue
        assert not any(bad in value for bad in UNSAFE), (check, text, value)


@pytest.mark.parametrize(
    ("rtype", "data", "ok"),
    [
        ("A", "203.0.113.9", True),
        ("A", "203.0.113.999", False),
        ("AAAA", "2001:db8::1", True),
        ("CNAME", "Target.Example.NET.", True),
        ("CNAME", "not a host", False),
        ("TXT", "v=spf1 -all", True),
        ("TXT", "line\nbreak", False),
    ],
)
def test_record_data_is_checked_for_its_type(rtype: str, data: str, ok: bool) -> None:
    if ok:
        validation.record_data(rtype, data)
    else:
        with pytest.raises(ValueError, match=r"^data: "):
            validation.record_data(rtype, data)


def test_hostnames_compare_without_dos_trailing_dot() -> None:
    assert validation.same_data("CNAME", "a.example.net.", "A.Example.net")
    assert validation.same_data("MX", "mx.example.net", "mx.example.net.")
    assert not validation.same_data("TXT", "x.", "x")
    assert validation.same_data("AAAA", "2001:db8::1", "2001:0db8:0:0::1")


def test_ttl_bounds() -> None:
    assert validation.ttl(30) == 30 and validation.ttl(86400) == 86400
    for bad in (29, 86401, True, "60"):
        with pytest.raises(ValueError, match=r"^ttl: "):
            validation.ttl(bad)


def test_inputs_are_checked_again_with_the_field_named() -> None:
    with pytest.raises(PermanentStepError, match="invalid saga input: size: unknown"):
        DropletSpec.from_inputs({"name": "web-1", "size": "huge"})
    with pytest.raises(PermanentStepError, match="wait_timeout_seconds: 0"):
        Polling.from_inputs({"wait_timeout_seconds": 0})
    spec = DnsRecordSpec.from_inputs(
        {"domain": "Example.com.", "type": "mx", "name": "Mail", "data": "mx.example.net",
         "priority": 10}
    )  # fmt: skip
    assert (spec.domain, spec.type, spec.name, spec.fqdn) == (
        "example.com",
        "MX",
        "mail",
        "mail.example.com",
    )
    assert spec.extras == {"priority": 10}


def test_names_and_tags_are_deterministic_per_saga() -> None:
    saga_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert saga_tag(saga_id) == "arcadia-saga-0f1e2d3c"
    assert snapshot_name("4242", saga_id) == "arcadia-snap-4242-0f1e2d3c"
    with pytest.raises(ValueError):
        saga_tag("short")


def test_a_fault_drill_raises_where_it_is_armed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "other:before_action, step_a:after_action")
    drill_point("step_a", "before_action")  # not armed: nothing happens
    with pytest.raises(PermanentStepError, match="injected fault at step_a:after_action"):
        drill_point("step_a", "after_action")


def test_a_crash_drill_kills_the_process_with_sigkill() -> None:
    code = (
        "from arcadia_cloud_core.testing.drills import drill_point; drill_point('s', 'after_save')"
    )
    env = {**os.environ, CRASH_ENV: "s:after_save"}
    done = subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=60)
    assert done.returncode == -signal.SIGKILL

"""Faults, retries and pacing against the real simulator (its fault and rate-limit knobs)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from arcadia_cloud_core.digitalocean import (
    DOClient,
    DOError,
    DOServerError,
    DOTransportError,
)
from arcadia_cloud_sim.launcher import SimAdmin

from .conftest import ClientFactory, SimTokens
from .helpers import api_status_counts


def read_a_bit_of_everything(do: DOClient) -> None:
    """Eight GETs across list and single-object endpoints, each asserting real content."""
    assert len(do.list_droplets()) == 8  # 5 + the 3 DOKS nodes
    assert do.get_account().email
    assert len(do.list_domains()) == 7
    assert len(do.list_volumes()) == 3
    assert len(do.list_snapshots(resource_type="droplet")) == 8
    assert len(do.list_firewalls()) == 1
    assert do.get_default_project().is_default
    assert do.get_balance().generated_at


@pytest.mark.parametrize(
    ("kind", "settings", "client_kwargs"),
    [
        ("500", {}, {}),
        ("502", {}, {}),
        ("503", {}, {}),
        # each 429 costs the 1 s Retry-After the simulator sends: fault two endpoints only
        ("429", {"fault_paths": "/v2/droplets,/v2/account"}, {}),
        ("drop", {}, {}),
        ("truncate", {}, {}),
        # each timeout costs the client timeout: fault three endpoints only
        (
            "timeout",
            {"slow_seconds": 1.5, "fault_paths": "/v2/droplets,/v2/account,/v2/domains"},
            {"timeout": 1.0},
        ),
    ],
)
def test_reads_recover_from_each_fault_kind(
    kind: str, settings: dict, client_kwargs: dict, make_do: ClientFactory, admin: SimAdmin
) -> None:
    # The fault stream restarts on every config change, so the run is deterministic.
    admin.set_config(fault_rate=0.25, fault_kinds=kind, **settings)
    do = make_do(max_attempts=8, **client_kwargs)
    read_a_bit_of_everything(do)
    stats = admin.stats()
    injected = stats["faults"].get(kind, 0)
    assert injected >= 1, f"no {kind} fault was injected: the test proved nothing"
    assert do.requests_made == 8 + injected  # every fault cost exactly one retry


def test_post_is_not_retried_after_a_500(make_do: ClientFactory, admin: SimAdmin) -> None:
    admin.set_config(fault_rate=1.0, fault_kinds="500", fault_paths="/v2/droplets")
    do = make_do(purpose="provisioning")
    with pytest.raises(DOServerError) as info:
        do.create_droplet(
            name="no-retry-500", region="nyc3", size="s-1vcpu-1gb", image="ubuntu-24-04-x64"
        )
    assert info.value.status == 500 and info.value.attempts == 1
    assert admin.stats()["by_path"]["POST /v2/droplets"] == {"500": 1}


def test_post_is_not_retried_after_a_timeout(make_do: ClientFactory, admin: SimAdmin) -> None:
    """A timed-out create may still be processed by DO: it is never sent a second time."""
    admin.set_config(
        fault_rate=1.0, fault_kinds="timeout", fault_paths="/v2/droplets", slow_seconds=0.6
    )
    do = make_do(purpose="provisioning", timeout=0.2)
    with pytest.raises(DOTransportError) as info:
        do.create_droplet(
            name="no-retry-timeout", region="nyc3", size="s-1vcpu-1gb", image="ubuntu-24-04-x64"
        )
    assert info.value.reason == "timeout" and info.value.status is None
    assert do.requests_made == 1
    admin.set_config(fault_rate=0.0)
    deadline = time.monotonic() + 5.0
    while admin.stats()["by_path"].get("POST /v2/droplets") is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # exactly one POST reached the server (status 0: the client had gone when it answered)
    assert sum(admin.stats()["by_path"]["POST /v2/droplets"].values()) == 1


def test_pacing_avoids_429_under_a_tight_budget(make_do: ClientFactory, admin: SimAdmin) -> None:
    """Simulator and client both at 20 requests per 2 s: 30 concurrent reads, zero 429s."""
    admin.set_config(rate_limit_minute=20, burst_window=2.0)
    do = make_do(requests_per_minute=20, burst_window_seconds=2.0, max_attempts=1)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = list(pool.map(lambda _: do.get_account().email, range(30)))
    elapsed = time.perf_counter() - started
    assert len(names) == 30
    stats = admin.stats()
    assert stats["rate_limited"] == 0
    assert api_status_counts(stats) == {"200": 30}
    assert elapsed >= 2.0  # 30 requests at 20 per 2 s need at least one full window


def test_without_pacing_the_same_load_meets_429s_and_recovers(
    make_do: ClientFactory, admin: SimAdmin
) -> None:
    """The control for the test above: a client told the budget is 1000/min gets 429s,
    honours Retry-After and still completes."""
    admin.set_config(rate_limit_minute=20, burst_window=2.0)
    do = make_do(requests_per_minute=1000, burst_window_seconds=2.0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = list(pool.map(lambda _: do.get_account().email, range(30)))
    assert len(names) == 30
    stats = admin.stats()
    assert stats["rate_limited"] >= 1
    assert api_status_counts(stats)["200"] == 30


def test_token_never_appears_in_errors_or_logs(
    make_do: ClientFactory,
    admin: SimAdmin,
    sim_tokens: SimTokens,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin.set_config(fault_rate=0.5, fault_kinds="500,502,503,drop,truncate")
    token = sim_tokens.take()
    do = make_do(token=token, max_attempts=2)
    wrong_token = "dop_v1_wrong_but_still_secret_0123456789"
    wrong = make_do(token=wrong_token)
    errors: list[DOError] = []
    with caplog.at_level(logging.DEBUG):
        for call in (
            lambda: do.get_droplet(1),
            lambda: do.get_droplet(999999999),
            wrong.get_account,
            *[do.list_droplets] * 6,
            do.get_account,
        ):
            try:
                call()
            except DOError as exc:
                errors.append(exc)
    assert len(errors) >= 3, "too few failures: the leak check saw too little"
    texts = [repr(do), repr(wrong), repr(do.rate_budget)]
    for err in errors:
        texts += [
            str(err),
            repr(err),
            repr(err.args),
            repr(vars(err)),
            repr(err.__cause__),
            repr(err.__context__),
        ]
    texts += [f"{r.getMessage()} {r.args!r} {r.exc_info!r}" for r in caplog.records]
    assert any("retrying" in t for t in texts)
    for secret in (token, wrong_token):
        assert all(secret not in text for text in texts)

"""The client-side rate budget: sliding windows, in-flight slots, server hints, pauses."""

from __future__ import annotations

import threading
import time

import httpx

from arcadia_cloud_core.digitalocean.pacing import RateBudget, shared_budget, token_fingerprint

from .helpers import Script, droplet_payload, fresh_token, json_response, make_client


def budget(per_minute: int = 5, window: float = 0.5, per_hour: int = 5000) -> RateBudget:
    return RateBudget(
        fingerprint="test", per_minute=per_minute, per_hour=per_hour, burst_window=window
    )


def test_sliding_window_spaces_requests() -> None:
    b = budget(per_minute=5, window=0.5)
    starts = []
    for _ in range(12):
        slot = b.acquire(max_wait=5)
        assert slot is not None
        starts.append(time.monotonic())
        b.release(slot)
    # no six requests ever start within one window (each counts from its completion)
    assert all(starts[i + 5] - starts[i] >= 0.5 for i in range(len(starts) - 5))
    assert starts[-1] - starts[0] >= 1.0


def test_requests_in_flight_hold_their_slots() -> None:
    b = budget(per_minute=3, window=10)
    slots = [b.acquire(max_wait=1) for _ in range(3)]
    assert all(slots)
    assert b.acquire(max_wait=0.1) is None  # three in flight: a fourth would need > 10 s
    released = threading.Timer(0.1, b.release, args=(slots[0],))
    released.start()
    assert b.acquire(max_wait=0.5) is None  # released now counts for a whole window
    released.join()


def test_hourly_limit_applies_too() -> None:
    b = budget(per_minute=100, window=1, per_hour=4)
    for _ in range(4):
        slot = b.acquire(max_wait=1)
        assert slot is not None
        b.release(slot)
    assert b.acquire(max_wait=0.2) is None


def test_server_remaining_hint_waits_for_reset() -> None:
    b = budget(per_minute=100, window=1)
    b.observe(
        {
            "ratelimit-remaining": "0",
            "ratelimit-reset": f"{time.time() + 0.4:.3f}",
            "ratelimit-limit": "5000",
        }
    )
    started = time.monotonic()
    slot = b.acquire(max_wait=5)
    assert slot is not None
    assert time.monotonic() - started >= 0.35


def test_server_hint_with_allowance_left_does_not_wait() -> None:
    b = budget(per_minute=100, window=1)
    b.observe({"ratelimit-remaining": "4000", "ratelimit-reset": f"{time.time() + 3000:.0f}"})
    started = time.monotonic()
    assert b.acquire(max_wait=5) is not None
    assert time.monotonic() - started < 0.2


def test_pause_holds_every_request() -> None:
    b = budget(per_minute=100, window=1)
    started = time.monotonic()  # before the pause: the wait runs from the pause, not from here
    b.pause(0.3)
    assert b.acquire(max_wait=5) is not None
    assert time.monotonic() - started >= 0.3


def test_shared_budget_per_token_fingerprint() -> None:
    token = fresh_token()
    first = shared_budget(token, per_minute=250, per_hour=5000, burst_window=60)
    again = shared_budget(token, per_minute=200, per_hour=6000, burst_window=30)
    other = shared_budget(fresh_token(), per_minute=250, per_hour=5000, burst_window=60)
    assert first is again and first is not other
    assert (first.per_minute, first.per_hour, first.burst_window) == (200, 5000, 60)
    assert first.fingerprint == token_fingerprint(token) != token
    assert len(first.fingerprint) == 12


def test_a_burst_429_does_not_block_until_the_hourly_reset() -> None:
    """On a burst 429 DO sends remaining 0 with the *hourly* reset: Retry-After decides."""
    far = f"{time.time() + 3000:.0f}"
    script = Script(
        [
            lambda r: json_response(
                {"id": "too_many_requests", "message": "API rate limit exceeded."},
                status=429,
                headers={"retry-after": "0", "ratelimit-remaining": "0", "ratelimit-reset": far},
            ),
            lambda r: json_response(
                {"droplet": droplet_payload(7)},
                headers={"ratelimit-remaining": "4990", "ratelimit-reset": far},
            ),
        ]
    )
    client, _ = make_client(script)
    started = time.monotonic()
    with client:
        client.get_droplet(7)
        client.get_droplet(7)
    assert time.monotonic() - started < 1.0
    assert len(script.requests) == 3


def test_concurrent_clients_of_one_token_share_the_window() -> None:
    token = fresh_token()
    calls: list[float] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            calls.append(time.monotonic())
        return json_response({"droplet": droplet_payload(7)})

    a, _ = make_client(handler, token=token, requests_per_minute=4, burst_window_seconds=0.5)
    b, _ = make_client(handler, token=token, requests_per_minute=4, burst_window_seconds=0.5)
    with a, b:
        threads = [threading.Thread(target=c.get_droplet, args=(7,)) for c in (a, b) * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    calls.sort()
    assert len(calls) == 8
    assert calls[4] - calls[0] >= 0.5  # the fifth waited for the shared window

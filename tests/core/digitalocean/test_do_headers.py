"""One rule for DO's numeric headers, seen by both users: the 429 error and the rate budget."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arcadia_cloud_core.digitalocean.errors import DORateLimitError, error_from_response
from arcadia_cloud_core.digitalocean.headers import number_header
from arcadia_cloud_core.digitalocean.pacing import RateBudget

UNUSABLE = ["", "soon", "-1", "-0.5", "inf", "-inf", "nan", "Infinity"]


@pytest.mark.parametrize("raw", UNUSABLE)
def test_unusable_values_are_ignored(raw: str) -> None:
    assert number_header({"retry-after": raw}, "retry-after") is None


def test_absent_header_is_none() -> None:
    assert number_header({}, "retry-after") is None


@given(st.floats(min_value=0, allow_infinity=False, allow_nan=False))
def test_finite_non_negative_values_are_read_back(value: float) -> None:
    assert number_header({"ratelimit-reset": repr(value)}, "ratelimit-reset") == value


@given(st.floats())
def test_a_value_is_kept_exactly_when_finite_and_not_negative(value: float) -> None:
    kept = number_header({"h": repr(value)}, "h")
    assert (kept is not None) == (math.isfinite(value) and value >= 0)


@pytest.mark.parametrize("raw", UNUSABLE)
def test_a_429_ignores_an_unusable_retry_after(raw: str) -> None:
    error = error_from_response(
        method="GET",
        path="/v2/droplets",
        status=429,
        body=b'{"id": "too_many_requests", "message": "slow down"}',
        headers={"retry-after": raw, "ratelimit-reset": "1700000000"},
    )
    assert isinstance(error, DORateLimitError)
    assert error.retry_after is None
    assert error.reset_at == 1_700_000_000


def _blocked(headers: dict[str, str]) -> bool:
    budget = RateBudget(fingerprint="headers", per_minute=100, per_hour=5000, burst_window=1)
    budget.observe(headers)
    slot = budget.acquire(max_wait=0.1)
    if slot is not None:
        budget.release(slot)
    return slot is None


def test_the_budget_waits_on_a_usable_hint() -> None:
    far = f"{time.time() + 30:.0f}"
    assert _blocked({"ratelimit-remaining": "0", "ratelimit-reset": far})


@pytest.mark.parametrize("raw", UNUSABLE)
def test_the_budget_ignores_an_unusable_remaining(raw: str) -> None:
    far = f"{time.time() + 30:.0f}"
    assert not _blocked({"ratelimit-remaining": raw, "ratelimit-reset": far})

"""Exact amount parsing: DO's formats to integer cents, never through floats."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_core.billing.money import cents_of, format_usd
from tests.core.billing.helpers import amount_to_cents

CENTS = st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$3.11", 311),
        ("$1,234.56", 123456),
        ("-$5.00", -500),
        ("($5.00)", -500),
        ("$-5.00", -500),
        ("$0.00", 0),
        (" $7.9 ", 790),
        ("$12", 1200),
        ("4.20", 420),
        ("$1,234,567,890.01", 123456789001),
        ("$0.10", 10),  # 0.1 is not a float's friend; cents are exact
        ("$999999999999999.99", 99999999999999999),
    ],
)
def test_do_amounts_become_exact_cents(text: str, cents: int) -> None:
    assert amount_to_cents(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "USD",
        "$",
        "$1.234",
        "$1,23.00",
        "($5.00",
        "$5.00)",
        "--$5",
        "(-$5.00)",
        "$1 234.00",
        "5,00",
        "$1e3",
        "NaN",
        "$12,3456.00",
        "$1234567890123456.00",
    ],
)
def test_non_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        amount_to_cents(text)


def test_nothing_and_non_text_are_not_amounts() -> None:
    values = ("$1.00", None, "oops", "($2.50)", "")
    assert [cents_of(v) for v in values] == [100, None, None, -250, None]


def _styles(cents: int) -> list[str]:
    whole, frac = divmod(abs(cents), 100)
    plain = f"${whole}.{frac:02d}"
    grouped = f"${whole:,}.{frac:02d}"
    if cents < 0:
        return [f"-{plain}", f"-{grouped}", f"({plain})", f"({grouped})", f"$-{whole}.{frac:02d}"]
    return [plain, grouped, f"{whole}.{frac:02d}", f" {grouped} "]


@settings(deadline=None)
@given(CENTS)
def test_every_format_of_an_amount_parses_to_its_cents(cents: int) -> None:
    styles = _styles(cents)
    assert [cents_of(style) for style in styles] == [cents] * len(styles), styles
    assert amount_to_cents(format_usd(cents)) == cents


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=9))
def test_one_decimal_means_tenths(whole: int, tenth: int) -> None:
    assert amount_to_cents(f"${whole:,}.{tenth}") == whole * 100 + tenth * 10


@settings(deadline=None)
@given(st.text(alphabet="$(),.-0123456789 abc", max_size=12))
def test_parse_never_guesses(text: str) -> None:
    """An accepted value's cents are exactly the input's digits (dollars x 100 + cents), its
    sign from ``-`` or parentheses; a refused one is refused by both entry points."""
    cents = cents_of(text)
    if cents is None:
        with pytest.raises(ValueError):
            amount_to_cents(text)
        return
    assert amount_to_cents(text) == cents
    number = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    whole, _, frac = number.partition(".")
    assert abs(cents) == int(whole) * 100 + int(frac.ljust(2, "0"))
    assert (cents < 0) == (cents != 0 and ("-" in text or "(" in text))

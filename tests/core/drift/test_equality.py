"""Loose equality: the examples the issue names, and properties that hold for any JSON value."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_core.drift.equality import canonical, json_text, loosely_equal

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, "1"),
        ("1", 1),
        (1.0, 1),
        (2.5, "2.5"),
        (True, "true"),
        (None, None),
        (["a", "b", "c"], ["c", "a", "b"]),
        (["a", "a", "b"], ["b", "a"]),
        ([1, 2], ["2", "1"]),
        ({"a": 1, "b": None}, {"a": "1"}),
        ({"size": {"slug": "s-1"}}, {"size": {"slug": "s-1", "extra": None}}),
        ([{"n": 1}, {"n": 2}], [{"n": "2"}, {"n": "1"}]),
        (Decimal("3"), 3),
        (Decimal("0.1"), 0.1),
    ],
)
def test_loosely_equal_examples(expected: Any, actual: Any) -> None:
    assert loosely_equal(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, 2),
        ("1", "01"),
        ("a", "A"),
        (None, ""),
        (None, 0),
        (None, []),
        (False, None),
        (["a"], ["a", "b"]),
        (["a"], "a"),
        ({"a": 1}, [["a", 1]]),
        ({"a": 1}, {"a": 2}),
        ({"a": 1}, {"b": 1}),
        (1.5, 1),
    ],
)
def test_loosely_unequal_examples(expected: Any, actual: Any) -> None:
    assert not loosely_equal(expected, actual)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_reflexive_and_survives_a_json_round_trip(value: Any) -> None:
    assert loosely_equal(value, value)
    assert loosely_equal(value, json.loads(json.dumps(value)))


@settings(max_examples=60, deadline=None)
@given(json_values, json_values)
def test_symmetric_and_agrees_with_canonical_form(a: Any, b: Any) -> None:
    assert loosely_equal(a, b) == loosely_equal(b, a)
    assert loosely_equal(a, b) == (canonical(a) == canonical(b))


@settings(max_examples=60, deadline=None)
@given(st.lists(json_values, max_size=6), st.randoms(use_true_random=False))
def test_list_order_never_matters(items: list[Any], random: Any) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)
    assert loosely_equal(items, shuffled)
    assert loosely_equal({"k": items}, {"k": list(reversed(items))})


@settings(max_examples=60, deadline=None)
@given(st.integers())
def test_numbers_equal_their_decimal_text(number: int) -> None:
    assert loosely_equal(number, str(number))
    assert loosely_equal(str(number), number)
    assert not loosely_equal(number, str(number + 1))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20))
def test_distinct_strings_are_never_equal(a: str, b: str) -> None:
    assert loosely_equal(a, b) == (a == b)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=5), json_values, max_size=4), st.text(min_size=1)
)
def test_a_null_key_is_a_missing_key(mapping: dict[str, Any], key: str) -> None:
    with_null = {**mapping, key: None}
    without = {k: v for k, v in mapping.items() if k != key}
    assert loosely_equal(with_null, without)


def _stringify_numbers(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_stringify_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _stringify_numbers(item) for key, item in value.items()}
    return value


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_integers_anywhere_may_arrive_as_strings(value: Any) -> None:
    assert loosely_equal(value, _stringify_numbers(value))


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_json_text_is_stable_under_key_order(value: Any) -> None:
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert json_text(value) == json_text(reordered)
    assert json.loads(json_text(value)) == value

"""Field readers: the common shapes take a fast path, every other shape keeps its exact rules."""

from __future__ import annotations

from collections import UserDict
from typing import Any

import pytest

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    opt_bool,
    opt_float,
    opt_int,
    opt_list,
    opt_str,
    req_id,
    req_int,
    req_str,
    str_tuple,
)


@pytest.mark.parametrize(
    ("reader", "value", "expected"),
    [
        (req_str, "web-1", "web-1"),
        (opt_str, "web-1", "web-1"),
        (opt_str, 42, "42"),
        (opt_str, "", None),
        (opt_str, None, None),
        (req_id, 42, "42"),
        (req_id, "a-b", "a-b"),
        (req_int, 7, 7),
        (req_int, "7", 7),
        (req_int, 7.0, 7),
        (opt_int, "", None),
        (opt_int, " -3 ", -3),
        (opt_float, 2.5, 2.5),
        (opt_float, 3, 3.0),
        (opt_float, "1.5", 1.5),
        (opt_bool, True, True),
        (opt_bool, None, False),
        (opt_list, [1, "a"], [1, "a"]),
        (opt_list, None, []),
        (str_tuple, ["b", "a"], ("b", "a")),
        (str_tuple, [3, 1], ("3", "1")),
        (str_tuple, [3, "x"], ("3", "x")),
        (str_tuple, [], ()),
        (str_tuple, None, ()),
    ],
)
def test_readers_accept(reader: Any, value: object, expected: object) -> None:
    assert reader({"f": value}, "f") == expected


@pytest.mark.parametrize(
    ("reader", "value", "field"),
    [
        (req_str, "", "f"),
        (req_str, 42, "f"),
        (req_str, None, "f"),
        (opt_str, True, "f"),
        (req_id, True, "f"),
        (req_id, "", "f"),
        (req_id, 1.5, "f"),
        (req_int, True, "f"),
        (req_int, "7.5", "f"),
        (opt_int, False, "f"),
        (opt_float, True, "f"),
        (opt_float, "many", "f"),
        (opt_bool, "yes", "f"),
        (opt_list, "abc", "f"),
        (str_tuple, [1, True], "f[1]"),
        (str_tuple, ["a", None], "f[1]"),
        (str_tuple, [{"k": "v"}], "f[0]"),
    ],
)
def test_readers_reject_and_name_the_field(reader: Any, value: object, field: str) -> None:
    with pytest.raises(FieldError) as info:
        reader({"f": value}, "f")
    assert info.value.field == field


def test_missing_required_fields_are_named() -> None:
    for reader in (req_str, req_id, req_int):
        with pytest.raises(FieldError, match="missing"):
            reader({}, "f")


def test_dotted_paths_and_non_dict_mappings() -> None:
    payload = UserDict({"image": UserDict({"id": 5, "slug": "ubuntu"})})
    assert req_id(payload, "image.id") == "5"
    assert opt_str(payload, "image.slug") == "ubuntu"
    assert opt_str(payload, "image.missing") is None
    assert opt_str({"image": "not-an-object"}, "image.slug") is None

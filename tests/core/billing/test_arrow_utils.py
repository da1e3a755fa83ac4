"""Dictionary encoding of text columns: the memo-table and the grouping encoders agree."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from arcadia_cloud_core.billing.arrow_utils import Encoded, decode, encode, encode_many

_VALUES = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "web (s-1)", "", "é"])))


def _chunked(values: list[str | None], cut: int) -> pa.ChunkedArray:
    cut = min(cut, len(values))
    chunks = [values[:cut], values[cut:]]
    return pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks], type=pa.string())


def _assert_well_formed(encoded: Encoded, values: list[str | None]) -> None:
    dictionary = encoded.dictionary.to_pylist()
    assert None not in dictionary
    assert len(set(dictionary)) == len(dictionary)
    assert encoded.indices.dtype == np.int32
    assert decode(encoded).to_pylist() == values
    assert [i < 0 for i in encoded.indices.tolist()] == [v is None for v in values]


@settings(max_examples=150, deadline=None)
@given(values=_VALUES, cut=st.integers(0, 20))
def test_encode_many_gives_what_encode_gives_up_to_the_dictionary_order(
    values: list[str | None], cut: int
) -> None:
    column = _chunked(values, cut)
    many, memo = encode_many(column), encode(column)
    _assert_well_formed(many, values)
    _assert_well_formed(memo, values)
    assert sorted(many.dictionary.to_pylist()) == sorted(memo.dictionary.to_pylist())


def test_encode_many_on_a_large_column_with_a_null_group() -> None:
    rng = np.random.default_rng(3)
    names = [f"node-{i} (s-1vcpu-2gb)" for i in rng.integers(0, 5_000, size=60_000)]
    names[7] = names[40_000] = None
    encoded = encode_many(pa.chunked_array([names[:25_000], names[25_000:]]))
    _assert_well_formed(encoded, names)
    assert len(encoded.dictionary) == len({n for n in names if n is not None})


def test_encode_many_of_nothing_and_of_only_nulls() -> None:
    assert len(encode_many(pa.chunked_array([], type=pa.string())).indices) == 0
    only_nulls = encode_many(pa.chunked_array([pa.array([None, None], type=pa.string())]))
    assert only_nulls.indices.tolist() == [-1, -1]
    assert len(only_nulls.dictionary) == 0

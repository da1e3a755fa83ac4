"""Small bridges between pandas columns and pyarrow arrays.

String columns travel as ``pa.ChunkedArray`` of ``pa.string()``: the CSV reader produces chunks,
and pyarrow compute works on them directly, so nothing is concatenated (copying a million-line
column costs fresh memory, which is what dominated the profile).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.ArrowDtype(pa.string())
#: The dtype of categories of label columns (what ``astype("category")`` gives for text).
_CATEGORY_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _large_buffer_pool() -> pa.MemoryPool:
    """jemalloc (else the system allocator) for the pipeline's large column buffers.

    pyarrow's default mimalloc pool backs big allocations with transparent huge pages; in a
    fresh process (every ingest run is one) faulting those in cost more kernel time than the
    parse itself. jemalloc serves the same buffers from ordinary pages."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow build without jemalloc
        return pa.system_memory_pool()


#: The memory pool for the invoice pipeline's column-sized allocations.
POOL = _large_buffer_pool()

StringInput = pa.Array | pa.ChunkedArray | pd.Series | Sequence[str | None]


def strings(values: StringInput) -> pa.ChunkedArray:
    """``values`` as a chunked ``pa.string()`` array (nulls kept; zero-copy where possible)."""
    if isinstance(values, pd.Series):
        backing = getattr(values.array, "_pa_array", None)
        if backing is not None:
            values = backing
        else:
            values = pa.array(values.to_numpy(dtype=object), from_pandas=True)
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    elif not isinstance(values, pa.ChunkedArray):
        values = pa.chunked_array([pa.array(list(values), type=pa.string())])
    return values if values.type == pa.string() else values.cast(pa.string())


def string_series(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A pandas string column (``ArrowDtype(pa.string())``) backed by ``values``."""
    return pd.Series(pd.arrays.ArrowExtensionArray(strings(values)), copy=False)


@dataclass(frozen=True)
class Encoded:
    """A column as its distinct values and, per row, the position of its value (-1: null)."""

    dictionary: pa.Array
    indices: np.ndarray  # int32 (or int64)


def decode(encoded: Encoded) -> pa.Array:
    """The column back as one string per row (``indices`` -1 → null)."""
    nulls = encoded.indices < 0
    positions = pa.array(encoded.indices, mask=nulls) if nulls.any() else encoded.indices
    return pc.take(encoded.dictionary, positions, memory_pool=POOL)


def encode(values: StringInput) -> Encoded:
    """Dictionary-encode a string column (one dictionary across all its chunks); a column
    that already is dictionary-encoded (or a pandas categorical) keeps its codes (a chunked
    array's dictionaries unified)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        categories = strings(pd.Series(values.cat.categories)).combine_chunks()
        return Encoded(categories, values.cat.codes.to_numpy())
    if isinstance(values, pa.ChunkedArray) and pa.types.is_dictionary(values.type):
        encoded = values.unify_dictionaries(memory_pool=POOL)
        if encoded.num_chunks and encoded.type.value_type != pa.string():
            return encode(values.cast(pa.string()))
    else:
        encoded = pc.dictionary_encode(strings(values), memory_pool=POOL)
    if encoded.num_chunks == 0:
        return Encoded(pa.array([], type=pa.string()), np.zeros(0, dtype=np.int32))
    indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks], type=pa.int32())
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return Encoded(encoded.chunk(0).dictionary, indices.to_numpy())


def encode_many(values: StringInput) -> Encoded:
    """:func:`encode` for a column of many distinct values (one per few rows, as invoice
    descriptions: one per resource and size), the same codes up to the dictionary's order.

    Acero's grouping hash table (batched, cache-friendly) finds each row's group, and a list
    of row numbers per group gives the codes back: on a million descriptions with 180,000
    distinct values this is about 1.5x faster than ``dictionary_encode``'s memo table, whose
    every lookup misses the cache. (For a few distinct values the memo table is faster.)"""
    column = strings(values)
    n = len(column)
    if not n:
        return encode(column)
    rows = pa.array(np.arange(n, dtype=np.int32))
    groups = pa.table({"value": column, "row": rows}).group_by("value", use_threads=False)
    grouped = groups.aggregate([("row", "list")])
    keys = grouped.column("value").combine_chunks()
    members = grouped.column("row_list").combine_chunks()
    code = np.arange(len(keys), dtype=np.int32)
    if keys.null_count:  # nulls form a group of their own: code -1, not in the dictionary
        null = keys.is_null().to_numpy(zero_copy_only=False)
        code = np.where(null, -1, code - np.cumsum(null, dtype=np.int32))
        keys = keys.drop_null()
    codes = np.empty(n, dtype=np.int32)
    sizes = pc.list_value_length(members).to_numpy(zero_copy_only=False)
    codes[pc.list_flatten(members).to_numpy(zero_copy_only=False)] = np.repeat(code, sizes)
    return Encoded(keys, codes)


def categorical_series(encoded: Encoded) -> pd.Series:
    """A pandas categorical column straight from dictionary codes: no string per row.

    The categories are the distinct non-null values some row uses, sorted, as
    ``astype("category")`` would give them (so sorting, grouping and ``value_counts`` behave as
    on the text); the dictionary may repeat values or hold nulls. Missing values are NaN.
    Per row this costs one count and one lookup; the rest is per dictionary entry (one sort,
    after which equal values are neighbours)."""
    dictionary = strings(encoded.dictionary).combine_chunks()
    codes = encoded.indices
    size = len(dictionary)
    used = np.flatnonzero(np.bincount(codes + 1, minlength=size + 1)[1:])  # code -1: slot 0
    values = dictionary.take(pa.array(used)) if used.size < size else dictionary
    order = pc.array_sort_indices(values, null_placement="at_end")
    order = order.to_numpy(zero_copy_only=False)[: len(values) - values.null_count]
    ordered = values.take(pa.array(order))
    first = np.ones(len(ordered), dtype=bool)  # the first of each run of equal values
    if len(ordered) > 1:
        same = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
        first[1:] = ~same.to_numpy(zero_copy_only=False)
    rank = np.cumsum(first) - 1
    per_entry = np.full(size + 1, -1, dtype=_code_type(int(first.sum())))  # last slot: -1
    per_entry[used[order]] = rank
    categories = pd.Index(pd.array(ordered.filter(pa.array(first)), dtype=_CATEGORY_TEXT))
    dtype = pd.CategoricalDtype(categories)
    column = pd.Categorical.from_codes(per_entry[codes], dtype=dtype, validate=False)
    return pd.Series(column, copy=False)


def _code_type(categories: int) -> type[np.signedinteger]:
    """The code dtype pandas uses for that many categories (so codes are taken as they are)."""
    return np.int8 if categories < 2**7 else np.int16 if categories < 2**15 else np.int32

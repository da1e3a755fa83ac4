"""The billing frames' column types: text as pyarrow strings, labels as compact categoricals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

#: Text columns are pyarrow strings: compact, and their ``.str`` methods run in C++.
STRING = pd.ArrowDtype(pa.string())


def texts(values: pd.Series | Iterable[str | None]) -> pd.Series:
    """``values`` as a :data:`STRING` column (nulls kept; a Series keeps its index, a
    categorical one stays categorical: its distinct values are known)."""
    if isinstance(values, pd.Series):
        keep = values.dtype == STRING or isinstance(values.dtype, pd.CategoricalDtype)
        return values if keep else values.astype(STRING)
    return pd.Series(list(values), dtype=STRING)


def labels(codes: np.ndarray, vocabulary: Sequence[str]) -> pd.Series:
    """A categorical column from positions in ``vocabulary`` (-1: missing). Its categories are
    the values that occur, sorted, as ``astype("category")`` makes them (so ``value_counts``
    and ``groupby`` list no value that no row has)."""
    used = sorted(vocabulary[i] for i in np.flatnonzero(np.bincount(codes[codes >= 0])))
    remap = np.full(len(vocabulary) + 1, -1, dtype=np.int16)  # the last slot: code -1
    remap[[vocabulary.index(value) for value in used]] = np.arange(len(used))
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=used))


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's position among the distinct values (-1: null), and those values as text.

    Per-line rules run once per distinct value through this; a categorical column (as
    ``annotate_lines`` passes descriptions) gives both for free."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), texts(pd.Series(values.cat.categories))
    codes, uniques = pd.factorize(values)
    return codes, texts(pd.Series(uniques))

"""Resources prepared for matching: integer keys and their lookup tables, per stage.

A key is ``kind`` × |vocabulary| + the position of a text (a lower-cased name, a DO id, a
normalised snapshot name) in the vocabulary of resource texts; a line's key is built the same
way from its target kind and its text's position (looked up once per distinct text), so a
million lines cost integer array lookups. Nothing here depends on an invoice: each stage's
tables are built on first use and can be built while the invoice is still being parsed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arcadia_cloud_core.billing.arrow_utils import encode, strings
from arcadia_cloud_core.billing.names import normalise_names
from arcadia_cloud_core.db.schema import RESOURCE_KINDS

#: Kinds whose DO id is also the name a bill uses (a reserved IP's address, a domain's name).
NAME_IS_ID_KINDS = frozenset({"reserved_ip", "dns_zone"})
KINDS: tuple[str, ...] = tuple(RESOURCE_KINDS)
_DENSE_KEYS = 1 << 23  # key spaces up to this use a lookup table (4 bytes a key)
_FEW = 8  # values this many times fewer than a vocabulary: look the vocabulary up instead
_T = TypeVar("_T")


def take(values: pa.ChunkedArray | pa.Array, where: np.ndarray) -> pa.ChunkedArray | pa.Array:
    """``values`` at positions ``where`` (the column itself when ``where`` is every row)."""
    return values if len(where) == len(values) else pc.take(values, pa.array(where))


def codes_in(values: pa.ChunkedArray | pa.Array, vocabulary: pa.Array) -> np.ndarray:
    """Position of each value in ``vocabulary`` (distinct values; -1: null or absent).

    A lookup hashes its value set: when the values are far fewer than the vocabulary, the
    vocabulary is looked up among the values instead (then mapped back)."""
    if not len(vocabulary):
        return np.full(len(values), -1, dtype=np.int64)
    if len(values) * _FEW < len(vocabulary):
        values = pc.dictionary_encode(strings(values).combine_chunks())
        distinct = values.dictionary
        at = pc.index_in(vocabulary, value_set=distinct)  # per vocabulary entry, or null
        hits = np.flatnonzero(at.is_valid().to_numpy(zero_copy_only=False))
        positions = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the last slot: null
        positions[at.take(pa.array(hits)).to_numpy(zero_copy_only=False)] = hits
        indices = pc.fill_null(values.indices, -1).to_numpy(zero_copy_only=False)
        return positions[indices]
    found = pc.index_in(values, value_set=vocabulary)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def keys_of(kind_codes: np.ndarray, codes: np.ndarray, width: int) -> np.ndarray:
    """One key per (kind, text code); -1 where either is missing (int32 while keys fit)."""
    width = max(width, 1)
    keys = kind_codes.astype(np.int32 if len(KINDS) * width < 2**31 else np.int64)
    keys *= width
    keys += codes
    keys[(kind_codes < 0) | (codes < 0)] = -1
    return keys


@dataclass(frozen=True)
class KeyIndex:
    """Integer keys of candidate resources. A key held by one row maps to it; a key held by
    several is ambiguous and its (key, row) pairs are kept for tie-breaking.

    Keys are below ``space``; when that is small enough the lookup is one array index (a
    dense table: row, -1 absent, -2 ambiguous), else a hash lookup of the unique keys."""

    keys: pd.Index  # unique keys
    rows: np.ndarray  # per unique key: its row, -1 if ambiguous
    ties: pd.DataFrame  # key, row: the candidates of ambiguous keys
    table: np.ndarray | None  # dense: key -> row, -1 absent, -2 ambiguous; [-1] = -1

    @classmethod
    def build(cls, keys: np.ndarray, rows: np.ndarray, space: int) -> KeyIndex:
        """Index ``rows`` by ``keys`` (-1: no key); every key is below ``space``."""
        valid = keys >= 0
        keys, rows = keys[valid], rows[valid]
        width = int(rows.max()) + 1 if rows.size else 1
        pairs = np.sort(keys.astype(np.int64) * width + rows)  # by key, then row
        if pairs.size > 1:  # no duplicate pairs (a sort and a neighbour test beat np.unique)
            pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
        keys, rows = pairs // width, pairs % width
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
        counts = np.diff(np.r_[first, keys.size])
        uniq, single = keys[first], rows[first]
        tied = np.repeat(counts > 1, counts)
        ties = pd.DataFrame({"key": keys[tied], "row": rows[tied]})
        table = None
        if space <= _DENSE_KEYS and width < 2**31:
            table = np.full(space + 1, -1, dtype=np.int32)  # the last slot: key -1
            table[uniq] = np.where(counts == 1, single, -2)
        return cls(pd.Index(uniq), np.where(counts == 1, single, -1), ties, table)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row or -1, is-ambiguous) per key."""
        if not len(self.rows):
            return np.full(len(keys), -1, dtype=np.int64), np.zeros(len(keys), dtype=bool)
        if self.table is not None:
            found = self.table[keys]  # key -1 picks the last slot: -1
            return np.maximum(found, -1), found == -2
        pos = self.keys.get_indexer(keys)
        found = (keys >= 0) & (pos >= 0)
        rows = np.where(found, self.rows[pos], -1)
        return rows, found & (rows < 0)


@dataclass(frozen=True)
class TextStage:
    """One stage's vocabulary of resource texts and its indexes (all / live / deleted rows)."""

    vocabulary: pa.Array
    width: int
    indexes: dict[str, KeyIndex]

    def codes(self, texts: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """Each text's position in the vocabulary (-1: null or absent)."""
        return codes_in(texts, self.vocabulary)


class ResourceIndex:
    """A resources frame (as from ``matching.resources_frame``) prepared for matching.

    Each stage is built on first use, once, even when two threads ask for it at once."""

    def __init__(self, resources: pd.DataFrame) -> None:
        self.res = resources
        self.kind = codes_in(strings(resources["kind"]), pa.array(KINDS, type=pa.string()))
        self.deleted = resources["deleted_at"].to_numpy(dtype="datetime64[us]")
        self.live = np.isnat(self.deleted)
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _once(self, name: str, build: Callable[[], _T]) -> _T:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    def __len__(self) -> int:
        return len(self.res)

    def _stage(
        self, texts: pa.ChunkedArray, rows: np.ndarray, kinds: np.ndarray, *, split: bool
    ) -> TextStage:
        """Index ``rows`` by (kind, text): all together, or (``split``) live and deleted apart."""
        encoded = encode(texts)  # the vocabulary and each text's position, in one hash pass
        vocabulary, width = encoded.dictionary, len(encoded.dictionary)
        keys = keys_of(kinds, encoded.indices.astype(np.int64), width)
        space = len(KINDS) * max(width, 1)
        if not split:
            return TextStage(vocabulary, width, {"all": KeyIndex.build(keys, rows, space)})
        live = self.live[rows]
        indexes = {
            "live": KeyIndex.build(keys[live], rows[live], space),
            "deleted": KeyIndex.build(keys[~live], rows[~live], space),
        }
        return TextStage(vocabulary, width, indexes)

    @property
    def ids(self) -> TextStage:
        """DO ids (``provider_id``) by kind: stage 1."""
        return self._once("ids", self._ids)

    @property
    def names(self) -> TextStage:
        """Lower-cased names by kind, and the ids of kinds billed by their id: stages 2 and 3."""
        return self._once("names", self._names)

    @property
    def snapshots(self) -> tuple[np.ndarray, pa.Array, TextStage]:
        """Snapshot rows, their normalised names, and those names' stage (stage 4)."""
        return self._once("snapshots", self._snapshots)

    def _ids(self) -> TextStage:
        rows = np.arange(len(self))
        return self._stage(strings(self.res["provider_id"]), rows, self.kind, split=False)

    def _names(self) -> TextStage:
        names = pc.utf8_lower(strings(self.res["name"]))
        id_kinds = [KINDS.index(k) for k in NAME_IS_ID_KINDS]
        id_rows = np.flatnonzero(np.isin(self.kind, id_kinds))
        ids = pc.utf8_lower(take(strings(self.res["provider_id"]), id_rows))
        texts = pa.chunked_array(names.chunks + strings(ids).chunks, type=pa.string())
        rows = np.concatenate([np.arange(len(self)), id_rows])
        return self._stage(texts, rows, self.kind[rows], split=True)

    def _snapshots(self) -> tuple[np.ndarray, pa.Array, TextStage]:
        rows = np.flatnonzero(self.kind == KINDS.index("snapshot"))
        normalised = normalise_names(take(strings(self.res["name"]), rows))
        stage = self._stage(strings(normalised), rows, self.kind[rows], split=True)
        return rows, normalised, stage

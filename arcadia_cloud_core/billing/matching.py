"""Attribute invoice lines to ``cloud_resources`` rows, vectorised, in a fixed order.

1. ``resource_id``: the invoice's JSON items carry DO's ``resource_id``/``resource_uuid`` for a
   line (paired with the CSV line by product, description, amount and charge period); that id is
   looked up as ``provider_id`` among all resources of the line's target kind, live or deleted.
2. ``name_live``: ``(kind, lower(name))`` against live resources (``deleted_at IS NULL``).
3. ``name_deleted``: the same against deleted resources that were still alive when the charge
   began (``deleted_at >= period_start``), so past invoices still reach destroyed droplets.
4. ``normalised_name`` (snapshots only): DO's billing sometimes names a snapshot differently from
   the API. Within kind ``snapshot`` only, and only when exactly one snapshot qualifies (live
   ones first, then deleted ones alive at the charge start; ties narrowed as below), a line
   matches when
   (a) both names normalise equal (lower-case, runs of non-alphanumerics → ``-``), or
   (b) the billed name is the live name plus a 10-digit epoch suffix (``…-1775012400``), or
   (c) the billed name is truncated with ``...`` and its normalised prefix (8+ characters) starts
   exactly one snapshot's normalised name. Never across kinds, never on a tie.

Several candidates for one key are narrowed by lifetime (a deleted resource must have been alive
when the charge began) and then by the line's project name; if several remain, the line stays
unmatched as ``ambiguous`` and later stages do not try it (an ambiguous live name is not
resolved by guessing among deleted ones). Backup lines (``droplet_backup``) are matched against
droplets (their parent). Every unmatched line says why: :data:`UNMATCHED_REASONS`.

Keys are integers: ``kind`` × |vocabulary| + the position of the lower-cased name in the
vocabulary of resource names (:mod:`~arcadia_cloud_core.billing.resource_index`), so a million
lines cost one hash lookup per distinct name and then array lookups per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from arcadia_cloud_core.billing.arrow_utils import (
    STRING,
    Encoded,
    categorical_series,
    decode,
    encode,
    strings,
)
from arcadia_cloud_core.billing.kinds import ACCOUNT_LEVEL_KINDS, TAX_KIND, target_kind
from arcadia_cloud_core.billing.names import normalise_names
from arcadia_cloud_core.billing.resource_index import (
    KINDS,
    KeyIndex,
    ResourceIndex,
    keys_of,
    take,
)
from arcadia_cloud_core.billing.resource_index import NAME_IS_ID_KINDS as NAME_IS_ID_KINDS
from arcadia_cloud_core.db.schema import PROVIDER, cloud_projects, cloud_resources

MATCH_METHODS = ("resource_id", "name_live", "name_deleted", "normalised_name")
UNMATCHED_REASONS = ("tax", "account_level", "no_kind", "no_resource", "ambiguous")
RESOURCE_COLUMNS = ("id", "kind", "provider_id", "name", "deleted_at", "project_name", "tenant_id")
ITEM_COLUMNS = (
    "product",
    "description",
    "amount_cents",
    "period_start",
    "period_end",
    "resource_id",
    "resource_uuid",
)

_MIN_PREFIX = 8


# -- inputs ---------------------------------------------------------------------------------------
def load_resources(connection: sa.Connection, *, provider: str = PROVIDER) -> pd.DataFrame:
    """Every resource of ``provider`` (live and deleted) as a frame of :data:`RESOURCE_COLUMNS`."""
    r, p = cloud_resources, cloud_projects
    stmt = (
        sa.select(
            r.c.id,
            r.c.kind,
            r.c.provider_id,
            r.c.name,
            r.c.deleted_at,
            p.c.name.label("project_name"),
            r.c.tenant_id,
        )
        .select_from(r.outerjoin(p, p.c.id == r.c.cloud_project_id))
        .where(r.c.provider == provider)
    )
    rows = connection.execute(stmt).all()
    return resources_frame(dict(zip(RESOURCE_COLUMNS, row, strict=True)) for row in rows)


def resources_frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Normalise resource rows (dicts or a frame) to the columns and dtypes matching expects."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for col in RESOURCE_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = frame.loc[:, list(RESOURCE_COLUMNS)].reset_index(drop=True)
    frame["id"] = frame["id"].astype(np.int64)
    for col in ("kind", "provider_id", "name", "project_name", "tenant_id"):
        frame[col] = frame[col].astype(STRING)
    deleted = pd.to_datetime(frame["deleted_at"], utc=True)
    frame["deleted_at"] = deleted.astype("datetime64[us, UTC]")
    return frame


def items_frame(items: Iterable[Any]) -> pd.DataFrame:
    """DO's JSON invoice items (``InvoiceItem`` models or dicts) as a frame of ITEM_COLUMNS."""
    rows = []
    for item in items:
        get = item.get if isinstance(item, Mapping) else lambda k, _i=item: getattr(_i, k, None)
        amount = get("amount_cents")
        rows.append(
            {
                "product": get("product"),
                "description": get("description"),
                "amount_cents": amount,
                "period_start": get("start_time") or get("period_start"),
                "period_end": get("end_time") or get("period_end"),
                "resource_id": get("resource_id"),
                "resource_uuid": get("resource_uuid"),
            }
        )
    frame = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    frame["amount_cents"] = frame["amount_cents"].astype(np.int64)
    for col in ("product", "description", "resource_id", "resource_uuid"):
        frame[col] = frame[col].astype(STRING)
    for col in ("period_start", "period_end"):
        frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
    return frame


# -- matching state -------------------------------------------------------------------------------
class _Matcher:
    """Match state over one set of lines: chosen resource row and method code per line."""

    def __init__(self, lines: LineKeys, index: ResourceIndex) -> None:
        self.lines, self.index = lines, index
        n = len(lines.period_start)
        self.row = np.full(n, -1, dtype=np.int32)
        self.method = np.full(n, -1, dtype=np.int8)
        self.ambiguous = np.zeros(n, dtype=bool)
        self.kinds, self.kind_idx, self.target = _targets(lines.kinds)
        self.line_start = lines.period_start
        #: Lines still to match: a target kind, no match yet, not found ambiguous.
        self.open = self.target >= 0

    def names(self, where: np.ndarray) -> pa.Array:
        """The parsed names of lines ``where`` (null where none)."""
        at = self.lines.names.indices[where]
        return decode(Encoded(self.lines.names.dictionary, at))

    def assign(self, where: np.ndarray, rows: np.ndarray, method: str) -> None:
        """Match lines ``where`` to resource ``rows`` (same length; -1 entries are skipped)."""
        hit = rows >= 0
        where, rows = where[hit], rows[hit]
        self.row[where] = rows
        self.method[where] = MATCH_METHODS.index(method)
        self.ambiguous[where] = False
        self.open[where] = False

    def mark_ambiguous(self, where: np.ndarray) -> None:
        """Lines ``where`` have several candidates: unmatched, and no later stage tries them."""
        self.ambiguous[where] = True
        self.open[where] = False

    def alive_at_start(self, where: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per (line, candidate): the candidate was not yet deleted when the charge began."""
        deleted = self.index.deleted[np.maximum(rows, 0)]
        return (rows >= 0) & (np.isnat(deleted) | (deleted >= self.line_start[where]))

    def match(
        self, where: np.ndarray, keys: np.ndarray, index: KeyIndex, method: str, *, live: bool
    ) -> None:
        """Match lines ``where`` by their ``keys``; settle ties, else mark them ambiguous.

        A candidate must have been alive when the charge began (``live``: every candidate is);
        among several, those in the line's project win; a single survivor is the match."""
        rows, ambiguous = index.lookup(keys)
        alive = rows >= 0 if live else self.alive_at_start(where, rows)
        self.assign(where, np.where(alive, rows, -1), method)
        tied = np.flatnonzero(ambiguous)
        if tied.size:
            self.settle_ties(where[tied], keys[tied], index, method)

    def match_open_live(self, keys: np.ndarray, index: KeyIndex, method: str) -> None:
        """:meth:`match` for every open line with a key (-1: none), against live resources
        only; whole-column passes instead of gathering the lines first."""
        candidates = self.open & (keys >= 0)
        rows, ambiguous = index.lookup(keys)
        hit = candidates & (rows >= 0)
        np.copyto(self.row, rows, where=hit)
        np.copyto(self.method, MATCH_METHODS.index(method), where=hit)
        self.ambiguous &= ~hit
        self.open &= ~hit
        tied = np.flatnonzero(candidates & ambiguous)
        if tied.size:
            self.settle_ties(tied, keys[tied], index, method)

    def settle_ties(
        self, lines: np.ndarray, keys: np.ndarray, index: KeyIndex, method: str
    ) -> None:
        """Lines whose key several resources share: the one alive at the charge start, else
        the one alive in the line's project; otherwise the line is ambiguous."""
        cand = pd.DataFrame({"line": lines, "key": keys}).merge(index.ties, on="key")
        cand = cand[self.alive_at_start(cand["line"].to_numpy(), cand["row"].to_numpy())]
        line_project = pc.utf8_lower(pc.take(self.lines.project_names, cand["line"].to_numpy()))
        res_project = pc.utf8_lower(strings(self.index.res["project_name"].iloc[cand["row"]]))
        same = pc.fill_null(pc.equal(line_project, res_project), False)
        cand = cand.assign(same=same.to_numpy(zero_copy_only=False))
        single = cand[cand.groupby("line")["row"].transform("size") == 1]
        in_project = cand[cand["same"]]
        in_project = in_project[in_project.groupby("line")["row"].transform("size") == 1]
        chosen = pd.concat([single, in_project[~in_project["line"].isin(single["line"])]])
        self.assign(chosen["line"].to_numpy(), chosen["row"].to_numpy(), method)
        self.mark_ambiguous(np.setdiff1d(lines, chosen["line"].to_numpy()))


# -- the stages -----------------------------------------------------------------------------------
def _pair_items(lines: pd.DataFrame, items: pd.DataFrame) -> tuple[pa.Array, pa.Array]:
    """Each line's DO ``resource_id`` and ``resource_uuid`` from its paired JSON item."""
    key = ["product", "description", "amount_cents", "period_start", "period_end"]
    left = lines.loc[:, key].copy()
    right = items.loc[:, [*key, "resource_id", "resource_uuid"]].copy()
    for frame in (left, right):
        for col in ("product", "description"):
            frame[col] = frame[col].astype(STRING).fillna("")
        frame["nth"] = frame.groupby(key, dropna=False).cumcount()
    left["line"] = np.arange(len(left))
    paired = left.merge(right, on=[*key, "nth"], how="left").sort_values("line")
    return strings(paired["resource_id"]), strings(paired["resource_uuid"])


def _match_ids(m: _Matcher, lines: pd.DataFrame, items: pd.DataFrame) -> None:
    """Stage 1: DO's ids from the JSON items, against every resource of the target kind."""
    resource_id, resource_uuid = _pair_items(lines, items)
    stage = m.index.ids
    for line_ids in (resource_id, resource_uuid):
        where = np.flatnonzero(m.open)
        keys = keys_of(m.target[where], stage.codes(take(line_ids, where)), stage.width)
        m.assign(where, stage.indexes["all"].lookup(keys)[0], "resource_id")


def _targets(kinds: Encoded) -> tuple[list[str | None], np.ndarray, np.ndarray]:
    """(distinct kinds + None, each line's position in them, its target kind in KINDS or -1)."""
    distinct = kinds.dictionary.to_pylist()
    kind_idx = np.where(kinds.indices < 0, len(distinct), kinds.indices)
    return [*distinct, None], kind_idx, _target_codes(distinct)[kind_idx]


def _target_codes(distinct: list[str | None]) -> np.ndarray:
    """Per distinct kind, and last for none: its target kind's position in KINDS, or -1."""
    targets = [target_kind(k) for k in [*distinct, None]]
    return np.array([KINDS.index(t) if t else -1 for t in targets], dtype=np.int32)


def name_positions(names: pa.Array, index: ResourceIndex) -> np.ndarray:
    """Each name's position (lower-cased) in ``index``'s name vocabulary; -1: null or absent."""
    return index.names.codes(pc.utf8_lower(names))


def name_keys(
    kinds: Encoded, names: Encoded, index: ResourceIndex, known: np.ndarray | None = None
) -> np.ndarray:
    """Each line's key in the name stage of ``index``: (target kind, lower(name)); -1: none.

    Each distinct name is lower-cased and looked up once (``known``: :func:`name_positions` of
    the dictionary's first entries, already looked up), then per line by position."""
    known = np.zeros(0, dtype=np.int64) if known is None else known
    rest = names.dictionary.slice(len(known))
    found = name_positions(rest, index) if len(rest) else []
    codes = np.concatenate([known, found, [-1]]).astype(np.int32)  # position -1 (null): -1
    targets = _target_codes(kinds.dictionary.to_pylist())[kinds.indices]  # -1: the last, none
    return keys_of(targets, codes[names.indices], index.names.width)


def _match_names(m: _Matcher) -> None:
    """Stages 2 and 3: ``(kind, lower(name))`` against live, then deleted resources."""
    stage = m.index.names
    line_keys = m.lines.name_keys
    if line_keys is None:
        line_keys = name_keys(m.lines.kinds, m.lines.names, m.index)
    m.match_open_live(line_keys, stage.indexes["live"], "name_live")
    where = np.flatnonzero(m.open & (line_keys >= 0))
    if where.size:
        m.match(where, line_keys[where], stage.indexes["deleted"], "name_deleted", live=False)


def _match_snapshots(m: _Matcher) -> None:
    """Stage 4: the normalised-name rules, snapshots only (see the module docstring)."""
    snapshot = KINDS.index("snapshot")
    where = np.flatnonzero(m.open & (m.target == snapshot))
    where = where[pc.is_valid(m.names(where)).to_numpy(zero_copy_only=False)]
    if not where.size or not (m.index.kind == snapshot).any():
        return
    snap_rows, res_norm, stage = m.index.snapshots
    billed = m.names(where)
    norm = normalise_names(billed)
    cut = r"(\.\.\.|…)\s*$"
    truncated = pc.match_substring_regex(billed, cut).to_numpy(zero_copy_only=False)
    prefix = normalise_names(pc.replace_substring_regex(billed, cut, ""))
    kind = np.full(where.size, snapshot)
    probes = [
        keys_of(kind, stage.codes(p), stage.width)
        for p in (norm, pc.replace_substring_regex(norm, r"-\d{10}$", ""))
    ]
    for live in (True, False):
        in_stage = m.index.live[snap_rows] if live else ~m.index.live[snap_rows]
        index = stage.indexes["live" if live else "deleted"]
        for keys in probes:
            todo = m.open[where]
            m.match(where[todo], keys[todo], index, "normalised_name", live=live)
        use = truncated & m.open[where]
        if use.any():
            _match_prefixes(
                m,
                where[use],
                take(prefix, np.flatnonzero(use)),
                take(res_norm, np.flatnonzero(in_stage)),
                snap_rows[in_stage],
            )


def _match_prefixes(
    m: _Matcher, where: np.ndarray, prefix: pa.Array, res_norm: pa.Array, stage_rows: np.ndarray
) -> None:
    """Truncated billed names: a prefix that starts exactly one snapshot's normalised name."""
    if not stage_rows.size:
        return
    names = np.asarray(pc.fill_null(res_norm, "").to_pylist(), dtype=str)
    order = np.argsort(names, kind="stable")
    sorted_names = names[order]
    probes = np.asarray(pc.fill_null(prefix, "").to_pylist(), dtype=str)
    lo = np.searchsorted(sorted_names, probes, side="left")
    hi = np.searchsorted(sorted_names, np.char.add(probes, "\U0010ffff"), side="left")
    long_enough = np.char.str_len(probes) >= _MIN_PREFIX
    m.mark_ambiguous(where[long_enough & (hi - lo > 1)])
    picked = stage_rows[order[np.minimum(lo, len(order) - 1)]]
    rows = np.where(long_enough & (hi - lo == 1), picked, -1)
    m.assign(where, np.where(m.alive_at_start(where, rows), rows, -1), "normalised_name")


# -- the entry point ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineKeys:
    """What matching reads of the lines, one entry per line: kind and parsed name (encoded),
    the charge start, and the project name (to settle ties)."""

    kinds: Encoded
    names: Encoded
    period_start: np.ndarray  # datetime64[us], UTC
    project_names: pa.ChunkedArray
    #: :func:`name_keys` against the index these lines are matched with, if already known.
    name_keys: np.ndarray | None = None

    @classmethod
    def of(cls, lines: pd.DataFrame) -> LineKeys:
        """The keys of a lines frame (``kind``, ``parsed_name``, ``period_start``, ...)."""
        return cls(
            kinds=encode(lines["kind"]),
            names=encode(lines["parsed_name"]),
            period_start=lines["period_start"].to_numpy(dtype="datetime64[us]"),
            project_names=strings(lines["project_name"]),
        )


def match_lines(
    lines: pd.DataFrame, resources: pd.DataFrame, *, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``lines`` (with ``kind`` and ``parsed_name``) plus ``resource_id`` (our id, nullable),
    ``match_method`` and ``unmatched_reason``; ``resources`` as from :func:`resources_frame`."""
    lines = lines.reset_index(drop=True)
    out = lines.copy(deep=False)
    for col, values in match_columns(LineKeys.of(lines), resources, lines, items=items).items():
        out[col] = values
    return out


def resource_index(resources: pd.DataFrame) -> ResourceIndex:
    """``resources`` (any frame :func:`resources_frame` accepts) prepared for matching."""
    if list(resources.columns) != list(RESOURCE_COLUMNS):
        resources = resources_frame(resources)
    return ResourceIndex(resources)


@dataclass(frozen=True)
class Matches:
    """The outcome per line: resource row (-1: none), method and reason codes (-1: none)."""

    resource_ids: pd.Series  # our id, nullable
    methods: np.ndarray  # positions in MATCH_METHODS
    reasons: np.ndarray  # positions in UNMATCHED_REASONS

    def method_labels(self) -> pd.Series:
        """The ``match_method`` column (categorical)."""
        return _labels(MATCH_METHODS, self.methods)

    def reason_labels(self) -> pd.Series:
        """The ``unmatched_reason`` column (categorical)."""
        return _labels(UNMATCHED_REASONS, self.reasons)


def match_columns(
    keys: LineKeys,
    resources: pd.DataFrame | ResourceIndex,
    lines: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
) -> dict[str, pd.Series]:
    """``resource_id`` (our id, nullable), ``match_method`` and ``unmatched_reason`` per line
    (the arguments as for :func:`match_codes`)."""
    matches = match_codes(keys, resources, lines, items=items)
    return {
        "resource_id": matches.resource_ids,
        "match_method": matches.method_labels(),
        "unmatched_reason": matches.reason_labels(),
    }


def match_codes(
    keys: LineKeys,
    resources: pd.DataFrame | ResourceIndex,
    lines: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
) -> Matches:
    """Match lines to resources, in the stage order of the module docstring.

    ``keys`` are the lines' :class:`LineKeys`; ``resources`` a frame or its
    :func:`resource_index`; ``lines`` (with ``product``, ``description``,
    ``amount_cents``, ``period_start``, ``period_end``) is read only to pair ``items``."""
    index = resources if isinstance(resources, ResourceIndex) else resource_index(resources)
    resources = index.res
    m = _Matcher(keys, index)
    n = len(m.row)
    if len(resources) and n:
        if items is not None and len(items):
            _match_ids(m, lines.reset_index(drop=True), items)
        _match_names(m)
        _match_snapshots(m)
    ids = np.append(resources["id"].to_numpy(dtype=np.int64), 0)[m.row]  # row -1: the 0 slot
    resource_ids = pd.Series(pd.arrays.IntegerArray(ids, m.row < 0), copy=False)  # fresh arrays
    return Matches(resource_ids, m.method, _reason_codes(m))


def _labels(vocabulary: tuple[str, ...], codes: np.ndarray) -> pd.Series:
    """A categorical column from codes into ``vocabulary`` (-1 → missing)."""
    return categorical_series(Encoded(pa.array(vocabulary, type=pa.string()), codes))


def _reason_codes(m: _Matcher) -> np.ndarray:
    def reason(kind: str | None) -> str:
        if kind is None:
            return "no_kind"
        if kind == TAX_KIND:
            return "tax"
        if kind in ACCOUNT_LEVEL_KINDS:
            return "account_level"
        return "no_resource"

    per_kind = np.array([UNMATCHED_REASONS.index(reason(k)) for k in m.kinds], dtype=np.int8)
    codes = np.where(m.row >= 0, np.int8(-1), per_kind[m.kind_idx])
    ambiguous = np.flatnonzero(m.ambiguous)
    ambiguous = ambiguous[(m.target[ambiguous] >= 0) & (m.row[ambiguous] < 0)]
    codes[ambiguous] = UNMATCHED_REASONS.index("ambiguous")
    return codes

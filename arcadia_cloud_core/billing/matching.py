"""Attribute invoice lines to ``cloud_resources`` rows: merges on keys, stage by stage.

1. ``resource_id``: DO's JSON items carry ``resource_id``/``resource_uuid`` (paired with a CSV
   line by product, description, amount and period), looked up as ``provider_id`` among all
   resources of the line's target kind, live or deleted.
2. ``name_live``: ``(kind, lower(name))`` against live resources.
3. ``name_deleted``: the same against deleted resources still alive when the charge began.
4. ``normalised_name``, snapshots only, live then deleted: DO's billing may name a snapshot
   otherwise than its API. The names normalise equal (lower-case, non-alphanumerics → ``-``),
   or the billed name adds a 10-digit epoch (``…-1775012400``), or it is cut with ``...`` and its
   normalised prefix (8+ characters) starts exactly one snapshot's name.
5. ``only_resource``: a container registry line (billed by its plan) takes the account's one.

A key several resources share is narrowed to those alive when the charge began, then to the one
in the line's project; else the line is ``ambiguous`` and no later stage tries it. Backup lines
match their droplet; reserved IPs and domains are billed by their id, so ids count as names
there. Every unmatched line says why (:data:`UNMATCHED_REASONS`).
"""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd

from arcadia_cloud_core.billing.columns import STRING, labels
from arcadia_cloud_core.billing.kinds import (
    ACCOUNT_LEVEL_KINDS,
    TAX_KIND,
    target_kind,
)
from arcadia_cloud_core.billing.names import normalise_names
from arcadia_cloud_core.billing.sources import resources_frame
from arcadia_cloud_core.db.schema import RESOURCE_KINDS

MATCH_METHODS = ("resource_id", "name_live", "name_deleted", "normalised_name", "only_resource")
UNMATCHED_REASONS = ("tax", "account_level", "no_kind", "no_resource")
UNMATCHED_REASONS += ("ambiguous",)
#: The kinds a line can be matched against (its target kind), as a categorical dtype.
TARGETS = pd.CategoricalDtype(RESOURCE_KINDS)
#: Kinds whose DO id is also the name a bill uses (a reserved IP's address, a domain's name).
NAME_IS_ID_KINDS = frozenset({"reserved_ip", "dns_zone"})

_MIN_PREFIX = 8
_TRUNCATED = r"(?:\.\.\.|…)\s*$"


def match_lines(
    lines: pd.DataFrame, resources: pd.DataFrame, *, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``lines`` (with ``kind`` and ``parsed_name``) plus ``resource_id`` (our id, nullable),
    ``match_method`` and ``unmatched_reason``; ``resources`` as :func:`resources_frame` takes.

    ``items`` (:func:`items_frame`) pair lines with DO's resource ids by product, description,
    amount and period."""
    lines = lines.reset_index(drop=True)
    matcher = _Matcher(lines, resources_frame(resources))
    if len(matcher.res) and len(lines):
        if items is not None and len(items):
            matcher.by_ids(items)
        matcher.by_names()
        matcher.by_normalised_snapshot_names()
        matcher.by_the_only_registry()
    out = lines.copy(deep=False)
    ids = np.append(matcher.res["id"].to_numpy(dtype=np.int64), 0)[matcher.row]
    out["resource_id"] = pd.arrays.IntegerArray(ids, mask=matcher.row < 0)
    out["match_method"] = labels(matcher.method, MATCH_METHODS)
    out["unmatched_reason"] = labels(matcher.reasons(), UNMATCHED_REASONS)
    return out


class _Matcher:
    """Per line: the matched resource row (-1: none), the method (-1: none), and whether the
    line was found ambiguous (then no later stage tries it)."""

    def __init__(self, lines: pd.DataFrame, resources: pd.DataFrame) -> None:
        self.lines, self.res = lines, resources
        self.row = np.full(len(lines), -1, dtype=np.int64)
        self.method = np.full(len(lines), -1, dtype=np.int8)
        self.ambiguous = np.zeros(len(lines), dtype=bool)
        kinds = lines["kind"].astype("category")
        self.kinds = [*kinds.cat.categories, None]  # code -1 (no kind): the last
        self.kind_codes = kinds.cat.codes.to_numpy()
        targets = TARGETS.categories.get_indexer([target_kind(k) for k in self.kinds])
        self.target = pd.Categorical.from_codes(targets[self.kind_codes], dtype=TARGETS)
        self.has_target = self.target.codes >= 0
        self.start = lines["period_start"].to_numpy(dtype="datetime64[us]")
        self.deleted = resources["deleted_at"].to_numpy(dtype="datetime64[us]")
        self.names = lines["parsed_name"].astype(STRING).reset_index(drop=True)
        self.named = self.names.notna().to_numpy(dtype=bool)

    def open_lines(self) -> np.ndarray:
        """Lines still to match: a target kind and a name, no match, not ambiguous."""
        return np.flatnonzero(self.has_target & self.named & self._still_open())

    def _still_open(self, lines: np.ndarray | slice = slice(None)) -> np.ndarray:
        return (self.row[lines] < 0) & ~self.ambiguous[lines]

    def assign(self, lines: np.ndarray, rows: np.ndarray, method: str) -> None:
        self.row[lines] = rows
        self.method[lines] = MATCH_METHODS.index(method)

    def _keys(self, lines: np.ndarray, keys: pd.Series) -> pd.DataFrame:
        """The (line, target, key) frame the stages merge with their candidates."""
        target, key = self.target.take(lines), keys.reset_index(drop=True)
        return pd.DataFrame({"line": lines, "target": target, "key": key}).dropna(subset=["key"])

    # -- the stages -------------------------------------------------------------------------------
    def by_ids(self, items: pd.DataFrame) -> None:
        """Stage 1: DO's ids from the JSON items, against every resource of the target kind."""
        paired = _pair_items(self.lines, items)
        rows = np.arange(len(self.res))
        candidates = _candidates(self.res["kind"], self.res["provider_id"], rows)
        for column in ("resource_id", "resource_uuid"):
            todo = np.flatnonzero(self.has_target & self._still_open())
            hits = self._keys(todo, paired[column].iloc[todo]).merge(candidates)
            self.assign(hits["line"].to_numpy(), hits["row"].to_numpy(), "resource_id")

    def by_names(self) -> None:
        """Stages 2 and 3: ``(kind, lower(name))`` against live, then deleted resources."""
        res = self.res
        by_id = np.flatnonzero(res["kind"].isin(list(NAME_IS_ID_KINDS)).to_numpy(dtype=bool))
        rows = np.concatenate([np.arange(len(res)), by_id])
        texts = pd.concat([res["name"], res["provider_id"].iloc[by_id]], ignore_index=True)
        candidates = _candidates(res["kind"].iloc[rows], texts.str.lower(), rows)
        candidates = candidates.drop_duplicates()  # a name that is also the id: one candidate
        live = np.isnat(self.deleted[candidates["row"].to_numpy()])
        for method, stage in (("name_live", live), ("name_deleted", ~live)):
            todo = self.open_lines()
            keys = self._keys(todo, self.names.iloc[todo].str.lower())
            self.settle(keys.merge(candidates[stage]), method)

    def by_normalised_snapshot_names(self) -> None:
        """Stage 4: the normalised-name rules, snapshots only (see the module docstring)."""
        todo = self.open_lines()
        todo = todo[self.target[todo] == "snapshot"]
        rows = np.flatnonzero((self.res["kind"] == "snapshot").to_numpy(dtype=bool))
        if not todo.size or not rows.size:
            return
        billed = self.names.iloc[todo].reset_index(drop=True)
        normalised = normalise_names(billed)
        probes = [normalised, normalised.str.replace(r"-\d{10}$", "", regex=True)]
        truncated = billed.str.contains(_TRUNCATED, regex=True).to_numpy(dtype=bool)
        prefixes = normalise_names(billed.str.replace(_TRUNCATED, "", regex=True))
        snapshots = self.res.iloc[rows]
        candidates = _candidates(snapshots["kind"], normalise_names(snapshots["name"]), rows)
        live = np.isnat(self.deleted[candidates["row"].to_numpy()])
        for stage in (candidates[live], candidates[~live]):
            for probe in probes:
                still = self._still_open(todo)
                self.settle(self._keys(todo[still], probe[still]).merge(stage), "normalised_name")
            still = self._still_open(todo) & truncated
            self.by_prefix(todo[still], prefixes[still].tolist(), stage)

    def by_prefix(self, lines: np.ndarray, prefixes: list, candidates: pd.DataFrame) -> None:
        """Truncated billed names: a prefix that starts exactly one snapshot's normalised name."""
        ordered = candidates.sort_values("key", kind="stable")
        keys, rows = ordered["key"].tolist(), ordered["row"].to_numpy()
        for line, prefix in zip(lines, prefixes, strict=True):
            if not isinstance(prefix, str) or len(prefix) < _MIN_PREFIX:
                continue
            lo = bisect.bisect_left(keys, prefix)
            hi = bisect.bisect_left(keys, prefix + "\U0010ffff")
            if hi - lo > 1:
                self.ambiguous[line] = True
            elif hi - lo == 1 and self._alive(np.array([line]), rows[lo : lo + 1])[0]:
                self.assign(np.array([line]), rows[lo : lo + 1], "normalised_name")

    def by_the_only_registry(self) -> None:
        """Stage 5: registry lines (billed by plan) take the account's one registry."""
        rows = np.flatnonzero((self.res["kind"] == "container_registry").to_numpy(dtype=bool))
        todo = np.flatnonzero(self._still_open() & np.asarray(self.target == "container_registry"))
        if rows.size == 1 and todo.size:
            self.settle(pd.DataFrame({"line": todo, "row": rows[0]}), "only_resource")

    # -- candidates -------------------------------------------------------------------------------
    def settle(self, pairs: pd.DataFrame, method: str) -> None:
        """Match lines to their candidates (``pairs`` of line and resource row).

        A candidate must have been alive when the charge began; of several, the only one in the
        line's project wins. A line whose key several resources share and that neither rule
        settles is ambiguous; a line whose only candidate was already gone stays open."""
        if pairs.empty:
            return
        all_lines = pairs["line"].to_numpy()
        shared = np.bincount(all_lines, minlength=len(self.row)) > 1
        alive = self._alive(all_lines, pairs["row"].to_numpy())
        line, row = all_lines[alive], pairs["row"].to_numpy()[alive]
        per_line = np.bincount(line, minlength=len(self.row))
        chosen = per_line[line] == 1
        several = np.flatnonzero(per_line[line] > 1)
        if several.size:
            line_project = self.lines["project_name"].astype(STRING).iloc[line[several]]
            res_project = self.res["project_name"].iloc[row[several]]
            same = line_project.str.lower().array == res_project.str.lower().array
            in_project = several[same.fillna(False).to_numpy(dtype=bool)]
            per_project = np.bincount(line[in_project], minlength=len(self.row))
            chosen[in_project] = per_project[line[in_project]] == 1
        self.assign(line[chosen], row[chosen], method)
        tied = np.flatnonzero(shared & (self.row < 0))
        self.ambiguous[tied] = True

    def _alive(self, lines: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per (line, resource): the resource was not yet deleted when the line's charge began."""
        deleted = self.deleted[rows]
        return np.isnat(deleted) | (deleted >= self.start[lines])

    def reasons(self) -> np.ndarray:
        """Each line's reason (a position in :data:`UNMATCHED_REASONS`; -1: matched)."""
        per_kind = np.array([UNMATCHED_REASONS.index(_reason(k)) for k in self.kinds], np.int8)
        codes = per_kind[self.kind_codes]
        codes[self.ambiguous & self.has_target] = UNMATCHED_REASONS.index("ambiguous")
        codes[self.row >= 0] = -1
        return codes


def _reason(kind: str | None) -> str:
    """Why a line of ``kind`` found no resource, unless it was ambiguous."""
    if kind is None:
        return "no_kind"
    if kind == TAX_KIND:
        return "tax"
    return "account_level" if kind in ACCOUNT_LEVEL_KINDS else "no_resource"


def _candidates(kinds: pd.Series, keys: pd.Series, rows: np.ndarray) -> pd.DataFrame:
    """Resources as (target kind, key, row) to merge lines with; rows without a key left out."""
    target, key = kinds.astype(TARGETS).array, keys.reset_index(drop=True)
    return pd.DataFrame({"target": target, "key": key, "row": rows}).dropna(subset=["key"])


def _pair_items(lines: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Each line's DO ``resource_id`` and ``resource_uuid`` from its paired JSON item (the n-th
    line of a (product, description, amount, period) pairs with the n-th such item)."""
    key = ["product", "description", "amount_cents", "period_start", "period_end"]
    left = lines.loc[:, key].copy()
    right = items.loc[:, [*key, "resource_id", "resource_uuid"]].copy()
    for frame in (left, right):
        for col in ("product", "description"):
            frame[col] = frame[col].astype(STRING).fillna("")
        frame["nth"] = frame.groupby(key, dropna=False).cumcount()
    left["line"] = np.arange(len(left))
    paired = left.merge(right, on=[*key, "nth"], how="left").sort_values("line")
    return paired[["resource_id", "resource_uuid"]].astype(STRING).reset_index(drop=True)

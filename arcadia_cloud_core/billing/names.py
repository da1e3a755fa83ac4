"""Resource names from invoice descriptions, and the normalised form used for fuzzy matching.

Rules (by the line's kind, one place):

- default: ``name (size)`` → ``name`` (only the last parenthesised group is dropped, so
  ``web (old) (s-1vcpu-1gb)`` → ``web (old)``); a description without one is the name. Backup
  lines ``<droplet> (Weekly Backup Services)`` (or daily) thus give the parent droplet's name.
- ``reserved_ip``: the address after the last `` - `` (``Unused Reserved IP - 1.2.3.4``).
- ``k8s_cluster``: the ``group_description`` (the cluster name; the description is a hash).
- ``tax`` and account-level kinds: no name.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arcadia_cloud_core.billing.arrow_utils import Encoded, StringInput, decode, encode, strings
from arcadia_cloud_core.billing.kinds import ACCOUNT_LEVEL_KINDS, KIND_VOCABULARY, TAX_KIND

_TRAILING_GROUP = r"\([^()]*\)\s*$"
_IP_AFTER_DASH = r"(?:^|\s)-\s*(?P<address>[0-9A-Fa-f:.]+)\s*$"
_NO_NAME_KINDS = frozenset({TAX_KIND, *ACCOUNT_LEVEL_KINDS})
_KINDS = KIND_VOCABULARY.to_pylist()
_NO_NAME = np.isin(np.arange(len(_KINDS) + 1), [_KINDS.index(k) for k in _NO_NAME_KINDS])
_RESERVED_IP, _K8S_CLUSTER = _KINDS.index("reserved_ip"), _KINDS.index("k8s_cluster")


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def extract_names(
    kinds: StringInput, descriptions: StringInput, group_descriptions: StringInput
) -> pa.Array:
    """The billed resource name of each line (null where the line names no resource)."""
    found = pc.index_in(strings(kinds), value_set=KIND_VOCABULARY)
    codes = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return decode(name_codes(codes, encode(descriptions), strings(group_descriptions)))


def base_names(descriptions: pa.Array) -> pa.Array:
    """The default rule on each (distinct) description: ``name (size)`` → ``name``; blank → null."""
    trimmed = pc.utf8_trim_whitespace(strip_trailing_group(descriptions))
    return _blank_to_null(strings(trimmed).combine_chunks())


def name_codes(
    kind_codes: np.ndarray,
    descriptions: Encoded,
    group_descriptions: pa.ChunkedArray,
    base: pa.Array | None = None,
) -> Encoded:
    """The billed resource name of each line, encoded (the rules of :func:`extract_names`).

    ``kind_codes`` are positions in :data:`KIND_VOCABULARY` (-1: none); ``base``, if given, is
    :func:`base_names` of the descriptions' dictionary. Names are derived once per distinct
    description; only cluster lines take a name of their own (their group). The dictionary
    starts with ``base`` and may repeat a name; a null name has position -1 or a null entry.
    """
    base = base_names(descriptions.dictionary) if base is None else base
    described = descriptions.indices
    parts, codes, size = [base], described.copy(), len(base)
    rows = np.flatnonzero(kind_codes == _RESERVED_IP)
    if rows.size:  # the address, from each distinct description these lines carry
        at = described[rows]
        present = np.zeros(len(base) + 1, dtype=bool)
        present[at] = True
        used = np.flatnonzero(present[:-1])
        slot = np.full(len(base) + 1, -1, dtype=np.int64)
        slot[used] = size + np.arange(used.size)
        parts.append(_ip_address(pc.take(base, used), None))
        codes[rows], size = slot[at], size + used.size
    rows = np.flatnonzero(kind_codes == _K8S_CLUSTER)
    if rows.size:  # the cluster: its group_description, per line
        at = described[rows]
        names = pc.take(base, pa.array(at, mask=at < 0))
        parts.append(_cluster_name(names, pc.take(group_descriptions, rows)))
        codes[rows], size = size + np.arange(rows.size), size + rows.size
    codes[_NO_NAME[kind_codes]] = -1  # kind -1 (none) picks the last slot: False
    extra = [_blank_to_null(strings(part).combine_chunks()) for part in parts[1:]]
    return Encoded(pa.concat_arrays([base, *extra]), codes)


def strip_trailing_group(values: StringInput) -> pa.Array:
    """Drop a final parenthesised group: ``web (old) (s-1vcpu-1gb)`` → ``web (old) ``.

    The same as replacing :data:`_TRAILING_GROUP` with nothing, but twice as fast: the group
    holds no parentheses, so on the lines that have one it starts at the last ``(``.
    """
    values = strings(values)
    has_group = pc.fill_null(pc.match_substring_regex(values, _TRAILING_GROUP), False)
    before_last = pc.list_element(pc.split_pattern(values, "(", max_splits=1, reverse=True), 0)
    return pc.if_else(has_group, before_last, values)


def _ip_address(names: pa.Array, _groups: pa.Array | None) -> pa.Array:
    address = pc.struct_field(pc.extract_regex(names, _IP_AFTER_DASH), "address")
    return pc.coalesce(address, names)


def _cluster_name(names: pa.Array, groups: pa.Array) -> pa.Array:
    cluster = pc.utf8_trim_whitespace(groups)
    return pc.if_else(pc.fill_null(pc.not_equal(cluster, ""), False), cluster, names)


def billing_name(
    description: str | None, *, kind: str | None, group_description: str | None = None
) -> str | None:
    """The billed resource name of one line (same rules as :func:`extract_names`)."""
    return extract_names([kind], [description], [group_description])[0].as_py()


def normalise_names(names: StringInput) -> pa.Array:
    """Lower-case, runs of anything but ``a-z0-9`` → ``-``, no leading/trailing ``-``."""
    values = pc.utf8_normalize(strings(names), "NFKC")
    values = pc.replace_substring_regex(pc.utf8_lower(values), r"[^a-z0-9]+", "-")
    return _blank_to_null(pc.utf8_trim(values, "-"))


def normalise_name(name: str) -> str:
    """``"Platform CI-1 Golden"`` → ``"platform-ci-1-golden"`` (same code as
    :func:`normalise_names`, so both sides of a match fold alike)."""
    return normalise_names([name])[0].as_py() or ""

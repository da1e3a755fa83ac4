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

from arcadia_cloud_core.billing.arrow_utils import StringInput, strings
from arcadia_cloud_core.billing.kinds import ACCOUNT_LEVEL_KINDS, TAX_KIND

_TRAILING_GROUP = r"\([^()]*\)\s*$"
_IP_AFTER_DASH = r"(?:^|\s)-\s*(?P<address>[0-9A-Fa-f:.]+)\s*$"
_NO_NAME_KINDS = frozenset({TAX_KIND, *ACCOUNT_LEVEL_KINDS})


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def extract_names(
    kinds: StringInput, descriptions: StringInput, group_descriptions: StringInput
) -> pa.Array:
    """The billed resource name of each line (null where the line names no resource)."""
    kinds, descriptions = strings(kinds), strings(descriptions)
    groups = strings(group_descriptions)
    names = pc.utf8_trim_whitespace(strip_trailing_group(descriptions))
    for kind, pick in (("reserved_ip", _ip_address), ("k8s_cluster", _cluster_name)):
        where = np.flatnonzero(pc.fill_null(pc.equal(kinds, kind), False).to_numpy())
        if where.size:  # compute on those rows only, then put them in place
            picked = strings(pick(pc.take(names, where), pc.take(groups, where)))
            order = np.arange(len(names))
            order[where] = len(names) + np.arange(where.size)
            names = pc.take(pa.chunked_array(names.chunks + picked.chunks), order)
    no_name = pc.fill_null(pc.is_in(kinds, value_set=pa.array(sorted(_NO_NAME_KINDS))), False)
    if pc.any(no_name).as_py():
        names = pc.if_else(no_name, pa.scalar(None, pa.string()), names)
    return _blank_to_null(names)


def strip_trailing_group(values: StringInput) -> pa.Array:
    """Drop a final parenthesised group: ``web (old) (s-1vcpu-1gb)`` → ``web (old) ``.

    The same as replacing :data:`_TRAILING_GROUP` with nothing, but twice as fast: the group
    holds no parentheses, so on the lines that have one it starts at the last ``(``.
    """
    values = strings(values)
    has_group = pc.fill_null(pc.match_substring_regex(values, _TRAILING_GROUP), False)
    before_last = pc.list_element(pc.split_pattern(values, "(", max_splits=1, reverse=True), 0)
    return pc.if_else(has_group, before_last, values)


def _ip_address(names: pa.Array, _groups: pa.Array) -> pa.Array:
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

"""Resource names from invoice descriptions, and the normalised form used for fuzzy matching.

Rules (by the line's kind, one place):

- default: ``name (size)`` → ``name`` (only the last parenthesised group is dropped, so
  ``web (old) (s-1vcpu-1gb)`` → ``web (old)``); a description without one is the name. Backup
  lines ``<droplet> (Weekly Backup Services)`` (or daily) thus give the parent droplet's name.
  A region group and what follows it goes too: ``snap (fra1) 10.15GB Droplet Snapshot``,
  ``pgdata (nyc3) 100GB Volume``, ``bucket (ams3)`` → the name before it.
- ``reserved_ip``: the address after the last `` - `` (``Unused Reserved IP - 1.2.3.4``).
- ``k8s_cluster``, ``managed_db``: the ``group_description`` when there is one (the cluster;
  DO groups a cluster's node-pool or node lines under it), else the default rule.
- ``tax`` and account-level kinds: no name.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from arcadia_cloud_core.billing.columns import distinct, texts
from arcadia_cloud_core.billing.kinds import ACCOUNT_LEVEL_KINDS, TAX_KIND

#: The last parenthesised group, or a region group (``(nyc3)``, ``(fra1, 10 GiB)``) and any
#: words after it (leftmost match wins, so a region group takes its tail with it).
_TRAILING_GROUP = r"\s*(?:\([a-z]{3}\d(?:[,;][^()]*)?\)(?:\s[^()]*)?|\([^()]*\))\s*$"
#: Kinds whose lines may name their cluster in ``group_description``.
_GROUPED_KINDS = ["k8s_cluster", "managed_db"]
#: A reserved IP's line: the address after the last `` - `` (else the name as it is).
_IP_AFTER_DASH = r"^.*(?:^|\s)-\s*([0-9A-Fa-f:.]+)\s*$"
_NO_NAME_KINDS = [TAX_KIND, *ACCOUNT_LEVEL_KINDS]


def _blank_to_null(values: pd.Series) -> pd.Series:
    return values.where(values != "")


def extract_names(
    kinds: pd.Series | Iterable[str | None],
    descriptions: pd.Series | Iterable[str | None],
    group_descriptions: pd.Series | Iterable[str | None],
) -> pd.Series:
    """The billed resource name of each line (text; null where the line names no resource).

    The default rule runs once per distinct description; only reserved IPs and clusters
    (few lines) take a name of their own."""
    descriptions = texts(descriptions)
    kinds = pd.Series(kinds, dtype="category").set_axis(descriptions.index)
    codes, unique = distinct(descriptions)
    base = _blank_to_null(unique.str.replace(_TRAILING_GROUP, "", regex=True).str.strip())
    names = pd.Series(base.array.take(codes, allow_fill=True), index=descriptions.index)
    ips = (kinds == "reserved_ip").to_numpy(dtype=bool)
    if ips.any():
        names[ips] = names[ips].str.replace(_IP_AFTER_DASH, r"\1", regex=True)
    clusters = kinds.isin(_GROUPED_KINDS).to_numpy(dtype=bool)
    if clusters.any():
        groups = texts(group_descriptions).set_axis(names.index)
        group = _blank_to_null(groups[clusters].str.strip())
        names[clusters] = group.fillna(names[clusters])
    return names.mask(kinds.isin(_NO_NAME_KINDS).to_numpy(dtype=bool))


def normalise_names(names: pd.Series | Iterable[str | None]) -> pd.Series:
    """NFKC, lower-case, runs of anything but ``a-z0-9`` → ``-``, no leading/trailing ``-``
    (null for null or when nothing is left)."""
    folded = texts(names).str.normalize("NFKC").str.lower()
    return _blank_to_null(folded.str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-"))

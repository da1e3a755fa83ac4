"""Invoice line → our resource kind: one ordered table, first match wins.

Specific phrases come before generic products ("Droplet Snapshots" and "Droplet Backups" before
"Droplets", "Spaces Subscription" before "Spaces", taxes first of all). A rule matches on the
product (case-insensitive regex search on the whitespace-collapsed product) and, when it has one,
on the description too. The last rule catches tax lines by their description alone (``GST (10%)``,
``STATE SALES TAX (6.25%)``) when the product names nothing we know, so a droplet called
``gst-worker`` stays a droplet.

Kinds are our vocabulary: the resource kinds of ``cloud_resources``, ``tax``, and account-level
kinds (:data:`ACCOUNT_LEVEL_KINDS`) that no resource carries. A line whose kind is None matched
no rule (``no_kind``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arcadia_cloud_core.billing.arrow_utils import Encoded, StringInput, decode, encode
from arcadia_cloud_core.db.schema import RESOURCE_KINDS

TAX_KIND = "tax"


@dataclass(frozen=True)
class KindRule:
    """``kind`` when ``product`` (and ``description``, if set) match; ``product=None``: any."""

    kind: str
    product: str | None
    description: str | None = None
    account_level: bool = False


_TAX_WORDS = r"\b(taxe?s?|gst|hst|pst|vat|sales tax|consumption tax)\b"
#: A description that is itself a tax line: ``GST (10%)``, ``STATE SALES TAX (6.25%)``, ``VAT``.
_TAX_DESCRIPTION = (
    r"\b(taxe?s?|gst|hst|pst|vat)\b.*\(\s*\d+(\.\d+)?\s*%\s*\)\s*$"
    r"|^\s*(taxe?s?|gst|hst|pst|vat|sales tax)\s*$"
)

#: The one table (order matters: first match wins).
KIND_RULES: tuple[KindRule, ...] = (
    KindRule(TAX_KIND, _TAX_WORDS),
    KindRule("droplet_backup", r"\bbackups?\b"),
    KindRule(
        "droplet_backup",
        r"\bdroplets?\b",
        description=r"\((weekly|daily) backups?( services?)?\)\s*$",
    ),
    KindRule("snapshot", r"\bsnapshots?\b"),
    KindRule("volume", r"\bvolumes?\b|\bblock storage\b"),
    KindRule("reserved_ip", r"\b(floating|reserved) ip(v4|v6)?s?\b"),
    KindRule("load_balancer", r"\bload ?balancers?\b"),
    KindRule("spaces_subscription", r"\bspaces subscription\b", account_level=True),
    KindRule("spaces_bucket", r"\bspaces\b"),
    KindRule("managed_db", r"\b(managed )?databases?\b|\bdatabase clusters?\b|\bdbaas\b"),
    KindRule("k8s_cluster", r"\bkubernetes\b|\bdoks\b"),
    KindRule("container_registry", r"\bcontainer registry\b", account_level=True),
    KindRule("support_plan", r"\bsupport\b", account_level=True),
    KindRule("firewall", r"\b(cloud )?firewalls?\b"),
    KindRule("dns_zone", r"\bdns\b|\bdomains?\b"),
    KindRule("droplet", r"\bdroplets?\b"),
    KindRule(TAX_KIND, None, description=_TAX_DESCRIPTION),
)

ACCOUNT_LEVEL_KINDS: frozenset[str] = frozenset(r.kind for r in KIND_RULES if r.account_level)
#: Every kind a line can get.
LINE_KINDS: frozenset[str] = frozenset(r.kind for r in KIND_RULES)
#: The resource kind a line's cost belongs to, where it differs from the line's kind: a
#: ``<droplet> (Weekly Backup Services)`` line is the parent droplet's cost.
TARGET_KIND: dict[str, str] = {"droplet_backup": "droplet"}

_KIND_CODES: tuple[str, ...] = tuple(sorted(LINE_KINDS))
#: The line kinds as a string array: :func:`kind_codes` are positions in it.
KIND_VOCABULARY: pa.Array = pa.array(_KIND_CODES, type=pa.string())
#: Kind codes per line take a byte while the kinds are that few.
_CODE_TYPE = np.int8 if len(_KIND_CODES) < 2**7 else np.int16
_PRODUCT_PATTERNS = tuple(
    re.compile(rule.product, re.IGNORECASE) if rule.product else None for rule in KIND_RULES
)
_WS = re.compile(r"\s+")


def _normal_product(product: str | None) -> str:
    return _WS.sub(" ", product or "").strip()


def target_kind(kind: str | None) -> str | None:
    """The ``cloud_resources`` kind a line of ``kind`` is matched against (None: not matched)."""
    if kind is None or kind == TAX_KIND or kind in ACCOUNT_LEVEL_KINDS:
        return None
    target = TARGET_KIND.get(kind, kind)
    return target if target in RESOURCE_KINDS else None


def _first_rules(product: str) -> tuple[int | None, list[KindRule]]:
    """For one distinct product: its kind code if settled by the product alone, else the rules
    (in order, from the first matching one) that also look at the description."""
    for i, rule in enumerate(KIND_RULES):
        if rule.product is not None and not _PRODUCT_PATTERNS[i].search(product):
            continue
        if rule.description is None:
            return _KIND_CODES.index(rule.kind), []
        rest = [
            r
            for j, r in enumerate(KIND_RULES[i:], start=i)
            if r.product is None or _PRODUCT_PATTERNS[j].search(product)
        ]
        return None, rest
    return None, []


def kind_codes(products: Encoded, descriptions: Encoded) -> np.ndarray:
    """Each line's kind as a position in :data:`KIND_VOCABULARY` (-1: no rule matches).

    The table is evaluated once per distinct product; only products whose first matching
    rule also needs the description (``Droplets`` for backups, unknown products for taxes) look
    at descriptions, and then each rule's regex runs once per distinct description they carry.
    """
    distinct = [_normal_product(p) for p in products.dictionary.to_pylist()] + [""]  # "": null
    product_idx = np.where(products.indices < 0, len(distinct) - 1, products.indices)
    settled = np.full(len(distinct), -1, dtype=_CODE_TYPE)
    pending: dict[int, list[KindRule]] = {}
    for j, product in enumerate(distinct):
        code, rules = _first_rules(product)
        if code is not None:
            settled[j] = code
        elif rules:
            pending[j] = rules
    codes = settled[product_idx]
    for j, rules in pending.items():
        where = np.flatnonzero(product_idx == j)
        described = descriptions.indices[where]  # -1: null description
        for rule in rules:
            if not where.size:
                break
            if rule.description is None:
                codes[where] = _KIND_CODES.index(rule.kind)
                break
            hit = _matches(descriptions.dictionary, described, rule.description)
            codes[where[hit]] = _KIND_CODES.index(rule.kind)
            where, described = where[~hit], described[~hit]
    return codes


def _matches(distinct: pa.Array, positions: np.ndarray, pattern: str) -> np.ndarray:
    """Per position into ``distinct`` (-1: null, never matches): does ``pattern`` match there?

    The regex runs once on each distinct value that occurs in ``positions``."""
    present = np.zeros(len(distinct) + 1, dtype=bool)
    present[positions] = True  # -1 marks the extra last slot
    present[-1] = False
    used = np.flatnonzero(present)
    if used.size:
        hit = pc.match_substring_regex(pc.take(distinct, used), pattern, ignore_case=True)
        present[used] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    return present[positions]


def derive_kinds(products: StringInput, descriptions: StringInput) -> pa.Array:
    """The kind of each line (a string array; null where no rule matches), vectorised."""
    codes = kind_codes(encode(products), encode(descriptions))
    return decode(Encoded(KIND_VOCABULARY, codes))


def kind_for(product: str | None, description: str | None = None) -> str | None:
    """The kind of one line (same table as :func:`derive_kinds`)."""
    return derive_kinds([product], [description])[0].as_py()

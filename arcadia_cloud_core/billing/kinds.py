"""Invoice line → our resource kind: one ordered table, first match wins.

Specific phrases come before generic products ("Droplet Snapshots" before "Droplets", "Spaces
Subscription" before "Spaces", taxes first). A rule searches the whitespace-collapsed product
(case-insensitive) and, if it has one, the description; the last rule catches tax lines by their
description alone (``GST (10%)``), so a droplet called ``gst-worker`` stays a droplet. Kinds are
the resource kinds of ``cloud_resources`` (App Platform apps are ``app``), ``tax``, account-level
kinds (:data:`ACCOUNT_LEVEL_KINDS`); a line no rule matches has no kind (``no_kind``). Formats
and sources: docs/do-invoice-formats.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arcadia_cloud_core.billing.columns import distinct, labels, texts
from arcadia_cloud_core.db.schema import RESOURCE_KINDS

TAX_KIND = "tax"


@dataclass(frozen=True)
class KindRule:
    """``kind`` when ``product`` (and ``description``, if set) match; ``product=None``: any."""

    kind: str
    product: str | None
    description: str | None = None
    account_level: bool = False


_TAX_WORDS = r"\b(?:taxe?s?|gst|hst|pst|vat|sales tax|consumption tax)\b"
#: A description that is itself a tax line: ``GST (10%)``, ``STATE SALES TAX (6.25%)``, ``VAT``.
_TAX_DESCRIPTION = (
    r"\b(?:taxe?s?|gst|hst|pst|vat)\b.*\(\s*\d+(?:\.\d+)?\s*%\s*\)\s*$"
    r"|^\s*(?:taxe?s?|gst|hst|pst|vat|sales tax)\s*$"
)

#: The one table (order matters: first match wins).
KIND_RULES: tuple[KindRule, ...] = (
    KindRule(TAX_KIND, _TAX_WORDS),
    KindRule("credit", r"\bcredits?\b|\bpromo(?:tional)?\b|\badjustments?\b", account_level=True),
    KindRule("droplet_backup", r"\bbackups?\b"),
    KindRule(
        "droplet_backup",
        r"\bdroplets?\b",
        description=r"\((?:weekly|daily) backups?(?: services?)?\)\s*$",
    ),
    KindRule("snapshot", r"\bsnapshots?\b"),
    KindRule("volume", r"\bvolumes?\b|\bblock storage\b"),
    KindRule("reserved_ip", r"\b(?:floating|reserved) ip(?:v4|v6)?s?\b"),
    KindRule("load_balancer", r"\bload ?balancers?\b"),
    KindRule("spaces_subscription", r"\bspaces subscription\b", account_level=True),
    KindRule("spaces_bucket", r"\bspaces\b"),
    KindRule("bandwidth", r"\bbandwidth\b|\b(?:data|outbound) transfer\b", account_level=True),
    KindRule("managed_db", r"\b(?:managed )?databases?\b|\bdatabase clusters?\b|\bdbaas\b"),
    KindRule("k8s_cluster", r"\bkubernetes\b|\bdoks\b"),
    KindRule("container_registry", r"\bcontainer registry\b"),  # matched as the only one
    KindRule("app", r"\bapp platform\b|\bapps\b"),
    KindRule("support_plan", r"\bsupport\b", account_level=True),
    KindRule("firewall", r"\b(?:cloud )?firewalls?\b"),
    KindRule("dns_zone", r"\bdns\b|\bdomains?\b"),
    KindRule("droplet", r"\bdroplets?\b"),
    KindRule(TAX_KIND, None, description=_TAX_DESCRIPTION),
)

ACCOUNT_LEVEL_KINDS: frozenset[str] = frozenset(r.kind for r in KIND_RULES if r.account_level)
LINE_KINDS: frozenset[str] = frozenset(r.kind for r in KIND_RULES)
_CATEGORIES = sorted(LINE_KINDS)
#: A line's resource kind where it differs from its own: a backup line is its droplet's cost.
TARGET_KIND: dict[str, str] = {"droplet_backup": "droplet"}


def target_kind(kind: str | None) -> str | None:
    """The ``cloud_resources`` kind a line of ``kind`` is matched against (None: not matched)."""
    if not isinstance(kind, str) or kind == TAX_KIND or kind in ACCOUNT_LEVEL_KINDS:
        return None
    target = TARGET_KIND.get(kind, kind)
    return target if target in RESOURCE_KINDS else None


def derive_kinds(
    products: pd.Series | Iterable[str | None], descriptions: pd.Series | Iterable[str | None]
) -> pd.Series:
    """Each line's kind (a categorical of the kinds that occur; missing where no rule matches);
    every pattern runs once per distinct product or description."""
    products, descriptions = texts(products), texts(descriptions)
    product_codes, distinct_products = distinct(products)
    distinct_products = distinct_products.str.replace(r"\s+", " ", regex=True).str.strip()
    description_codes, distinct_descriptions = distinct(descriptions)
    codes = np.full(len(products), -1, dtype=np.int8)
    undecided = np.ones(len(products), dtype=bool)
    for rule in KIND_RULES:
        hit = undecided.copy()
        if rule.product is not None:
            hit &= _matches(distinct_products, rule.product)[product_codes]
        if rule.description is not None and hit.any():
            hit &= _matches(distinct_descriptions, rule.description)[description_codes]
        codes[hit] = _CATEGORIES.index(rule.kind)
        undecided &= ~hit
    return labels(codes, _CATEGORIES).set_axis(products.index)


def _matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Does ``pattern`` match each text (case-insensitive search)? Last, for a null: no."""
    found = values.str.contains(pattern, case=False, regex=True)
    return np.append(found.to_numpy(dtype=bool, na_value=False), False)

"""Exact money parsing: DO's CSV amounts (``$3.11``, ``"$1,234.56"``, ``-$5.00``, ``($5.00)``)
to integer cents, vectorised with pyarrow compute and never through floats.

Each distinct amount string is parsed once (dictionary encoding), so a million lines cost about
as much as their few thousand distinct amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arcadia_cloud_core.billing.arrow_utils import StringInput, encode

#: Grammar: optional parentheses (negative), one optional minus before or after the ``$``,
#: whole dollars with or without thousands separators, and 0-2 decimals. At most 15 digits of
#: dollars, so cents always fit in int64.
AMOUNT_PATTERN = (
    r"^\s*(?P<open>\()?\s*(?P<minus1>-)?\s*\$?\s*(?P<minus2>-)?\s*"
    r"(?P<whole>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.(?P<frac>\d{1,2}))?\s*(?P<close>\))?\s*$"
)


#: The usual form, a subset of the grammar: ``$`` then whole dollars (with or without thousands
#: separators) and exactly two decimals.
_PLAIN_PATTERN = r"^\$(?:\d{1,15}|\d{1,3}(?:,\d{3}){1,4})\.\d\d$"


@dataclass(frozen=True)
class ParsedAmounts:
    """Cents per input value, and which inputs did not parse (their cents are 0)."""

    cents: np.ndarray  # int64
    invalid: np.ndarray  # bool

    @property
    def first_invalid(self) -> int | None:
        """Index of the first value that did not parse, or None."""
        bad = np.flatnonzero(self.invalid)
        return int(bad[0]) if bad.size else None


def _parse_distinct(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse an array of (distinct) amount strings: (cents, invalid).

    DO's usual form (``$3.11``, ``$1,234.56``) is read by dropping ``$``, ``,`` and ``.``; only
    the other values go through the full grammar."""
    plain = pc.fill_null(pc.match_substring_regex(values, _PLAIN_PATTERN), False)
    plain = plain.to_numpy(zero_copy_only=False)
    if plain.all():
        digits = pc.replace_substring_regex(values, r"[$,.]", "")
        return pc.cast(digits, pa.int64()).to_numpy(), np.zeros(len(values), dtype=bool)
    cents, invalid = _parse_grammar(values)
    if plain.any():
        where = np.flatnonzero(plain)
        cents[where], invalid[where] = _parse_distinct(pc.take(values, where))
    return cents, invalid


def _parse_grammar(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse amount strings by :data:`AMOUNT_PATTERN`: (cents, invalid)."""
    parts = pc.extract_regex(values, AMOUNT_PATTERN)  # null where the grammar does not match
    invalid = parts.is_null().to_numpy(zero_copy_only=False).copy()
    filled = pc.fill_null(
        parts,
        pa.scalar(
            {"open": "", "minus1": "", "minus2": "", "whole": "0", "frac": "", "close": ""},
            type=parts.type,
        ),
    )

    def field(name: str) -> pa.Array:
        return pc.struct_field(filled, name)

    whole = pc.cast(pc.replace_substring(field("whole"), ",", ""), pa.int64())
    frac = pc.cast(pc.utf8_rpad(field("frac"), width=2, padding="0"), pa.int64())
    opened = pc.not_equal(field("open"), "").to_numpy(zero_copy_only=False)
    closed = pc.not_equal(field("close"), "").to_numpy(zero_copy_only=False)
    minus = pc.not_equal(field("minus1"), "").to_numpy(zero_copy_only=False).astype(
        np.int8
    ) + pc.not_equal(field("minus2"), "").to_numpy(zero_copy_only=False).astype(np.int8)
    # Unbalanced parentheses, two minus signs, or a minus inside parentheses are not amounts.
    invalid |= (opened != closed) | (minus > 1) | (opened & (minus > 0))
    negative = opened | (minus > 0)
    cents = whole.to_numpy() * 100 + frac.to_numpy()
    cents = np.where(negative, -cents, cents)
    cents[invalid] = 0
    return cents.astype(np.int64), invalid


def parse_amounts(values: StringInput) -> ParsedAmounts:
    """Parse amount strings to exact integer cents; nulls and non-amounts are flagged invalid."""
    encoded = encode(values)
    rows = len(encoded.indices)
    if not len(encoded.dictionary):  # no values, or only nulls
        return ParsedAmounts(np.zeros(rows, np.int64), np.ones(rows, bool))
    cents, invalid = _parse_distinct(encoded.dictionary)
    # Position -1 (null) picks the last slot: 0 cents, invalid.
    row_cents = np.append(cents, 0)[encoded.indices]
    return ParsedAmounts(row_cents, np.append(invalid, True)[encoded.indices])


def amount_to_cents(text: str) -> int:
    """One amount string to cents (``"($1,234.56)"`` → ``-123456``); ``ValueError`` if invalid."""
    parsed = parse_amounts([text])
    if parsed.invalid[0]:
        raise ValueError(f"not an amount: {text!r}")
    return int(parsed.cents[0])


def format_usd(cents: int) -> str:
    """``-123456`` → ``"-$1,234.56"`` (for messages and round-trip tests)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"

"""Exact money: DO's CSV amounts (``$3.11``, ``"$1,234.56"``, ``-$5.00``, ``($5.00)``) to
integer cents, never through floats (the CSV parser calls :func:`cents_of` once per distinct
amount).
"""

from __future__ import annotations

import re

#: Grammar: optional parentheses (negative), one optional minus before or after the ``$``,
#: whole dollars with or without thousands separators, and 0-2 decimals. At most 15 digits of
#: dollars, so cents always fit in int64.
AMOUNT_PATTERN = re.compile(
    r"\s*(?P<open>\()?\s*(?P<minus1>-)?\s*\$?\s*(?P<minus2>-)?\s*"
    r"(?P<whole>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.(?P<frac>\d{1,2}))?\s*(?P<close>\))?\s*"
)


def cents_of(text: str | None) -> int | None:
    """One amount string in cents (``"($1,234.56)"`` → ``-123456``); None if it is not one."""
    found = AMOUNT_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        return None
    opened, closed = found["open"] is not None, found["close"] is not None
    minus = (found["minus1"] is not None) + (found["minus2"] is not None)
    # Unbalanced parentheses, two minus signs, or a minus inside parentheses are not amounts.
    if opened != closed or minus > 1 or (opened and minus):
        return None
    cents = int(found["whole"].replace(",", "")) * 100 + int((found["frac"] or "").ljust(2, "0"))
    return -cents if opened or minus else cents


def format_usd(cents: int) -> str:
    """``-123456`` → ``"-$1,234.56"`` (for messages and round-trip tests)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"

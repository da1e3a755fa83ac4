"""DO's numeric response headers (``retry-after``, ``ratelimit-remaining``, ``ratelimit-reset``).

One rule for all of them: a header counts only when it is a finite number ≥ 0; anything else
(absent, not a number, ``inf``/``nan``, negative) is ignored, as if DO had not sent it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["number_header"]


def number_header(headers: Mapping[str, str], name: str) -> float | None:
    """The value of header ``name`` as a finite, non-negative number, else ``None``."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None

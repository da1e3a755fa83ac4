"""Pause Python's cyclic garbage collector around bulk object building.

Listing tens of thousands of DO resources and writing them through the chokepoint builds
hundreds of thousands of small containers that hold no reference cycles. The collector's full
passes are triggered by those very allocations and each one walks every live object: at 47k
resources they cost more than the parsing itself. Reference counting still frees everything
while the collector is paused; it resumes (if it was on) when the last overlapping section ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic GC off; re-entrant and shared by concurrent threads."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()

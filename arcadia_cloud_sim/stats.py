"""Request counters the tests and benchmarks read through ``GET /_sim/stats``."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Counts of requests seen, per ``METHOD path`` and status, and of faults served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.total = 0
            self.by_path: Counter[str] = Counter()
            self.by_status: Counter[int] = Counter()
            self.by_path_status: Counter[tuple[str, int]] = Counter()
            self.rate_limited = 0
            self.faults: Counter[str] = Counter()

    def record(self, *, method: str, path: str, status: int) -> None:
        """Count one answered (or dropped: status 0) request."""
        key = f"{method} {path}"
        with self._lock:
            self.total += 1
            self.by_path[key] += 1
            self.by_status[status] += 1
            self.by_path_status[(key, status)] += 1

    def record_rate_limited(self) -> None:
        """Count a 429 served by the rate limiter (not an injected one)."""
        with self._lock:
            self.rate_limited += 1

    def record_fault(self, kind: str) -> None:
        """Count an injected fault."""
        with self._lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON view of the counters."""
        with self._lock:
            by_path: dict[str, dict[str, int]] = {}
            for (key, status), n in sorted(self.by_path_status.items()):
                by_path.setdefault(key, {})[str(status)] = n
            return {
                "total": self.total,
                "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
                "by_path": by_path,
                "rate_limited": self.rate_limited,
                "faults": dict(self.faults),
            }

"""Deterministic fault injection: which request gets which fault, drawn from the seed."""

from __future__ import annotations

import random
import threading

from arcadia_cloud_sim.settings import SimSettings

#: Paths faults apply to when no ``fault_paths`` filter is set.
DEFAULT_FAULT_PREFIXES = ("/v2/", "/api/")


class FaultInjector:
    """Draws, per eligible request, whether to inject a fault and which kind.

    The draws come from one ``random.Random(seed)`` stream, so the n-th eligible request gets
    the same decision on every run with the same seed and settings.
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int | None = None) -> None:
        """Restart the decision stream (same seed unless one is given)."""
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._rng = random.Random(f"faults:{self._seed}")

    @staticmethod
    def applies_to(path: str, settings: SimSettings) -> bool:
        """True if ``path`` is subject to fault injection under ``settings``."""
        prefixes = settings.fault_paths or DEFAULT_FAULT_PREFIXES
        return any(path.startswith(p) for p in prefixes)

    def draw(self, path: str, settings: SimSettings) -> str | None:
        """The fault kind to inject for this request, or ``None``."""
        if settings.fault_rate <= 0 or not settings.fault_kinds:
            return None
        if not self.applies_to(path, settings):
            return None
        with self._lock:
            hit = self._rng.random() < settings.fault_rate
            kind = self._rng.choice(settings.fault_kinds)
        return kind if hit else None

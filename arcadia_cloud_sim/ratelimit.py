"""DO's rate limit: a sliding hour and a burst window per token (in memory, per process), plus
the endpoint limits DO documents on top of them (:data:`ENDPOINT_LIMITS`)."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointLimit:
    """``limit`` requests per ``window`` seconds per token on the paths under ``prefix``
    (``exact``: the path itself only), for ``methods`` (None: every method)."""

    name: str
    prefix: str
    limit: int
    window: float
    methods: frozenset[str] | None = None
    exact: bool = False

    def applies(self, method: str, path: str) -> bool:
        """True when a ``method`` request to ``path`` counts against this limit."""
        if self.methods is not None and method not in self.methods:
            return False
        if self.exact:
            return path.rstrip("/") == self.prefix
        return path == self.prefix or path.startswith(self.prefix + "/")


#: DO's endpoint-specific limits (API reference, rate limits): ``GET /v2/account/keys`` 10 per
#: 60 s; every ``/v2/cdn/endpoints*`` request 5 per 10 s.
ENDPOINT_LIMITS = (
    EndpointLimit("ssh_keys", "/v2/account/keys", 10, 60.0, frozenset({"GET"}), exact=True),
    EndpointLimit("cdn_endpoints", "/v2/cdn/endpoints", 5, 10.0),
)


@dataclass(frozen=True)
class RateDecision:
    """Outcome of one request against the budget, with the headers DO sends."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        """``ratelimit-*`` headers (and ``retry-after`` on burst 429s)."""
        out = {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(self.remaining),
            "ratelimit-reset": str(self.reset),
        }
        if self.retry_after is not None:
            out["retry-after"] = str(self.retry_after)
        return out


class RateLimiter:
    """Sliding-window counters per token: ``hour_limit`` per 3600 s, ``burst_limit`` per window.

    Only accepted requests count. ``ratelimit-reset`` is when the oldest counted request of the
    hour expires (Unix seconds); ``ratelimit-remaining`` is the hourly allowance left (0 on a
    burst 429, as DO documents).
    """

    HOUR = 3600.0

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget every token's history."""
        with self._lock:
            self._hits.clear()

    def check(
        self, token: str, *, now: float, hour_limit: int, burst_limit: int, burst_window: float
    ) -> RateDecision:
        """Count a request for ``token`` if the budget allows it."""
        with self._lock:
            hits = self._hits.setdefault(token, deque())
            while hits and hits[0] <= now - self.HOUR:
                hits.popleft()
            in_burst = 0
            for ts in reversed(hits):
                if ts <= now - burst_window:
                    break
                in_burst += 1
            if len(hits) >= hour_limit:
                return RateDecision(False, hour_limit, 0, math.ceil(hits[0] + self.HOUR))
            if in_burst >= burst_limit:
                oldest_in_burst = hits[len(hits) - in_burst]
                wait = max(1, math.ceil(oldest_in_burst + burst_window - now))
                return RateDecision(
                    False, hour_limit, 0, math.ceil(hits[0] + self.HOUR), retry_after=wait
                )
            hits.append(now)
            return RateDecision(
                True, hour_limit, hour_limit - len(hits), math.ceil(hits[0] + self.HOUR)
            )

    def check_endpoint(
        self, token: str, method: str, path: str, *, now: float, window_scale: float = 1.0
    ) -> RateDecision | None:
        """Count a request against the endpoint limit it falls under (None: none applies).

        ``window_scale`` shortens (or stretches) every window, so tests need not wait a minute.
        """
        for rule in ENDPOINT_LIMITS:
            if rule.applies(method, path):
                return self.check(f"{token}\x00{rule.name}", now=now, hour_limit=2**31,
                                  burst_limit=rule.limit, burst_window=rule.window * window_scale)
        return None

    def peek(self, token: str, *, now: float, hour_limit: int) -> RateDecision:
        """The headers for ``token`` without counting a request (e.g. for 401s)."""
        with self._lock:
            hits = [t for t in self._hits.get(token, ()) if t > now - self.HOUR]
        reset = math.ceil((hits[0] if hits else now) + self.HOUR)
        return RateDecision(True, hour_limit, max(0, hour_limit - len(hits)), reset)

"""The simulator's per-process context, reachable from handlers as ``request.app.state.sim``."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from arcadia_cloud_sim.faults import FaultInjector
from arcadia_cloud_sim.ratelimit import RateLimiter
from arcadia_cloud_sim.settings import SimSettings
from arcadia_cloud_sim.stats import RequestStats
from arcadia_cloud_sim.store import Clock, Store


@dataclass
class SimContext:
    """State shared by all handlers: the store, the (live-replaceable) settings and the clock.

    ``settings`` is a frozen dataclass that ``POST /_sim/config`` replaces as a whole, so read
    ``ctx.settings`` at the moment you need a value rather than keeping a reference.
    """

    store: Store
    settings: SimSettings
    clock: Clock = field(default_factory=Clock)
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    stats: RequestStats = field(default_factory=RequestStats)
    faults: FaultInjector | None = None

    def __post_init__(self) -> None:
        if self.faults is None:
            self.faults = FaultInjector(self.settings.seed)


def sim_context(request: Request) -> SimContext:
    """The :class:`SimContext` of the app serving ``request``."""
    ctx: SimContext = request.app.state.sim
    return ctx

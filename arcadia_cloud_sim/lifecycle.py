"""Scheduled state changes ("lags"): droplets turning active, actions completing, and so on.

A handler that starts slow work schedules an event (``store.schedule``); the middleware calls
:func:`process_due_events` at the start of every request, which applies each due event in its
own transaction. Events live in the SQLite file, so they survive a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arcadia_cloud_sim.context import SimContext

EventHandler = Callable[["SimContext", dict[str, Any], float], None]

_HANDLERS: dict[str, EventHandler] = {}
log = logging.getLogger(__name__)


def on_event(event_type: str) -> Callable[[EventHandler], EventHandler]:
    """Register the function that applies events of ``event_type``."""

    def register(fn: EventHandler) -> EventHandler:
        _HANDLERS[event_type] = fn
        return fn

    return register


def schedule(ctx: SimContext, *, delay: float, event_type: str, payload: dict[str, Any]) -> float:
    """Schedule ``event_type`` ``delay`` seconds from now; returns the due time."""
    due = ctx.clock.now() + max(0.0, delay)
    ctx.store.schedule(due_at=due, type=event_type, payload=payload)
    return due


def process_due_events(ctx: SimContext) -> int:
    """Apply every event that is due now; returns how many were applied."""
    store = ctx.store
    now = ctx.clock.now()
    if not store.has_due_events(now):
        return 0
    with store.transaction():
        events = store.pop_due_events(now)
        for event in events:
            handler = _HANDLERS.get(event.type)
            if handler is None:
                log.warning("no handler for event type %s", event.type)
                continue
            handler(ctx, event.payload, event.due_at)
    return len(events)

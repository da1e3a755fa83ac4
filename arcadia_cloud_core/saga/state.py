"""What a step sees: `SagaState` (inputs, context, step index) and `StepView` (the journal's view).

Inputs and context are deep-frozen JSON (read-only mappings and tuples): a step never mutates
them, it returns ``state.with_context(key=value)``. The engine journals the context after every
step, so everything put in it must be JSON-serialisable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

#: The context key under which the engine keeps its own bookkeeping in the journal.
ENGINE_CONTEXT_KEY = "_saga"


def freeze(value: Any) -> Any:
    """A deep read-only copy of JSON-like data (mappings become read-only, lists tuples)."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain, mutable JSON data (dicts and lists) from `freeze`'s output."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


def check_json(value: Any, *, what: str) -> None:
    """Raise `TypeError` naming ``what`` when ``value`` is not JSON-serialisable."""
    try:
        json.dumps(thaw(value), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON-serialisable: {exc}") from None


@dataclass(frozen=True)
class StepView:
    """The journal's record of a step before the current attempt (empty on the first one)."""

    status: str | None = None
    attempts: int = 0
    output: Mapping[str, Any] | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", freeze(self.output))

    @property
    def is_first_attempt(self) -> bool:
        """True when the step has never been started before."""
        return self.attempts == 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (StepView, (self.status, self.attempts, thaw(self.output), self.error))


@dataclass(frozen=True)
class SagaState:
    """The immutable inputs, the accumulated context and the index of the step at hand.

    ``step`` is the journal's view of the step at ``step_idx`` (attempts, prior output), for
    making a re-entered step idempotent.
    """

    saga_id: str
    kind: str
    inputs: Mapping[str, Any]
    context: Mapping[str, Any]
    step_idx: int
    step: StepView = field(default_factory=StepView)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", freeze(self.inputs))
        object.__setattr__(self, "context", freeze(self.context))

    def with_context(self, **updates: Any) -> SagaState:
        """A copy whose context has ``updates`` merged in."""
        return self.merge(updates)

    def merge(self, updates: Mapping[str, Any]) -> SagaState:
        """A copy whose context has the mapping ``updates`` merged in."""
        if ENGINE_CONTEXT_KEY in updates:
            raise KeyError(f"context key {ENGINE_CONTEXT_KEY!r} is reserved for the saga engine")
        return replace(self, context={**self.context, **updates})

    def __reduce__(self) -> tuple[Any, ...]:
        args = (
            self.saga_id,
            self.kind,
            thaw(self.inputs),
            thaw(self.context),
            self.step_idx,
            self.step,
        )
        return (SagaState, args)


def context_delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The context entries a step added or changed (its journalled output)."""
    return {k: thaw(v) for k, v in after.items() if k not in before or before[k] != v}

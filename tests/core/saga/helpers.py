"""Engine test helpers: a quick-heartbeat runner, and recording steps (each call is appended to
a shared list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from arcadia_cloud_core.saga import (
    FunctionStep,
    SagaDefinition,
    SagaJournal,
    SagaRunner,
    SagaState,
    Step,
)

#: A heartbeat quick enough for tests that look at it.
TEST_HEARTBEAT_SECONDS = 0.05


def runner_for(engine: Engine, saga: SagaDefinition, **kwargs: Any) -> SagaRunner:
    """A runner of ``saga`` on the journal in ``engine``, with the tests' quick heartbeat."""
    return SagaRunner(SagaJournal(engine), saga, heartbeat_seconds=TEST_HEARTBEAT_SECONDS, **kwargs)


@dataclass
class Recorder:
    """What the steps did, in order: ("do", name) and ("undo", name)."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    states: dict[str, SagaState] = field(default_factory=dict)

    def done(self, kind: str) -> list[str]:
        return [name for what, name in self.calls if what == kind]

    def step(
        self,
        name: str,
        *,
        fail: Callable[[SagaState], BaseException | None] | None = None,
        compensate_fail: BaseException | None = None,
        compensable: bool = True,
        max_attempts: int = 1,
        during: Callable[[SagaState], None] | None = None,
    ) -> Step:
        """A step that records its calls, puts ``{name: "done:<name>"}`` in the context, and
        raises what ``fail(state)`` returns (when not None)."""

        def execute(state: SagaState) -> SagaState:
            self.calls.append(("do", name))
            self.states[name] = state
            if during is not None:
                during(state)
            if fail is not None:
                error = fail(state)
                if error is not None:
                    raise error
            return state.with_context(**{name: f"done:{name}"})

        def compensate(state: SagaState) -> None:
            self.calls.append(("undo", name))
            self.states[f"undo:{name}"] = state
            if compensate_fail is not None:
                raise compensate_fail

        return FunctionStep(
            name,
            execute,
            compensate if compensable else None,
            max_attempts=max_attempts,
            retry_delay_seconds=0.01,
        )

    def saga(self, *steps: Step, kind: str = "test") -> SagaDefinition:
        return SagaDefinition(kind, steps)

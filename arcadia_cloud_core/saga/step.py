"""The step contract and a saga's definition (its kind and ordered list of steps).

A new workflow is a new `SagaDefinition`: a list of steps, never new orchestration code.

A step:

- ``execute(state) -> state`` does the action and returns the state with its results merged into
  the context. It raises a `StepError` (see `errors`) to fail, saying whether a retry may help.
  The engine journals the step ``running`` *before* calling it (Temporal's rule: the compensation
  is registered before the action), so a process killed right after the DO write is still rolled
  back. ``execute`` must therefore be idempotent on re-entry: ``state.step`` tells it how many
  attempts were made and what they journalled; look there, then in DO, before acting again.
- ``compensate(state)`` (optional) undoes the action. It may be called for a step that completed,
  failed or never finished, possibly more than once across crashes: it must be idempotent (a 404
  on delete is success).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from arcadia_cloud_core.saga.errors import SagaDefinitionError
from arcadia_cloud_core.saga.state import SagaState

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Step:
    """Base class of saga steps: set ``name``, implement `execute`, override `compensate` if any.

    ``max_attempts`` bounds how often a `RetryableStepError` is retried (attempts in total);
    ``retry_delay_seconds`` is the first wait, doubled after each failed attempt.
    """

    name: str = ""
    description: str = ""
    max_attempts: int = 1
    retry_delay_seconds: float = 1.0

    def execute(self, state: SagaState) -> SagaState:
        """Do the step's action; return ``state`` with the results merged into its context."""
        raise NotImplementedError

    def compensate(self, state: SagaState) -> None:
        """Undo the action (idempotently). Steps without an undo do not override this."""
        raise NotImplementedError

    @property
    def has_compensation(self) -> bool:
        """True when the step defines `compensate`."""
        return type(self).compensate is not Step.compensate

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class FunctionStep(Step):
    """A step made of plain functions (handy for small steps and tests)."""

    def __init__(
        self,
        name: str,
        execute: Callable[[SagaState], SagaState],
        compensate: Callable[[SagaState], None] | None = None,
        *,
        description: str = "",
        max_attempts: int = 1,
        retry_delay_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self.description = description
        self.max_attempts = max_attempts
        self.retry_delay_seconds = retry_delay_seconds
        self._execute = execute
        self._compensate = compensate

    def execute(self, state: SagaState) -> SagaState:
        return self._execute(state)

    def compensate(self, state: SagaState) -> None:
        if self._compensate is None:
            raise NotImplementedError(f"step {self.name!r} has no compensation")
        self._compensate(state)

    @property
    def has_compensation(self) -> bool:
        return self._compensate is not None


@dataclass(frozen=True)
class SagaDefinition:
    """A kind of saga: its name (``kind``, stored in `saga_runs.kind`) and its ordered steps."""

    kind: str
    steps: tuple[Step, ...]
    description: str = ""
    step_names: tuple[str, ...] = field(init=False)

    def __init__(self, kind: str, steps: Sequence[Step], description: str = "") -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "steps", tuple(steps))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "step_names", tuple(step.name for step in self.steps))
        self._validate()

    def _validate(self) -> None:
        if not _NAME.match(self.kind):
            raise SagaDefinitionError(f"saga kind {self.kind!r} must match {_NAME.pattern}")
        if not self.steps:
            raise SagaDefinitionError(f"saga {self.kind!r} has no steps")
        for step in self.steps:
            if not _NAME.match(step.name):
                raise SagaDefinitionError(
                    f"saga {self.kind!r}: step name {step.name!r} must match {_NAME.pattern}"
                )
            if step.max_attempts < 1:
                raise SagaDefinitionError(f"saga {self.kind!r}: {step.name} max_attempts < 1")
        if len(set(self.step_names)) != len(self.step_names):
            raise SagaDefinitionError(f"saga {self.kind!r}: step names repeat: {self.step_names}")

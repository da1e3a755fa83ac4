"""The demo saga: echo steps that fail, fail to compensate or crash where the inputs say.

It shows (and tests) the engine with no DigitalOcean call. Inputs (all optional):

- ``message``: echoed into the context by every step.
- ``fail_at``: the step that fails; ``fail_times``: how many of its attempts fail (0: all),
  ``fail_mode``: ``permanent``, ``retryable`` (retried up to 3 attempts) or ``resumable``.
- ``fail_compensation_of``: steps whose compensation fails.
- ``crash_at``: ``"<step>:<point>"`` with point ``before_action``, ``after_action`` (the action
  is done, the journal does not know yet) or ``in_compensation``: the process kills itself with
  SIGKILL there, as a crashed run worker would (used by the crash tests). The forward points
  fire on the step's first attempt only, so a resumed saga gets past them.
- ``sleep_seconds``: how long each step's action takes.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arcadia_cloud_core.saga.errors import (
    PermanentStepError,
    ResumableStepError,
    RetryableStepError,
    StepError,
)
from arcadia_cloud_core.saga.state import SagaState
from arcadia_cloud_core.saga.step import SagaDefinition, Step

log = logging.getLogger(__name__)

DEMO_KIND = "demo"
CRASH_POINTS = ("before_action", "after_action", "in_compensation")
FAIL_MODES: Mapping[str, type[StepError]] = {
    "permanent": PermanentStepError,
    "retryable": RetryableStepError,
    "resumable": ResumableStepError,
}


@dataclass(frozen=True)
class DemoOptions:
    """The demo's knobs, read from the saga inputs."""

    message: str = "hello"
    fail_at: str | None = None
    fail_times: int = 0
    fail_mode: str = "permanent"
    fail_compensation_of: tuple[str, ...] = ()
    crash_at: str | None = None
    sleep_seconds: float = 0.0

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> DemoOptions:
        """Options from saga inputs (unknown keys are ignored)."""
        options = cls(
            message=str(inputs.get("message", cls.message)),
            fail_at=inputs.get("fail_at") or None,
            fail_times=int(inputs.get("fail_times", 0)),
            fail_mode=str(inputs.get("fail_mode", "permanent")),
            fail_compensation_of=tuple(inputs.get("fail_compensation_of") or ()),
            crash_at=inputs.get("crash_at") or None,
            sleep_seconds=float(inputs.get("sleep_seconds", 0.0)),
        )
        if options.fail_mode not in FAIL_MODES:
            raise PermanentStepError(f"fail_mode must be one of {sorted(FAIL_MODES)}")
        return options

    def crash_if_asked(self, step: str, point: str, *, first_attempt: bool = True) -> None:
        """Kill this process with SIGKILL when ``crash_at`` names this step and point."""
        if self.crash_at == f"{step}:{point}" and first_attempt:
            log.warning("demo: crashing at %s:%s as asked (SIGKILL)", step, point)
            os.kill(os.getpid(), signal.SIGKILL)


class EchoStep(Step):
    """Echoes the message into the context; its compensation only logs (or fails, if asked)."""

    max_attempts = 3
    retry_delay_seconds = 0.05

    def __init__(self, name: str) -> None:
        self.name = name
        self.description = f"Demo step {name}: echo the message (fails/crashes if configured)."

    def execute(self, state: SagaState) -> SagaState:
        options = DemoOptions.from_inputs(state.inputs)
        first = state.step.is_first_attempt
        options.crash_if_asked(self.name, "before_action", first_attempt=first)
        if options.sleep_seconds > 0:
            time.sleep(options.sleep_seconds)
        failing = options.fail_times == 0 or state.step.attempts < options.fail_times
        if options.fail_at == self.name and failing:
            error = FAIL_MODES[options.fail_mode]
            raise error(
                f"demo step {self.name} fails as configured (attempt {state.step.attempts + 1})",
                output={"failed_attempt": state.step.attempts + 1},
            )
        echoed = state.with_context(
            **{self.name: {"echo": options.message, "attempt": state.step.attempts + 1}}
        )
        options.crash_if_asked(self.name, "after_action", first_attempt=first)
        return echoed

    def compensate(self, state: SagaState) -> None:
        options = DemoOptions.from_inputs(state.inputs)
        options.crash_if_asked(self.name, "in_compensation")
        if self.name in options.fail_compensation_of:
            raise PermanentStepError(f"demo compensation of {self.name} fails as configured")
        log.info("demo: undid %s (%s)", self.name, state.context.get(self.name))


def demo_saga(step_count: int = 3) -> SagaDefinition:
    """The demo saga: ``echo_1`` … ``echo_<step_count>``."""
    steps = [EchoStep(f"echo_{n}") for n in range(1, step_count + 1)]
    return SagaDefinition(DEMO_KIND, steps, description="Echo steps; no DigitalOcean call.")

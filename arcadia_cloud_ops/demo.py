"""``saga_demo``: the saga engine end to end with no DigitalOcean call (echo steps).

Run config chooses where a step fails, whether a compensation fails, or where the run worker
kills itself — see `arcadia_cloud_core.testing.demo_saga`.
"""

# No `from __future__ import annotations`: Dagster reads these annotations at definition time.

from typing import Literal

import dagster as dg
from pydantic import Field

from arcadia_cloud_core.saga import SagaDefinition
from arcadia_cloud_core.testing.demo_saga import demo_saga
from arcadia_cloud_ops.saga_jobs import SagaConfig, build_saga_job


class DemoSagaConfig(SagaConfig):
    """Knobs of the demo saga (steps echo_1, echo_2, echo_3)."""

    message: str = Field(default="hello", description="Echoed into the context by every step.")
    fail_at: str | None = Field(default=None, description="Step that fails, e.g. echo_2.")
    fail_times: int = Field(
        default=0, ge=0, description="How many attempts of fail_at fail (0: every attempt)."
    )
    fail_mode: Literal["permanent", "retryable", "resumable"] = Field(
        default="permanent",
        description="retryable: retried in the step (3 attempts); resumable: kept for resume.",
    )
    fail_compensation_of: list[str] = Field(
        default=[], description="Steps whose compensation fails."
    )
    crash_at: str | None = Field(
        default=None,
        description=(
            "'<step>:<point>' (before_action, after_action, in_compensation): the run worker "
            "SIGKILLs itself there, as a crash would. For crash drills only."
        ),
    )
    sleep_seconds: float = Field(default=0.0, ge=0, le=600, description="Duration of each step.")


def demo_saga_definition() -> SagaDefinition:
    """The step list behind ``saga_demo``."""
    return demo_saga()


def build_saga_demo_job(saga: SagaDefinition | None = None) -> dg.JobDefinition:
    """The ``saga_demo`` job."""
    return build_saga_job(
        saga or demo_saga_definition(),
        name="saga_demo",
        config_cls=DemoSagaConfig,
        example=DemoSagaConfig(message="hello from the Launchpad", fail_at=None),
        description=(
            "Demo saga (echo_1 -> echo_2 -> echo_3, no DigitalOcean call). Set fail_at to make a "
            "step fail and watch the failure hook roll the others back; on_failure: "
            "leave_for_resume keeps it for re-execution from failure."
        ),
        tags={"arcadia/demo": "true"},
    )

"""One way to declare a schedule in this location: UTC cron, on by default."""

from typing import Any

import dagster as dg


def utc_schedule(name: str, *, job: Any, cron: str, description: str) -> dg.ScheduleDefinition:
    """A schedule on `cron` (UTC), RUNNING by default; stop it in the UI or with
    `dagster schedule stop <name>`."""
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )

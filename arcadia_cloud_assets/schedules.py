"""One way to declare a schedule (UTC cron) and a sensor in this location: on by default."""

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


def running_sensor(*, job: Any, seconds: int, description: str) -> Any:
    """`dg.sensor` decorator: evaluated at most every ``seconds``, RUNNING by default; stop it in
    the UI or with `dagster sensor stop <name>`."""
    return dg.sensor(
        job=job,
        minimum_interval_seconds=seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=description,
    )

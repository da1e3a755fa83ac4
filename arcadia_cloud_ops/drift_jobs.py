"""Resolve drift from the Launchpad: `accept_drift_job` makes the live value the desired state.

Run config (either a drift id, or the resource and field)::

    ops:
      accept_drift:
        config:
          drift_id: 42
    # or
    ops:
      accept_drift:
        config:
          resource_id: 7
          field: size
"""

import dagster as dg
from pydantic import Field

from arcadia_cloud_core.drift import DriftError, accept_drift
from arcadia_cloud_core.resources import DatabaseResource


class AcceptDriftConfig(dg.Config):
    """Which drift to accept: `drift_id`, or `resource_id` + `field`."""

    drift_id: int | None = Field(default=None, description="The drift's id (the inbox shows it).")
    resource_id: int | None = Field(default=None, description="Inventory id of the resource.")
    field: str | None = Field(default=None, description="The drifted field, e.g. `size`.")


@dg.op(name="accept_drift")
def accept_drift_op(
    context: dg.OpExecutionContext, config: AcceptDriftConfig, database: DatabaseResource
) -> dict:
    """Accept one open drift: the spec takes the live value, its version is bumped."""
    by_id = config.drift_id is not None
    by_field = config.resource_id is not None and bool(config.field)
    if by_id == by_field:
        raise dg.Failure(
            "accept_drift: give either `drift_id`, or both `resource_id` and `field` "
            f"(got drift_id={config.drift_id}, resource_id={config.resource_id}, "
            f"field={config.field!r})"
        )
    try:
        resolved = accept_drift(
            database.engine(),
            drift_id=config.drift_id,
            resource_id=config.resource_id,
            field=config.field,
        )
    except DriftError as exc:
        raise dg.Failure(f"accept_drift: {exc}") from None
    context.log.info(f"accepted drift: {resolved}")
    context.add_output_metadata(
        {
            "drift_id": resolved.drift_id,
            "resource_id": resolved.resource_id,
            "field": resolved.field,
        }
    )
    return {"drift_id": resolved.drift_id, "status": "accepted"}


@dg.job(
    description="Accept a drift: the live value becomes the desired spec (spec_version bumped, "
    "drift closed `accepted`, event written). Config: `drift_id`, or `resource_id` + `field`.",
    tags={"arcadia/job_kind": "drift_resolution"},
)
def accept_drift_job() -> None:
    """One op: accept_drift."""
    accept_drift_op()

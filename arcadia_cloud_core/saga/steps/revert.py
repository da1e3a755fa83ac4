"""``revert_drift``: put a droplet's size back to its provisioned spec, then close the drift.

LoadSizeDrift -> ResizeToSpec -> CloseDrift.

- LoadSizeDrift finds the open ``size`` drift of the droplet (or checks the given drift id) and
  stashes the spec's size and the droplet's power status before anything changes.
- ResizeToSpec: DO resizes only a powered-off droplet, so: wait until no action is pending, power
  off, resize (CPU/RAM only, never the disk: that cannot be undone), power back on if it was on.
  Each phase looks at the droplet first, so a re-entry continues where a crash left off. Undo:
  power the droplet back on if it was on — the resize itself is not undone (it restored the
  desired state; undoing it would recreate the drift).
- CloseDrift refreshes the inventory row from DO (one-resource upsert) and closes the drift
  ``reverted`` (`close_drift_reverted`); a drift found already closed is reported, not an error.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from arcadia_cloud_core.db.schema import cloud_drift
from arcadia_cloud_core.digitalocean import DOClient, Droplet
from arcadia_cloud_core.drift import DriftAlreadyClosed, close_drift_reverted
from arcadia_cloud_core.inventory import normalize as inventory_normalize
from arcadia_cloud_core.inventory import upsert_resources
from arcadia_cloud_core.inventory.tombstone import resource_id_of
from arcadia_cloud_core.saga.errors import PermanentStepError
from arcadia_cloud_core.saga.state import SagaState
from arcadia_cloud_core.saga.step import SagaDefinition, Step
from arcadia_cloud_core.saga.steps import catalog
from arcadia_cloud_core.saga.steps.do_errors import do_call
from arcadia_cloud_core.saga.steps.inputs import Polling, droplet_id_of
from arcadia_cloud_core.saga.steps.services import StepServices, current_services
from arcadia_cloud_core.saga.steps.waits import wait_droplet_idle, wait_for_action
from arcadia_cloud_core.testing.drills import AFTER_ACTION, drill_point

log = logging.getLogger(__name__)

REVERT_KIND = "revert_drift"
DRIFT_KEY = "drift"
RESIZE_KEY = "resize"
CLOSED_KEY = "drift_closed"
SIZE_FIELD = "size"


def _get(do: DOClient, droplet_id: str) -> Droplet:
    with do_call(f"get droplet {droplet_id}"):
        return do.get_droplet(droplet_id)


def _drift(state: SagaState) -> dict[str, Any]:
    drift = state.context.get(DRIFT_KEY)
    if not drift:
        raise PermanentStepError(f"saga {state.saga_id}: the drift was never loaded")
    return dict(drift)


class LoadSizeDrift(Step):
    """Find the droplet's open size drift and stash the spec's size and the power status."""

    name = "load_size_drift"
    description = "Find the open size drift of the droplet; stash the desired size and power state."

    def execute(self, state: SagaState) -> SagaState:
        droplet_id = droplet_id_of(state.inputs)
        wanted_id = state.inputs.get("drift_id")
        services = current_services()
        resource_id = resource_id_of(services.engine, kind="droplet", provider_id=droplet_id)
        if resource_id is None:
            raise PermanentStepError(f"droplet {droplet_id} is not in the inventory")
        query = sa.select(
            cloud_drift.c.id, cloud_drift.c.field, cloud_drift.c.expected, cloud_drift.c.actual
        ).where(cloud_drift.c.resource_id == resource_id, cloud_drift.c.status == "open")
        with services.engine.connect() as connection:
            rows = [r for r in connection.execute(query) if r.field == SIZE_FIELD]
        if wanted_id is not None:
            rows = [r for r in rows if int(r.id) == int(wanted_id)]
        if not rows:
            which = f" {wanted_id}" if wanted_id is not None else ""
            raise PermanentStepError(
                f"droplet {droplet_id} (inventory id {resource_id}) has no open drift{which} "
                f"on {SIZE_FIELD!r}: only an open size drift can be reverted"
            )
        row = rows[0]
        try:
            expected = catalog.check_size(row.expected, field="the spec's size")
        except ValueError as exc:
            raise PermanentStepError(f"drift {row.id}: {exc}") from None
        droplet = _get(services.do(), droplet_id)
        return state.with_context(
            **{
                DRIFT_KEY: {
                    "drift_id": int(row.id),
                    "resource_id": resource_id,
                    "expected": expected,
                    "actual": row.actual,
                    "size_before": droplet.size_slug,
                    "status_before": droplet.status,
                }
            }
        )


class ResizeToSpec(Step):
    """Power off, resize to the spec's size, power back on (each phase only if needed)."""

    name = "resize_to_spec"
    description = (
        "Resize the droplet back to the spec's size (power off first, as DO requires; power "
        "on again if it was on). Undo: power it back on."
    )
    max_attempts = 3
    retry_delay_seconds = 2.0

    def _act(
        self,
        do: DOClient,
        droplet_id: str,
        what: str,
        services: StepServices,
        polling: Polling,
        **kwargs: Any,
    ) -> None:
        wait_droplet_idle(do, droplet_id, services=services, polling=polling, what=what)
        with do_call(f"{what} droplet {droplet_id}"):
            if what == "power off":
                action = do.power_off_droplet(droplet_id)
            elif what == "power on":
                action = do.power_on_droplet(droplet_id)
            else:
                action = do.resize_droplet(droplet_id, size=kwargs["size"], disk=False)
        wait_for_action(do, action.id, services=services, polling=polling, what=what)

    def execute(self, state: SagaState) -> SagaState:
        drift = _drift(state)
        droplet_id = droplet_id_of(state.inputs)
        expected = str(drift["expected"])
        services = current_services()
        polling = Polling.from_inputs(state.inputs)
        do = services.do()
        wait_droplet_idle(do, droplet_id, services=services, polling=polling, what="revert")
        droplet = _get(do, droplet_id)
        if droplet.size_slug != expected:
            if droplet.status != "off":
                self._act(do, droplet_id, "power off", services, polling)
            self._act(do, droplet_id, "resize", services, polling, size=expected)
            drill_point(self.name, AFTER_ACTION)
            droplet = _get(do, droplet_id)
            if droplet.size_slug != expected:
                raise PermanentStepError(
                    f"droplet {droplet_id} is {droplet.size_slug} after resizing to {expected}"
                )
        if drift["status_before"] == "active" and droplet.status != "active":
            self._act(do, droplet_id, "power on", services, polling)
            droplet = _get(do, droplet_id)
        return state.with_context(
            **{RESIZE_KEY: {"size": droplet.size_slug, "status": droplet.status}}
        )

    def compensate(self, state: SagaState) -> None:
        drift = state.context.get(DRIFT_KEY) or {}
        if drift.get("status_before") != "active":
            return
        droplet_id = droplet_id_of(state.inputs)
        services = current_services()
        do = services.do()
        polling = Polling.from_inputs(state.inputs)
        wait_droplet_idle(do, droplet_id, services=services, polling=polling, what="undo")
        if _get(do, droplet_id).status == "off":
            self._act(do, droplet_id, "power on", services, polling)


class CloseDrift(Step):
    """Refresh the inventory row from DO and close the drift as reverted."""

    name = "close_drift"
    description = "Refresh the droplet's inventory row and close the drift as reverted."

    def execute(self, state: SagaState) -> SagaState:
        drift = _drift(state)
        droplet_id = droplet_id_of(state.inputs)
        services = current_services()
        droplet = _get(services.do(), droplet_id)
        upsert_resources(
            services.engine,
            kind="droplet",
            resources=[inventory_normalize.droplet(droplet)],
            complete=False,
        )
        try:
            resolved = close_drift_reverted(services.engine, drift_id=int(drift["drift_id"]))
            status = resolved.status
        except DriftAlreadyClosed as exc:
            log.warning("saga %s: %s", state.saga_id, exc)
            status = exc.status
        return state.with_context(**{CLOSED_KEY: {"drift_id": drift["drift_id"], "status": status}})


def revert_drift_saga() -> SagaDefinition:
    """LoadSizeDrift -> ResizeToSpec -> CloseDrift."""
    return SagaDefinition(
        REVERT_KIND,
        [LoadSizeDrift(), ResizeToSpec(), CloseDrift()],
        description="Resize a drifted droplet back to its spec and close the drift.",
    )

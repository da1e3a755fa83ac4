"""Droplet steps: create, wait until active, register in the inventory; destroy.

``provision_droplet`` = CreateDroplet -> WaitDropletActive -> RegisterDroplet.

- CreateDroplet tags the droplet ``arcadia-saga-<saga8>`` and ``managed-by-arcadia-cloud``. On
  re-entry (a crash between the POST and the journal, or a POST that timed out) it adopts the
  droplet that already carries the saga tag instead of creating a second. Its compensation
  destroys every droplet carrying the saga tag (404 counts as done).
- WaitDropletActive polls until ``active`` (bounded) and records the public IPv4.
- RegisterDroplet writes the droplet through the inventory chokepoint (one resource, not a
  complete listing) and its desired spec (`record_provisioned`); compensation tombstones the row
  (``deleted`` event) and deletes the spec.

``destroy_droplet`` = DestroyDroplet: refuses a droplet without ``managed-by-arcadia-cloud``
unless ``force``; DELETE, confirm the 404, tombstone the inventory row. Terminal: no undo.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Engine

from arcadia_cloud_core.digitalocean import DONotFoundError, Droplet
from arcadia_cloud_core.drift import forget_provisioned, record_provisioned
from arcadia_cloud_core.inventory import mark_deleted, resource_id_of, upsert_resources
from arcadia_cloud_core.inventory import normalize as inventory_normalize
from arcadia_cloud_core.saga.errors import PermanentStepError, RetryableStepError
from arcadia_cloud_core.saga.state import SagaState
from arcadia_cloud_core.saga.step import SagaDefinition, Step
from arcadia_cloud_core.saga.steps.do_errors import do_call
from arcadia_cloud_core.saga.steps.inputs import DropletSpec, Polling, droplet_id_of
from arcadia_cloud_core.saga.steps.names import MANAGED_TAG, saga_tag
from arcadia_cloud_core.saga.steps.services import current_services
from arcadia_cloud_core.saga.steps.waits import poll, retry_find
from arcadia_cloud_core.testing.drills import AFTER_ACTION, drill_point

log = logging.getLogger(__name__)

PROVISION_KIND = "provision_droplet"
DESTROY_KIND = "destroy_droplet"
DROPLET_KEY = "droplet"
ACTIVE_KEY = "droplet_active"
INVENTORY_KEY = "inventory"
DESTROYED_KEY = "destroyed"


def _droplet_context(droplet: Droplet, *, tag: str, adopted: bool) -> dict[str, Any]:
    return {
        "id": droplet.id,
        "name": droplet.name,
        "region": droplet.region,
        "size": droplet.size_slug,
        "image": droplet.image_slug or droplet.image_id,
        "tag": tag,
        "adopted": adopted,
    }


def _created_droplet_id(state: SagaState) -> str:
    droplet = state.context.get(DROPLET_KEY)
    if not droplet or not droplet.get("id"):
        raise PermanentStepError(f"saga {state.saga_id}: no droplet in the context (step order?)")
    return str(droplet["id"])


class CreateDroplet(Step):
    """POST /v2/droplets with the saga tag, or adopt the droplet an earlier attempt made."""

    name = "create_droplet"
    description = (
        "Create the droplet tagged arcadia-saga-<saga8> and managed-by-arcadia-cloud (re-entry "
        "adopts a droplet already carrying the saga tag). Undo: destroy it."
    )
    max_attempts = 3
    retry_delay_seconds = 2.0

    def execute(self, state: SagaState) -> SagaState:
        spec = DropletSpec.from_inputs(state.inputs)
        tag = saga_tag(state.saga_id)
        do = current_services().do()
        with do_call(f"look for droplets tagged {tag}"):
            existing = sorted(do.list_droplets(tag_name=tag), key=lambda d: int(d.id))
        if existing:
            droplet = existing[0]
            if len(existing) > 1:
                log.warning(
                    "saga %s: %s droplets carry %s; adopting %s (compensation removes all)",
                    state.saga_id,
                    len(existing),
                    tag,
                    droplet.id,
                )
            log.info("saga %s: adopting droplet %s (tag %s)", state.saga_id, droplet.id, tag)
            return state.with_context(
                **{DROPLET_KEY: _droplet_context(droplet, tag=tag, adopted=True)}
            )
        tags = [tag, MANAGED_TAG, *(t for t in spec.tags if t != MANAGED_TAG)]
        with do_call(f"create droplet {spec.name}"):
            created = do.create_droplet(
                name=spec.name,
                region=spec.region,
                size=spec.size,
                image=spec.image,
                tags=tags,
                backups=spec.backups,
                monitoring=spec.monitoring,
            )
        drill_point(self.name, AFTER_ACTION)
        log.info("saga %s: created droplet %s (%s)", state.saga_id, created.resource.id, spec.name)
        return state.with_context(
            **{DROPLET_KEY: _droplet_context(created.resource, tag=tag, adopted=False)}
        )

    def compensate(self, state: SagaState) -> None:
        tag = saga_tag(state.saga_id)
        do = current_services().do()
        known = state.context.get(DROPLET_KEY) or {}
        with do_call(f"look for droplets tagged {tag}"):
            ids = {d.id for d in do.list_droplets(tag_name=tag)}
        if known.get("id"):
            ids.add(str(known["id"]))
        for droplet_id in sorted(ids, key=int):
            with do_call(f"delete droplet {droplet_id}"):
                deleted = do.delete_droplet(droplet_id, missing_ok=True)
            log.info(
                "saga %s: droplet %s %s", state.saga_id, droplet_id,
                "deleted" if deleted else "was already gone",
            )  # fmt: skip
        with do_call(f"confirm no droplet is tagged {tag}"):
            left = [d.id for d in do.list_droplets(tag_name=tag)]
        if left:
            raise RetryableStepError(f"droplets {left} still carry {tag} after DELETE")


class WaitDropletActive(Step):
    """Poll the droplet until it is ``active`` (bounded); record its addresses."""

    name = "wait_droplet_active"
    description = "Wait (bounded) until the droplet is active; record its public IPv4."

    def execute(self, state: SagaState) -> SagaState:
        droplet_id = _created_droplet_id(state)
        services = current_services()
        do = services.do()
        polling = Polling.from_inputs(state.inputs)

        def active() -> Droplet | None:
            try:
                with do_call(f"get droplet {droplet_id}"):
                    droplet = do.get_droplet(droplet_id)
            except RetryableStepError as exc:
                log.warning("saga %s: %s; polling on", state.saga_id, exc)
                return None
            return droplet if droplet.status == "active" else None

        try:
            droplet = poll(
                active, services=services, polling=polling, what=f"droplet {droplet_id} active"
            )
        except PermanentStepError as exc:
            if isinstance(exc.__cause__, DONotFoundError):
                raise PermanentStepError(f"droplet {droplet_id} disappeared while booting") from exc
            raise
        return state.with_context(
            **{
                ACTIVE_KEY: {
                    "status": droplet.status,
                    "public_ipv4": droplet.public_ipv4,
                    "private_ipv4": droplet.private_ipv4,
                }
            }
        )


class RegisterDroplet(Step):
    """Write the droplet to the inventory (chokepoint) and its desired spec."""

    name = "register_droplet"
    description = (
        "Upsert the droplet into the inventory (one-resource, non-complete listing) and record "
        "its desired spec (size/region/image). Undo: tombstone the row, delete the spec."
    )
    max_attempts = 3
    retry_delay_seconds = 1.0

    def execute(self, state: SagaState) -> SagaState:
        spec = DropletSpec.from_inputs(state.inputs)
        droplet_id = _created_droplet_id(state)
        services = current_services()
        with do_call(f"get droplet {droplet_id}"):
            droplet = services.do().get_droplet(droplet_id)
        upsert_resources(
            services.engine,
            kind="droplet",
            resources=[inventory_normalize.droplet(droplet)],
            complete=False,
        )
        resource_id = resource_id_of(services.engine, kind="droplet", provider_id=droplet_id)
        if resource_id is None:  # pragma: no cover - the upsert just wrote it
            raise RetryableStepError(f"droplet {droplet_id} is not in the inventory after upsert")
        provisioned = record_provisioned(
            services.engine,
            resource_id=resource_id,
            spec=spec.desired_spec(),
            saga_id=state.saga_id,
        )
        drill_point(self.name, AFTER_ACTION)
        return state.with_context(
            **{
                INVENTORY_KEY: {
                    "resource_id": resource_id,
                    "spec_version": provisioned.spec_version,
                    "spec": dict(provisioned.spec),
                }
            }
        )

    def compensate(self, state: SagaState) -> None:
        droplet = state.context.get(DROPLET_KEY) or {}
        if not droplet.get("id"):
            return  # nothing was created, so nothing was registered
        _tombstone(
            current_services().engine,
            str(droplet["id"]),
            payload={"source": "saga_compensation", "saga_id": state.saga_id, "step": self.name},
        )


def _tombstone(engine: Engine, droplet_id: str, *, payload: dict[str, Any]) -> bool:
    """Mark a droplet we removed deleted in inventory and forget its desired state, atomically."""
    with engine.begin() as connection:
        marked = mark_deleted(connection, kind="droplet", provider_id=droplet_id, payload=payload)
        forget_provisioned(connection, kind="droplet", provider_id=droplet_id)
    return marked


class DestroyDroplet(Step):
    """DELETE a managed droplet, confirm it is gone, tombstone its inventory row. Terminal."""

    name = "destroy_droplet"
    description = (
        "Destroy the droplet (refused without the managed-by-arcadia-cloud tag unless force), "
        "confirm the 404, mark the inventory row deleted. Terminal: no compensation."
    )
    max_attempts = 3
    retry_delay_seconds = 2.0

    def execute(self, state: SagaState) -> SagaState:
        droplet_id = droplet_id_of(state.inputs)
        force = bool(state.inputs.get("force", False))
        services = current_services()
        do = services.do()
        polling = Polling.from_inputs(state.inputs)
        try:
            with do_call(f"get droplet {droplet_id}"):
                droplet: Droplet | None = do.get_droplet(droplet_id)
        except PermanentStepError as exc:
            if not isinstance(exc.__cause__, DONotFoundError):
                raise
            droplet = None
        if droplet is not None:
            if MANAGED_TAG not in droplet.tags and not force:
                raise PermanentStepError(
                    f"droplet {droplet_id} ({droplet.name}) has no {MANAGED_TAG!r} tag: it was "
                    "not made by arcadia-cloud; set force: true to destroy it anyway"
                )
            with do_call(f"delete droplet {droplet_id}"):
                do.delete_droplet(droplet_id, missing_ok=True)
            drill_point(self.name, AFTER_ACTION)

            def gone() -> bool | None:
                try:
                    do.get_droplet(droplet_id)
                except DONotFoundError:
                    return True
                return None

            with do_call(f"confirm droplet {droplet_id} is gone"):
                if retry_find(gone, services=services, polling=polling) is None:
                    raise RetryableStepError(f"droplet {droplet_id} still exists after DELETE")
        else:
            log.info("saga %s: droplet %s was already gone", state.saga_id, droplet_id)
        marked = _tombstone(
            services.engine,
            droplet_id,
            payload={"source": "destroy_droplet", "saga_id": state.saga_id, "forced": force},
        )
        return state.with_context(
            **{
                DESTROYED_KEY: {
                    "droplet_id": droplet_id,
                    "name": droplet.name if droplet is not None else None,
                    "was_present": droplet is not None,
                    "inventory_marked_deleted": marked,
                }
            }
        )


def provision_droplet_saga() -> SagaDefinition:
    """CreateDroplet -> WaitDropletActive -> RegisterDroplet."""
    return SagaDefinition(
        PROVISION_KIND,
        [CreateDroplet(), WaitDropletActive(), RegisterDroplet()],
        description="Create a droplet, wait until it is active, register it (inventory + spec).",
    )


def destroy_droplet_saga() -> SagaDefinition:
    """DestroyDroplet (terminal)."""
    return SagaDefinition(
        DESTROY_KIND,
        [DestroyDroplet()],
        description="Destroy a managed droplet and mark it deleted in the inventory.",
    )

"""``snapshot_droplet`` = CreateDropletSnapshot.

The snapshot's name is deterministic, ``arcadia-snap-<droplet>-<saga8>``, so every attempt of the
saga knows what it is looking for:

1. look for a snapshot of that name (an earlier attempt may have made it);
2. on re-entry (a crash between the POST and the journal), let any action in flight on the
   droplet finish, then look again with bounded retries — DO lists a new snapshot only seconds
   after its action completed — before deciding that no snapshot was made;
3. otherwise POST the ``snapshot`` action, poll it to completion (bounded), and find the new
   snapshot with bounded retries.

Compensation deletes the snapshot (by id when known, else every snapshot of that name, waiting
for an in-flight action first); a 404 counts as deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from arcadia_cloud_core.digitalocean import DOClient, DONotFoundError, Image
from arcadia_cloud_core.saga.errors import PermanentStepError, StepError
from arcadia_cloud_core.saga.state import SagaState
from arcadia_cloud_core.saga.step import SagaDefinition, Step
from arcadia_cloud_core.saga.steps.do_errors import do_call
from arcadia_cloud_core.saga.steps.inputs import Polling, droplet_id_of
from arcadia_cloud_core.saga.steps.names import snapshot_name
from arcadia_cloud_core.saga.steps.services import StepServices, current_services
from arcadia_cloud_core.saga.steps.waits import retry_find, wait_droplet_idle, wait_for_action
from arcadia_cloud_core.testing.drills import AFTER_ACTION, drill_point

log = logging.getLogger(__name__)

SNAPSHOT_KIND = "snapshot_droplet"
SNAPSHOT_KEY = "snapshot"


def snapshots_named(do: DOClient, droplet_id: str, name: str) -> list[Image]:
    """The droplet's snapshots called ``name`` (oldest first)."""
    with do_call(f"list snapshots of droplet {droplet_id}"):
        images = do.list_droplet_snapshots(droplet_id)
    return sorted((i for i in images if i.name == name), key=lambda i: int(i.id))


def _first(images: list[Image]) -> Image | None:
    return images[0] if images else None


@dataclass(frozen=True)
class _Snapshot:
    """What both directions of the step work with: the droplet, the snapshot's name, DO."""

    droplet_id: str
    name: str
    services: StepServices
    polling: Polling

    @classmethod
    def of(cls, state: SagaState) -> _Snapshot:
        droplet_id = droplet_id_of(state.inputs)
        polling = Polling.from_inputs(state.inputs)
        name = snapshot_name(droplet_id, state.saga_id)
        return cls(droplet_id, name, current_services(), polling)

    @property
    def do(self) -> DOClient:
        return self.services.do()

    def find(self) -> Image | None:
        """The snapshot of this name, looked for with bounded retries (DO lists it late)."""
        return retry_find(
            lambda: _first(snapshots_named(self.do, self.droplet_id, self.name)),
            services=self.services,
            polling=self.polling,
        )


class CreateDropletSnapshot(Step):
    """Snapshot the droplet under the saga's deterministic name (idempotent on re-entry)."""

    name = "create_droplet_snapshot"
    description = (
        "Snapshot the droplet as arcadia-snap-<droplet>-<saga8>: reuse one of that name, else "
        "POST the action, wait for it and find the snapshot (bounded). Undo: delete it."
    )
    max_attempts = 3
    retry_delay_seconds = 2.0

    def execute(self, state: SagaState) -> SagaState:
        target = _Snapshot.of(state)
        droplet_id, name, do = target.droplet_id, target.name, target.do
        services, polling = target.services, target.polling
        known = state.context.get(SNAPSHOT_KEY)
        if known and known.get("name") == name:
            return state
        found = _first(snapshots_named(do, droplet_id, name))
        if found is None and not state.step.is_first_attempt:
            found = self._settle_and_find(state, target)
        posted: dict[str, Any] = {"snapshot_name": name}
        if found is None:
            wait_droplet_idle(
                do, droplet_id, services=services, polling=polling, what="before the snapshot"
            )
            with do_call(f"snapshot droplet {droplet_id}"):
                action = do.snapshot_droplet(droplet_id, name=name)
            drill_point(self.name, AFTER_ACTION)
            posted["action_id"] = action.id
            try:
                wait_for_action(
                    do, action.id, services=services, polling=polling, what=f"snapshot {name}"
                )
                found = target.find()
            except StepError as exc:  # keep what was done for the next attempt and the undo
                exc.output = {**(exc.output or {}), **posted}
                raise
            if found is None:
                raise PermanentStepError(
                    f"snapshot action {action.id} completed but no snapshot named {name} was "
                    f"listed after {polling.find_attempts} attempts",
                    output=posted,
                )
        return state.with_context(
            **{
                SNAPSHOT_KEY: {
                    "id": found.id,
                    "name": name,
                    "droplet_id": droplet_id,
                    "action_id": posted.get("action_id"),
                    "created_at": found.created_at.isoformat(),
                    "size_gigabytes": found.size_gigabytes,
                }
            }
        )

    def _settle_and_find(self, state: SagaState, target: _Snapshot) -> Image | None:
        """Re-entry: wait for the action an earlier attempt may have started, then look again."""
        do, services, polling = target.do, target.services, target.polling
        action_id = (state.step.output or {}).get("action_id")
        log.info("saga %s: re-entering the snapshot step; settling first", state.saga_id)
        if action_id:
            try:
                wait_for_action(
                    do, str(action_id), services=services, polling=polling, what="earlier snapshot"
                )
            except PermanentStepError as exc:
                log.warning("saga %s: earlier snapshot action: %s", state.saga_id, exc)
        else:
            wait_droplet_idle(
                do, target.droplet_id, services=services, polling=polling, what="earlier snapshot"
            )
        return target.find()

    def compensate(self, state: SagaState) -> None:
        target = _Snapshot.of(state)
        droplet_id, name, do = target.droplet_id, target.name, target.do
        services, polling = target.services, target.polling
        known = state.context.get(SNAPSHOT_KEY)
        if known and known.get("id"):
            with do_call(f"delete snapshot {known['id']}"):
                do.delete_snapshot(str(known["id"]), missing_ok=True)
            return
        try:
            wait_droplet_idle(
                do, droplet_id, services=services, polling=polling, what="undo of the snapshot"
            )
            images = retry_find(
                lambda: snapshots_named(do, droplet_id, name) or None,
                services=services,
                polling=polling,
            )
            ids = [image.id for image in images or []]
        except PermanentStepError as exc:
            if not isinstance(exc.__cause__, DONotFoundError):
                raise
            ids = self._ids_named(do, droplet_id, name)  # the droplet itself is gone
        for snapshot_id in ids:
            with do_call(f"delete snapshot {snapshot_id}"):
                do.delete_snapshot(snapshot_id, missing_ok=True)
            log.info("saga %s: deleted snapshot %s (%s)", state.saga_id, snapshot_id, name)

    @staticmethod
    def _ids_named(do: DOClient, droplet_id: str, name: str) -> list[str]:
        with do_call("list droplet snapshots"):
            snapshots = do.list_snapshots(resource_type="droplet")
        return [s.id for s in snapshots if s.name == name and s.resource_id == droplet_id]


def snapshot_droplet_saga() -> SagaDefinition:
    """CreateDropletSnapshot."""
    return SagaDefinition(
        SNAPSHOT_KIND,
        [CreateDropletSnapshot()],
        description="Snapshot a droplet under a deterministic name (undo: delete the snapshot).",
    )

"""Bounded waits: poll until a condition holds, an action finishes, a droplet has no pending
action. Every wait ends by its timeout (or attempts) with a `StepTimeoutError`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from arcadia_cloud_core.digitalocean import Action, DOClient
from arcadia_cloud_core.saga.errors import PermanentStepError
from arcadia_cloud_core.saga.steps.do_errors import StepTimeoutError, do_call
from arcadia_cloud_core.saga.steps.inputs import Polling
from arcadia_cloud_core.saga.steps.services import StepServices

T = TypeVar("T")


def poll(
    check: Callable[[], T | None],
    *,
    services: StepServices,
    polling: Polling,
    what: str,
) -> T:
    """``check()`` until it returns a value, every ``interval`` for at most ``timeout``."""
    deadline = services.monotonic() + polling.timeout_seconds
    while True:
        value = check()
        if value is not None:
            return value
        remaining = deadline - services.monotonic()
        if remaining <= 0:
            raise StepTimeoutError(f"{what}: still not done after {polling.timeout_seconds:g}s")
        services.sleep(min(polling.interval_seconds, remaining))


def retry_find(
    find: Callable[[], T | None],
    *,
    services: StepServices,
    polling: Polling,
) -> T | None:
    """``find()`` up to ``find_attempts`` times, ``interval`` apart; None if never found.

    For listings that show a new object only seconds later (DO's snapshot list).
    """
    for attempt in range(polling.find_attempts):
        found = find()
        if found is not None:
            return found
        if attempt + 1 < polling.find_attempts:
            services.sleep(polling.interval_seconds)
    return None


def wait_for_action(
    do: DOClient, action_id: str, *, services: StepServices, polling: Polling, what: str
) -> Action:
    """Poll ``GET /v2/actions/{id}`` until it completes; `PermanentStepError` if it errored."""

    def check() -> Action | None:
        with do_call(f"{what}: get action {action_id}"):
            action = do.get_action(action_id)
        return action if action.done else None

    action = poll(check, services=services, polling=polling, what=f"{what} (action {action_id})")
    if not action.succeeded:
        raise PermanentStepError(f"{what}: DO action {action_id} ended {action.status}")
    return action


def wait_droplet_idle(
    do: DOClient, droplet_id: str, *, services: StepServices, polling: Polling, what: str
) -> None:
    """Wait until the droplet has no action in progress (DO refuses a second one with 422)."""

    def check() -> bool | None:
        with do_call(f"{what}: list actions of droplet {droplet_id}"):
            actions = do.list_droplet_actions(droplet_id)
        return True if all(a.done for a in actions) else None

    poll(check, services=services, polling=polling, what=f"{what} (droplet {droplet_id} busy)")

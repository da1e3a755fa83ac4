"""Crash and fault drills: named points where a test makes a run worker die or a step fail.

TEST KNOBS ONLY — never set these in a deployment. They are environment variables, not run
config, so they never appear in the Launchpad:

- ``ARCADIA_SAGA_CRASH_AT="<step>:<point>"``: the process SIGKILLs itself at that point, as a
  crashed run worker would (no hook, no cleanup, the journal left as it was).
- ``ARCADIA_SAGA_FAULT_AT="<step>:<point>"``: a `PermanentStepError` is raised there instead.

Points: ``before_action`` (the step is journalled running, nothing done), ``after_action`` (the
DO write is done, the journal does not know yet — steps call this themselves), ``after_save``
(the step's completion is journalled) and ``in_compensation`` (before the step's compensation).
The engine calls every point but ``after_action``. Several values may be given, comma-separated.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

CRASH_ENV = "ARCADIA_SAGA_CRASH_AT"
FAULT_ENV = "ARCADIA_SAGA_FAULT_AT"
BEFORE_ACTION = "before_action"
AFTER_ACTION = "after_action"
AFTER_SAVE = "after_save"
IN_COMPENSATION = "in_compensation"
POINTS = (BEFORE_ACTION, AFTER_ACTION, AFTER_SAVE, IN_COMPENSATION)


def _armed(variable: str, step: str, point: str) -> bool:
    value = os.environ.get(variable)
    if not value:
        return False
    return f"{step}:{point}" in {item.strip() for item in value.split(",")}


def drill_point(step: str, point: str) -> None:
    """Crash (SIGKILL) or fail here when a drill names ``<step>:<point>``; otherwise nothing."""
    if _armed(CRASH_ENV, step, point):
        log.warning("saga drill: crashing at %s:%s (SIGKILL, %s)", step, point, CRASH_ENV)
        os.kill(os.getpid(), signal.SIGKILL)
    if _armed(FAULT_ENV, step, point):
        # Imported here: the saga engine imports this module, so this one cannot import the
        # saga package at load time.
        from arcadia_cloud_core.saga.errors import PermanentStepError

        raise PermanentStepError(f"injected fault at {step}:{point} ({FAULT_ENV})")

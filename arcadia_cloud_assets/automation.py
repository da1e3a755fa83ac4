"""Declarative automation and freshness, as every domain of this location uses them.

Schedules run the jobs (one run per cadence, sharing its DO pool); on top of them the assets carry
`AutomationCondition`s, evaluated every 30 s by one sensor, `automation_sensor`:

- `first_fill()`: an asset that is missing — a fresh deployment, or after its materialisations
  were wiped — is materialised once, with its missing upstream in the same run, instead of
  waiting for its schedule's next tick (invoices: daily at 02:23). A failed first fill is not
  retried by it (the schedule's next tick is); this replaced ``bootstrap_sensor``.
- `after_upstream_or_cron(cron)`: views of upstream data (the cost views) follow new upstream
  materialisations once none is in progress, and at least at every tick of ``cron``; this
  replaced ``cost_views_sensor`` and the cost views' schedule.
- ``drift/drift`` is ``eager`` (drift domain): it follows each inventory materialisation made
  outside the run that already swept drift; this replaced ``drift_schedule``.

Freshness: every scheduled asset has a `FreshnessPolicy` from its cadence (`freshness`): warn when
one run was missed, fail when two were, so the UI marks what is stale.

`ARCADIA_BOOTSTRAP=0` (read when the code location loads) starts `automation_sensor` stopped, e.g.
for tests that launch every run themselves.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import islice, pairwise

import dagster as dg
from dagster._utils.schedules import cron_string_iterator

__all__ = [
    "AUTOMATION_SENSOR",
    "after_upstream_or_cron",
    "automation_sensor",
    "cron_period",
    "first_fill",
    "freshness",
]

AUTOMATION_SENSOR = "automation_sensor"
_AC = dg.AutomationCondition


def _handled() -> dg.AutomationCondition:
    """Requested or materialised since (unlike ``since_last_handled``, not the first evaluation,
    so that what is true when a condition is first evaluated still counts)."""
    return (_AC.newly_requested() | _AC.newly_updated()).with_label("requested_or_updated")


def first_fill() -> dg.AutomationCondition:
    """Once per time the asset becomes missing (also on the first evaluation), when its upstream
    is present or requested in the same tick, and the asset is not being materialised."""
    return (
        _AC.missing().newly_true().since(_handled()).with_label("missing_since_handled")
        & ~_AC.any_deps_missing()
        & ~_AC.in_progress()
    ).with_label("first_fill")


def after_upstream_or_cron(cron: str) -> dg.AutomationCondition:
    """After an upstream materialisation, at each tick of ``cron`` (UTC), and when missing —
    whichever came since the last request — once no upstream is in progress (a burst of ingests
    yields one refresh at its end) and the asset itself is not running."""
    trigger = _AC.any_deps_updated() | _AC.cron_tick_passed(cron) | _AC.missing().newly_true()
    return (
        trigger.since(_handled()).with_label("upstream_cron_or_missing_since_handled")
        & ~_AC.any_deps_in_progress()
        & ~_AC.in_progress()
    ).with_label(f"after_upstream_or_cron({cron})")


def cron_period(cron: str) -> timedelta:
    """The gap between two ticks of ``cron`` (UTC); a cron with uneven gaps is refused."""
    start = datetime(2026, 3, 2, tzinfo=UTC).timestamp()  # a Monday, so weekly crons work too
    ticks = list(islice(cron_string_iterator(start, cron, "UTC"), 30))
    gaps = {later - earlier for earlier, later in pairwise(ticks)}
    if len(gaps) != 1:
        raise ValueError(f"cron {cron!r} has uneven gaps {sorted(gaps)}: no single cadence")
    return gaps.pop()


def freshness(cadence: timedelta) -> dg.FreshnessPolicy:
    """Warn once a run at ``cadence`` was missed (2 cadences old), fail after two missed (3)."""
    return dg.FreshnessPolicy.time_window(fail_window=3 * cadence, warn_window=2 * cadence)


def _default_status() -> dg.DefaultSensorStatus:
    if os.environ.get("ARCADIA_BOOTSTRAP", "1").strip() in ("0", "false", "no"):
        return dg.DefaultSensorStatus.STOPPED
    return dg.DefaultSensorStatus.RUNNING


automation_sensor = dg.AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR,
    target=dg.AssetSelection.all(),
    default_status=_default_status(),
    minimum_interval_seconds=30,
    description="Evaluates the assets' automation conditions: first fill of missing assets, "
    "cost views after new ingests (and hourly), drift after inventory.",
)

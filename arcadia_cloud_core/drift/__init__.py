"""Drift: desired spec (`cloud_provisioned`) against live state (`cloud_resources`).

- `record_provisioned` — provisioning sagas store what they asked for (versioned, idempotent);
  `forget_provisioned` drops it when a saga removes the resource on purpose.
- `detect_all` — the sweep: set-based compare, one open `cloud_drift` row per (resource, field),
  `drift_detected` events, stale closing; returns counts and the open-drift table (the inbox).
- `accept_drift` / `close_drift_reverted` — close a drift by hand.
- `loosely_equal` / `compare_field` — the comparison rules (DO's rewrites in `normalisers.RULES`).
"""

from arcadia_cloud_core.drift.checks import check_field, check_resource
from arcadia_cloud_core.drift.equality import canonical, loosely_equal
from arcadia_cloud_core.drift.errors import (
    DriftAlreadyClosed,
    DriftError,
    DriftNotFound,
    InvalidSpec,
    UnknownResource,
)
from arcadia_cloud_core.drift.fields import resolve_live_value
from arcadia_cloud_core.drift.inbox import OpenDrift, list_open_drifts
from arcadia_cloud_core.drift.normalisers import RULES, Comparison, FieldRule, compare_field
from arcadia_cloud_core.drift.provisioned import (
    ProvisionedSpec,
    forget_provisioned,
    record_provisioned,
)
from arcadia_cloud_core.drift.resolution import ResolvedDrift, accept_drift, close_drift_reverted
from arcadia_cloud_core.drift.sweep import DriftSweepResult, detect_all

__all__ = [
    "RULES",
    "Comparison",
    "DriftAlreadyClosed",
    "DriftError",
    "DriftNotFound",
    "DriftSweepResult",
    "FieldRule",
    "InvalidSpec",
    "OpenDrift",
    "ProvisionedSpec",
    "ResolvedDrift",
    "UnknownResource",
    "accept_drift",
    "canonical",
    "check_field",
    "check_resource",
    "close_drift_reverted",
    "compare_field",
    "detect_all",
    "forget_provisioned",
    "list_open_drifts",
    "loosely_equal",
    "record_provisioned",
    "resolve_live_value",
]

"""Inventory: DO resources normalised into `cloud_resources` through one upsert chokepoint."""

from arcadia_cloud_core.inventory.model import NormalizedResource, SkippedResource, SyncResult
from arcadia_cloud_core.inventory.tombstone import mark_deleted, resource_id_of
from arcadia_cloud_core.inventory.upsert import STRIKES_TO_DELETE, upsert_resources

__all__ = [
    "STRIKES_TO_DELETE",
    "NormalizedResource",
    "SkippedResource",
    "SyncResult",
    "mark_deleted",
    "resource_id_of",
    "upsert_resources",
]

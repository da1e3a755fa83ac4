"""Deterministic names and tags: how a step finds, on re-entry, what an earlier attempt made."""

from __future__ import annotations

from arcadia_cloud_core.saga.steps.inputs import SAGA_TAG_PREFIX

#: Every droplet a saga creates carries it; `destroy_droplet` refuses droplets without it.
MANAGED_TAG = "managed-by-arcadia-cloud"


def saga8(saga_id: str) -> str:
    """The first 8 characters of the saga id (a Dagster run id: hex)."""
    short = saga_id[:8].lower()
    if len(short) < 8 or not all(ch.isalnum() for ch in short):
        raise ValueError(f"saga id {saga_id!r} must start with 8 letters or digits")
    return short


def saga_tag(saga_id: str) -> str:
    """``arcadia-saga-<saga8>``: the tag that marks what this saga created."""
    return f"{SAGA_TAG_PREFIX}{saga8(saga_id)}"


def snapshot_name(droplet_id: str, saga_id: str) -> str:
    """``arcadia-snap-<droplet>-<saga8>``: the snapshot a snapshot saga makes (one per saga)."""
    return f"arcadia-snap-{droplet_id}-{saga8(saga_id)}"

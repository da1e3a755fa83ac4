"""The inventory chokepoint: every resource row is written here, one kind per transaction.

`upsert_resources` compares a batch with what is stored and writes only the difference, in bulk:
new rows (`discovered`), changed tracked fields (`updated`, with before/after), tombstoned rows seen
again (`restored`), and — for complete listings only — strikes on rows that were not listed, with
deletion (`deleted`) at the third consecutive strike. A re-sync with no change writes nothing.

`last_seen_at` is refreshed at most once per `touch_interval` (default 5 minutes): within it, a
resource seen again needs no write; after it, one bulk UPDATE refreshes every seen row.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.bulk import JsonText, bulk_insert, bulk_update
from arcadia_cloud_core.db.dialect import lock_key
from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_resource_events as events_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t
from arcadia_cloud_core.gc_pause import gc_paused
from arcadia_cloud_core.inventory.model import (
    TRACKED_FIELDS,
    NormalizedResource,
    SyncResult,
)

log = logging.getLogger(__name__)

STRIKES_TO_DELETE = 3
DEFAULT_TOUCH_INTERVAL = timedelta(minutes=5)
_CHUNK = 1000  # ids per IN (...) list


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> JsonText:
    """`value` as canonical JSON text (sorted keys; tuples → lists; datetimes → ISO text)."""
    options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    return JsonText(orjson.dumps(value, default=_json_default, option=options).decode())


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types, exactly as it reads back from the database."""
    return orjson.loads(str(canonical_json(value)))


@dataclass(frozen=True)
class _Stored:
    id: int
    name: str | None
    region: str | None
    status: str | None
    attrs: dict[str, Any]
    last_seen_at: datetime
    stale_strike_count: int
    deleted_at: datetime | None


def _changes(stored: _Stored, fresh: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tracked fields that differ, as {field: {before, after}}; attrs compared key by key."""
    changes: dict[str, dict[str, Any]] = {}
    for name in TRACKED_FIELDS:
        if name == "attrs":
            continue
        before, after = getattr(stored, name), fresh[name]
        if before != after:
            changes[name] = {"before": before, "after": after}
    old_attrs, new_attrs = stored.attrs or {}, fresh["attrs"]
    if old_attrs != new_attrs:
        for key in sorted(set(old_attrs) | set(new_attrs)):
            if old_attrs.get(key) != new_attrs.get(key):
                changes[f"attrs.{key}"] = {
                    "before": old_attrs.get(key),
                    "after": new_attrs.get(key),
                }
    return changes


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _load(connection: sa.Connection, provider: str, kind: str) -> dict[str, _Stored]:
    t = resources_t
    rows = connection.execute(
        sa.select(
            t.c.provider_id,
            t.c.id,
            t.c.name,
            t.c.region,
            t.c.status,
            t.c.attrs,
            t.c.last_seen_at,
            t.c.stale_strike_count,
            t.c.deleted_at,
        ).where(t.c.provider == provider, t.c.kind == kind)
    )
    return {row[0]: _Stored(*row[1:]) for row in rows}


def _dedupe(kind: str, resources: Sequence[NormalizedResource]) -> dict[str, dict[str, Any]]:
    batch: dict[str, dict[str, Any]] = {}
    for resource in resources:
        if resource.kind != kind:
            raise ValueError(
                f"resource {resource.provider_id} is a {resource.kind}, not a {kind}: "
                "one chokepoint call takes one kind"
            )
        tracked = resource.tracked()
        tracked["attrs"] = canonical_json(tracked["attrs"])  # decoded only to compare
        batch[resource.provider_id] = tracked
    return batch


@gc_paused()
def upsert_resources(
    engine: Engine,
    *,
    kind: str,
    resources: Sequence[NormalizedResource],
    complete: bool,
    skipped_ids: Collection[str] = (),
    now: datetime | None = None,
    touch_interval: timedelta = DEFAULT_TOUCH_INTERVAL,
    provider: str = PROVIDER,
) -> SyncResult:
    """Write one kind's listing to `cloud_resources` in one transaction; see the module docstring.

    `complete` must be True only for an unfiltered listing that fetched every page; anything else
    never strikes. `skipped_ids` (items listed but not normalisable) are neither updated nor struck.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    batch = _dedupe(kind, resources)
    skipped = set(skipped_ids)
    t, ev = resources_t, events_t

    with engine.begin() as connection:
        lock_key(connection, f"inventory:{provider}:{kind}")
        stored = _load(connection, provider, kind)

        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        touch: list[int] = []
        restored = updated = unchanged = 0

        for provider_id, fresh in batch.items():
            row = stored.get(provider_id)
            if row is None:
                new_rows.append(
                    {
                        "provider": provider,
                        "provider_id": provider_id,
                        "kind": kind,
                        **fresh,
                        "first_seen_at": now,
                        "last_seen_at": now,
                        "stale_strike_count": 0,
                    }
                )
                continue
            fresh = {**fresh, "attrs": orjson.loads(str(fresh["attrs"]))}
            changes = _changes(row, fresh)
            if row.deleted_at is not None or changes:
                updates.append({"_id": row.id, **fresh})
                if row.deleted_at is not None:
                    restored += 1
                    payload = {"deleted_at": row.deleted_at.isoformat(), "changes": changes}
                    events.append({"resource_id": row.id, "type": "restored", "payload": payload})
                else:
                    updated += 1
                    events.append(
                        {"resource_id": row.id, "type": "updated", "payload": {"changes": changes}}
                    )
            else:
                unchanged += 1
                if row.stale_strike_count or now - row.last_seen_at >= touch_interval:
                    touch.append(row.id)

        struck: list[int] = []
        doomed: list[int] = []
        if complete:
            for provider_id, row in stored.items():
                if row.deleted_at is not None or provider_id in batch or provider_id in skipped:
                    continue
                if row.stale_strike_count + 1 >= STRIKES_TO_DELETE:
                    doomed.append(row.id)
                else:
                    struck.append(row.id)

        rows_written = discovered = 0
        if new_rows:
            inserted = bulk_insert(
                connection,
                t,
                new_rows,
                conflict_columns=["provider", "kind", "provider_id"],
                returning=["id", "name", "region", "status"],
            )
            discovered = len(inserted)
            rows_written += discovered
            events.extend(
                {
                    "resource_id": rid,
                    "type": "discovered",
                    "payload": {"name": name, "region": region, "status": status},
                }
                for rid, name, region, status in inserted
            )
        if updates:
            rows_written += bulk_update(
                connection,
                t,
                [
                    {"id": u["_id"], **{f: u[f] for f in ("name", "region", "status", "attrs")}}
                    for u in updates
                ],
                constants={"last_seen_at": now, "stale_strike_count": 0, "deleted_at": None},
            )
        for ids in _chunks(touch):
            connection.execute(
                sa.update(t).where(t.c.id.in_(ids)).values(last_seen_at=now, stale_strike_count=0)
            )
            rows_written += len(ids)
        for ids in _chunks(struck):
            connection.execute(
                sa.update(t)
                .where(t.c.id.in_(ids))
                .values(stale_strike_count=t.c.stale_strike_count + 1)
            )
            rows_written += len(ids)
        for ids in _chunks(doomed):
            connection.execute(
                sa.update(t)
                .where(t.c.id.in_(ids))
                .values(stale_strike_count=STRIKES_TO_DELETE, deleted_at=now)
            )
            rows_written += len(ids)
        events.extend(
            {"resource_id": rid, "type": "deleted", "payload": {"strikes": STRIKES_TO_DELETE}}
            for rid in doomed
        )
        if events:
            bulk_insert(connection, ev, [{**event, "occurred_at": now} for event in events])

    result = SyncResult(
        kind=kind,
        seen=len(batch),
        discovered=discovered,
        updated=updated,
        unchanged=unchanged,
        restored=restored,
        struck=len(struck),
        deleted=len(doomed),
        skipped=len(skipped),
        rows_written=rows_written,
        events_written=len(events),
        complete=complete,
    )
    log.info("inventory %s: %s", kind, result.as_metadata())
    return result

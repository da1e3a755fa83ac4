"""The drift sweep: every provisioned resource's spec against its live row, in one transaction.

Reads are set-based (`queries`): one statement compares every spec field with the live row in
the database and returns only the fields that are not exactly equal; Python judges those with
`compare_field` (loose equality and DO's rewrites). Writes are bulk: new drifts with
``INSERT … ON CONFLICT DO NOTHING`` on the partial unique index (one open row per resource and
field, even when two sweeps race), a `drift_detected` event for every drift that is new or whose
live value changed, and ``UPDATE … WHERE status = 'open'`` to close drifts whose field matches
again (as ``stale``). A sweep with nothing changed writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from arcadia_cloud_core.db.dialect import upsert_insert
from arcadia_cloud_core.db.schema import cloud_drift, cloud_provisioned, cloud_resource_events
from arcadia_cloud_core.drift.checks import STATUS_FIELD, check_deleted
from arcadia_cloud_core.drift.db_access import run_unit_of_work, utc_now
from arcadia_cloud_core.drift.equality import json_text
from arcadia_cloud_core.drift.inbox import OpenDrift, list_open_drifts
from arcadia_cloud_core.drift.normalisers import compare_field
from arcadia_cloud_core.drift.queries import candidate_pairs, chunks, deleted_resources

log = logging.getLogger(__name__)

OPEN_PREDICATE = sa.text("status = 'open'")
DRIFT_DETECTED = "drift_detected"

Key = tuple[int, str]


@dataclass(frozen=True)
class DriftSweepResult:
    """What one sweep found and wrote, and the open-drift table after it."""

    swept_at: datetime
    provisioned: int
    candidates: int
    open: int
    new: int
    updated: int
    closed_stale: int
    rows_written: int
    open_drifts: tuple[OpenDrift, ...]

    def inbox_records(self) -> list[dict[str, Any]]:
        """The open-drift table as JSON-friendly rows (resource, field, expected, actual, since)."""
        return [drift.as_record() for drift in self.open_drifts]

    def as_metadata(self) -> dict[str, int]:
        """The sweep's counts, as the drift asset reports them."""
        names = ("provisioned", "open", "new", "closed_stale", "rows_written")
        return {name: getattr(self, name) for name in names}


@dataclass(frozen=True)
class _Finding:
    expected: Any
    actual: Any


@dataclass(frozen=True)
class _OpenRow:
    drift_id: int
    expected: Any
    actual: Any


def detect_all(engine: Engine | Connection, *, now: datetime | None = None) -> DriftSweepResult:
    """Compare every provisioned resource with its live state and record the drift.

    One transaction (re-run after a Postgres deadlock when given an engine). Returns the counts
    and the open-drift table for the inbox.
    """
    swept_at = utc_now(now)
    result = run_unit_of_work(engine, lambda connection: _sweep(connection, swept_at))
    log.info(
        "drift sweep: %d open, %d new, %d updated, %d closed stale, %d rows written",
        result.open,
        result.new,
        result.updated,
        result.closed_stale,
        result.rows_written,
    )
    return result


def _sweep(connection: Connection, now: datetime) -> DriftSweepResult:
    if connection.dialect.name == "postgresql":
        # The comparison is one wide expression over every row: compiling it (JIT) costs more
        # than running it. SET LOCAL lasts until the end of this transaction.
        connection.exec_driver_sql("SET LOCAL jit = off")
    findings, candidates = _findings(connection)
    open_rows = _open_rows(connection)

    new_keys = sorted(findings.keys() - open_rows.keys())
    inserted = _insert_new(connection, new_keys, findings, now)
    changed = sorted(
        key for key in findings.keys() & open_rows.keys() if _differs(findings[key], open_rows[key])
    )
    updated = _update_changed(connection, changed, findings, open_rows)
    stale_ids = sorted(open_rows[key].drift_id for key in open_rows.keys() - findings.keys())
    closed = _close_stale(connection, stale_ids, now)

    events = [_event(drift_id, key, findings[key], now) for drift_id, key in [*inserted, *updated]]
    if events:
        connection.execute(cloud_resource_events.insert(), events)

    open_drifts = list_open_drifts(connection)
    provisioned = connection.execute(
        sa.select(sa.func.count()).select_from(cloud_provisioned)
    ).scalar_one()
    return DriftSweepResult(
        swept_at=now,
        provisioned=int(provisioned),
        candidates=candidates,
        open=len(open_drifts),
        new=len(inserted),
        updated=len(updated),
        closed_stale=closed,
        rows_written=len(inserted) + len(updated) + closed + len(events),
        open_drifts=open_drifts,
    )


def _findings(connection: Connection) -> tuple[dict[Key, _Finding], int]:
    """Every (resource, field) that drifts now, and how many pairs were judged in Python."""
    findings: dict[Key, _Finding] = {}
    candidates = 0
    for pair in candidate_pairs(connection):
        candidates += 1
        verdict = compare_field(
            kind=pair.kind,
            field=pair.field,
            expected=pair.expected,
            actual=pair.actual,
            zone=pair.name,
            aliases=pair.aliases,
        )
        if not verdict.matches:
            findings[(pair.resource_id, pair.field)] = _Finding(verdict.expected, verdict.actual)
    for resource in deleted_resources(connection):
        candidates += 1
        spec = {STATUS_FIELD: resource.spec_status} if resource.has_status else {}
        verdict = check_deleted(spec)
        if not verdict.matches:
            findings[(resource.resource_id, STATUS_FIELD)] = _Finding(
                verdict.expected, verdict.actual
            )
    return findings, candidates


def _open_rows(connection: Connection) -> dict[Key, _OpenRow]:
    query = sa.select(
        cloud_drift.c.id,
        cloud_drift.c.resource_id,
        cloud_drift.c.field,
        cloud_drift.c.expected,
        cloud_drift.c.actual,
    ).where(cloud_drift.c.status == "open")
    return {
        (int(row.resource_id), row.field): _OpenRow(int(row.id), row.expected, row.actual)
        for row in connection.execute(query)
    }


def _differs(finding: _Finding, row: _OpenRow) -> bool:
    return json_text(finding.expected) != json_text(row.expected) or json_text(
        finding.actual
    ) != json_text(row.actual)


def _insert_new(
    connection: Connection, keys: list[Key], findings: dict[Key, _Finding], now: datetime
) -> list[tuple[int, Key]]:
    """Insert the new open drifts; a row another sweep inserted first is skipped, not an error."""
    if not keys:
        return []
    statement = (
        upsert_insert(connection, cloud_drift)
        .on_conflict_do_nothing(index_elements=["resource_id", "field"], index_where=OPEN_PREDICATE)
        .returning(cloud_drift.c.id, cloud_drift.c.resource_id, cloud_drift.c.field)
    )
    inserted: list[tuple[int, Key]] = []
    for batch in chunks(keys):
        rows = [
            {
                "resource_id": resource_id,
                "field": field,
                "expected": findings[(resource_id, field)].expected,
                "actual": findings[(resource_id, field)].actual,
                "status": "open",
                "detected_at": now,
            }
            for resource_id, field in batch
        ]
        for row in connection.execute(statement, rows):
            inserted.append((int(row.id), (int(row.resource_id), row.field)))
    return inserted


def _update_changed(
    connection: Connection,
    keys: list[Key],
    findings: dict[Key, _Finding],
    open_rows: dict[Key, _OpenRow],
) -> list[tuple[int, Key]]:
    """Refresh open drifts whose expected or live value moved (still drifting)."""
    statement = (
        sa.update(cloud_drift)
        .where(cloud_drift.c.id == sa.bindparam("drift_id"), OPEN_PREDICATE)
        .values(
            expected=sa.bindparam("new_expected", type_=cloud_drift.c.expected.type),
            actual=sa.bindparam("new_actual", type_=cloud_drift.c.actual.type),
        )
        .returning(cloud_drift.c.id)
    )
    updated: list[tuple[int, Key]] = []
    for key in keys:
        drift_id = open_rows[key].drift_id
        params = {
            "drift_id": drift_id,
            "new_expected": findings[key].expected,
            "new_actual": findings[key].actual,
        }
        if connection.execute(statement, params).first() is not None:
            updated.append((drift_id, key))
    return updated


def _close_stale(connection: Connection, drift_ids: list[int], now: datetime) -> int:
    """Close open drifts whose field matches again (or is no longer checked) as `stale`."""
    closed = 0
    for batch in chunks(drift_ids):
        statement = (
            sa.update(cloud_drift)
            .where(cloud_drift.c.id.in_(batch), OPEN_PREDICATE)
            .values(status="stale", resolved_at=now)
            .returning(cloud_drift.c.id)
        )
        closed += len(connection.execute(statement).all())
    return closed


def _event(drift_id: int, key: Key, finding: _Finding, now: datetime) -> dict[str, Any]:
    resource_id, field = key
    return {
        "resource_id": resource_id,
        "type": DRIFT_DETECTED,
        "payload": {
            "drift_id": drift_id,
            "field": field,
            "expected": finding.expected,
            "actual": finding.actual,
        },
        "occurred_at": now,
    }

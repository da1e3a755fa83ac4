"""SQLite-file state for the simulator, plus the clock.

One generic table holds every resource kind: ``resources(kind, id, seq, parent, name, body,
created_at, deleted_at, visible_at)``. ``body`` is the resource's JSON (compact: handlers render
the full DO shape from it). ``parent`` is the owning object's id where one exists (a droplet's
snapshots, a domain's records, a project's resources), ``name`` a searchable name, ``seq`` the
insertion order (list order). Deletes are soft (``deleted_at``) so listings can let a deleted
object *linger*; ``visible_at`` delays an object's appearance in listings (lags).

The file is opened in WAL mode with a busy timeout, so several processes may share it. Every
request is one transaction: wrap a handler's store calls in ``with store.transaction():``
(re-entrant; calls outside a transaction autocommit one statement each).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import orjson

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    parent TEXT,
    name TEXT,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    deleted_at REAL,
    visible_at REAL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS resources_kind_seq ON resources (kind, seq);
CREATE INDEX IF NOT EXISTS resources_kind_parent ON resources (kind, parent, seq);
CREATE INDEX IF NOT EXISTS resources_kind_name ON resources (kind, name COLLATE NOCASE);
-- Live rows only: listings and their COUNT(*) never read the (large) bodies of other rows.
CREATE INDEX IF NOT EXISTS resources_live_kind_seq ON resources (kind, seq)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS resources_live_kind_parent ON resources (kind, parent, seq)
    WHERE deleted_at IS NULL;
-- Covers the COUNT(*) of listings with a list lag or a delete linger (snapshots).
CREATE INDEX IF NOT EXISTS resources_kind_deleted_visible
    ON resources (kind, deleted_at, visible_at);
-- Pages of those listings: OFFSET skips index entries, never the rows (and their bodies).
CREATE INDEX IF NOT EXISTS resources_kind_seq_state
    ON resources (kind, seq, deleted_at, visible_at);
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    due_at REAL NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_due ON events (due_at);
"""


class Clock:
    """Real wall-clock time (epoch seconds and aware UTC datetimes)."""

    def now(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def utcnow(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=UTC)


def iso(ts: float) -> str:
    """Epoch seconds → DO's timestamp format ``2020-07-21T18:37:44Z`` (UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


@dataclass(frozen=True)
class ResourceRow:
    """One stored resource; ``body_json`` is the stored text, ``body`` its (lazy) parse."""

    kind: str
    id: str
    seq: int
    parent: str | None
    name: str | None
    body_json: str
    created_at: float
    deleted_at: float | None
    visible_at: float | None

    @cached_property
    def body(self) -> dict[str, Any]:
        """The stored JSON body, parsed on first use."""
        body: dict[str, Any] = orjson.loads(self.body_json)
        return body


class NewResource(NamedTuple):
    """A resource to insert (see :meth:`Store.insert_many`); a tuple for bulk speed."""

    kind: str
    id: str
    body: Mapping[str, Any]
    created_at: float
    parent: str | None = None
    name: str | None = None
    visible_at: float | None = None


@dataclass(frozen=True)
class Event:
    """A scheduled state change (lags): ``type`` with a JSON ``payload`` due at ``due_at``."""

    id: int
    due_at: float
    type: str
    payload: dict[str, Any]


_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


_COLUMNS = "kind, id, seq, parent, name, body, created_at, deleted_at, visible_at"


def _row(raw: sqlite3.Row | tuple[Any, ...]) -> ResourceRow:
    return ResourceRow(
        kind=raw[0],
        id=raw[1],
        seq=raw[2],
        parent=raw[3],
        name=raw[4],
        body_json=raw[5],
        created_at=raw[6],
        deleted_at=raw[7],
        visible_at=raw[8],
    )


class Store:
    """The simulator's state in one SQLite file (thread-safe, one connection, WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self.conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk seeding stays in memory
        self._create_schema()

    def _create_schema(self) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self.conn.execute(statement)
        # A file analysed before an index existed: statistics for all of them, or SQLite may
        # prefer the unanalysed index over the parent index for related-id lookups.
        analysed = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).fetchone()
        if analysed and not self.conn.execute(
            "SELECT 1 FROM sqlite_stat1 WHERE idx = 'resources_kind_seq_state'"
        ).fetchone():
            self.conn.execute("ANALYZE resources")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.conn.close()

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work (re-entrant; the outermost block commits or rolls back).

        ``write=False`` opens a deferred (read) transaction: a consistent view without taking
        the file's write lock up front.
        """
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """Run raw SQL on the shared connection (for other modules' own tables)."""
        with self._lock:
            return self.conn.execute(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """Run a query and fetch its first row while holding the connection lock."""
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def fetchall(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """Run a query and fetch every row while holding the connection lock."""
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    # -- meta and sequences -----------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        """A value from the key/value ``meta`` table."""
        row = self.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    def meta_set(self, key: str, value: str) -> None:
        """Set a ``meta`` value."""
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_id(self, name: str, *, start: int = 1) -> int:
        """The next value of sequence ``name`` (the first call returns ``start``)."""
        return self.reserve_ids(name, 1, start=start)

    def reserve_ids(self, name: str, count: int, *, start: int = 1) -> int:
        """Reserve ``count`` consecutive ids; returns the first one."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT value FROM sequences WHERE name = ?", (name,)
            ).fetchone()
            first = start if row is None else int(row[0]) + 1
            self.conn.execute(
                "INSERT INTO sequences (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, first + count - 1),
            )
        return first

    # -- resources ------------------------------------------------------------------------
    def insert(
        self,
        kind: str,
        id: str,
        body: Mapping[str, Any],
        *,
        created_at: float,
        parent: str | None = None,
        name: str | None = None,
        visible_at: float | None = None,
    ) -> None:
        """Insert (or resurrect/replace) one resource."""
        self.insert_many(
            [NewResource(kind, id, body, created_at, parent=parent, name=name,
                         visible_at=visible_at)]
        )

    def insert_many(self, rows: Iterable[NewResource]) -> int:
        """Bulk insert (``executemany``); an existing (kind, id) is replaced. Returns the count."""
        items = list(rows)
        if not items:
            return 0
        with self.transaction():
            base = self.reserve_ids("__seq__", len(items))
            params = [
                (r.kind, str(r.id), base + i, r.parent, r.name, _dumps(r.body),
                 r.created_at, r.visible_at)
                for i, r in enumerate(items)
            ]
            self.conn.executemany(
                "INSERT INTO resources (kind, id, seq, parent, name, body, created_at, visible_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET"
                " seq = excluded.seq, parent = excluded.parent, name = excluded.name,"
                " body = excluded.body, created_at = excluded.created_at, deleted_at = NULL,"
                " visible_at = excluded.visible_at",
                params,
            )
        return len(params)

    def get_row(self, kind: str, id: str, *, include_deleted: bool = False) -> ResourceRow | None:
        """One stored resource row (``None`` if missing or deleted)."""
        sql = f"SELECT {_COLUMNS} FROM resources WHERE kind = ? AND id = ?"
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        raw = self.fetchone(sql, (kind, str(id)))
        return None if raw is None else _row(raw)

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        """The body of a live resource, or ``None``."""
        row = self.get_row(kind, id)
        return None if row is None else row.body

    def list_rows(
        self,
        kind: str,
        *,
        parent: str | None = None,
        parents: Sequence[str] | None = None,
        name: str | None = None,
        json_eq: Mapping[str, Any] | None = None,
        tag: str | None = None,
        visible_at: float | None = None,
        lingering_since: float | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[ResourceRow], int]:
        """Live resources of ``kind`` in insertion order, filtered; returns ``(page, total)``.

        ``name`` matches case-insensitively; ``json_eq`` compares top-level body fields;
        ``tag`` keeps bodies whose ``tags`` contain it; ``visible_at`` hides rows whose
        ``visible_at`` is later; ``lingering_since`` also keeps rows deleted after that time.
        """
        where = ["kind = ?"]
        params: list[Any] = [kind]
        if lingering_since is None:
            where.append("deleted_at IS NULL")
        else:
            where.append("(deleted_at IS NULL OR deleted_at > ?)")
            params.append(lingering_since)
        if parent is not None:
            where.append("parent = ?")
            params.append(str(parent))
        if parents is not None:
            if not parents:
                return [], 0
            where.append(f"parent IN ({','.join('?' * len(parents))})")
            params.extend(str(p) for p in parents)
        if name is not None:
            where.append("name = ? COLLATE NOCASE")
            params.append(name)
        for field, value in (json_eq or {}).items():
            where.append(f"json_extract(body, '$.{field}') = ?")
            params.append(value)
        if tag is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(body, '$.tags') WHERE value = ?)")
            params.append(tag)
        if visible_at is not None:
            where.append("(visible_at IS NULL OR visible_at <= ?)")
            params.append(visible_at)
        clause = " AND ".join(where)
        sql = f"SELECT {_COLUMNS} FROM resources WHERE {clause} ORDER BY seq"
        with self._lock:
            if limit is None:  # every match: the total is the row count, no COUNT(*) needed
                rows = [_row(r) for r in self.conn.execute(sql, params).fetchall()]
                return rows, len(rows)
            total = self.conn.execute(
                f"SELECT COUNT(*) FROM resources WHERE {clause}", params
            ).fetchone()[0]
            page = self.conn.execute(f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset])
            rows = [_row(r) for r in page.fetchall()]
        return rows, int(total)

    def list_fields(
        self, kind: str, fields: Sequence[str], *, json_eq: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """``(id, created_at, *body fields)`` of the live ``kind`` resources whose top-level body
        fields equal ``json_eq``, in insertion order, read by SQLite (no body parsed here)."""
        where = ["kind = ?", "deleted_at IS NULL"]
        params: list[Any] = [kind]
        for field, value in json_eq.items():
            where.append(f"json_extract(body, '$.{field}') = ?")
            params.append(value)
        picked = "".join(f", json_extract(body, '$.{f}')" for f in fields)
        clause = " AND ".join(where)
        sql = f"SELECT id, created_at{picked} FROM resources WHERE {clause} ORDER BY seq"
        with self._lock:
            return [tuple(row) for row in self.conn.execute(sql, params).fetchall()]

    def tag_counts(
        self, kind: str, tags: Sequence[str], *, json_eq: Mapping[str, Any] | None = None
    ) -> dict[str, tuple[int, str]]:
        """Per tag: how many live ``kind`` resources carry it and the id of the last one, in
        one scan for all ``tags`` (what ``list_rows(kind, tag=...)`` gives one tag at a time)."""
        if not tags:
            return {}
        where = ["r.kind = ?", "r.deleted_at IS NULL",
                 f"j.value IN ({','.join('?' * len(tags))})"]
        params: list[Any] = [kind, *tags]
        for field, value in (json_eq or {}).items():
            where.append(f"json_extract(r.body, '$.{field}') = ?")
            params.append(value)
        # SQLite: with exactly one max(), the bare r.id comes from the row holding it.
        sql = (f"SELECT j.value, COUNT(DISTINCT r.seq), MAX(r.seq), r.id FROM resources r, "
               f"json_each(r.body, '$.tags') j WHERE {' AND '.join(where)} GROUP BY j.value")
        with self._lock:
            found = self.conn.execute(sql, params).fetchall()
        return {tag: (int(count), str(last)) for tag, count, _seq, last in found}

    def list(self, kind: str, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        """Like :meth:`list_rows` but returns bodies."""
        rows, total = self.list_rows(kind, **filters)
        return [r.body for r in rows], total

    def update(
        self,
        kind: str,
        id: str,
        body: Mapping[str, Any],
        *,
        parent: str | None = None,
        name: str | None = None,
        keep_parent: bool = True,
    ) -> bool:
        """Replace a live resource's body (and ``name``/``parent`` when given)."""
        sets = ["body = ?"]
        params: list[Any] = [_dumps(body)]
        if name is not None:
            sets.append("name = ?")
            params.append(name)
        if parent is not None or not keep_parent:
            sets.append("parent = ?")
            params.append(parent)
        params += [kind, str(id)]
        cur = self.execute(
            f"UPDATE resources SET {', '.join(sets)} WHERE kind = ? AND id = ?"
            " AND deleted_at IS NULL",
            params,
        )
        return cur.rowcount > 0

    def set_visible_at(self, kind: str, id: str, visible_at: float | None) -> None:
        """Change when a resource appears in listings."""
        self.execute(
            "UPDATE resources SET visible_at = ? WHERE kind = ? AND id = ?",
            (visible_at, kind, str(id)),
        )

    def delete(self, kind: str, id: str, *, at: float) -> bool:
        """Soft-delete a live resource (it may still linger in listings); True if it existed."""
        cur = self.execute(
            "UPDATE resources SET deleted_at = ? WHERE kind = ? AND id = ? AND deleted_at IS NULL",
            (at, kind, str(id)),
        )
        return cur.rowcount > 0

    def undelete(self, kind: str, id: str) -> bool:
        """Bring a soft-deleted resource back; True if there was one."""
        cur = self.execute(
            "UPDATE resources SET deleted_at = NULL WHERE kind = ? AND id = ?"
            " AND deleted_at IS NOT NULL",
            (kind, str(id)),
        )
        return cur.rowcount > 0

    def purge(self, kind: str, id: str) -> None:
        """Remove a row for good."""
        self.execute("DELETE FROM resources WHERE kind = ? AND id = ?", (kind, str(id)))

    def count(self, kind: str) -> int:
        """Number of live resources of ``kind``."""
        return int(
            self.fetchone(
                "SELECT COUNT(*) FROM resources WHERE kind = ? AND deleted_at IS NULL", (kind,)
            )[0]
        )

    # -- scheduled events (lags) --------------------------------------------------------------
    def schedule(self, *, due_at: float, type: str, payload: Mapping[str, Any]) -> None:
        """Schedule a state change for ``due_at``."""
        self.execute(
            "INSERT INTO events (due_at, type, payload) VALUES (?, ?, ?)",
            (due_at, type, _dumps(payload)),
        )

    def has_due_events(self, now: float) -> bool:
        """True if some event is due at ``now`` (a cheap read, no write lock)."""
        row = self.fetchone("SELECT 1 FROM events WHERE due_at <= ? LIMIT 1", (now,))
        return row is not None

    def pop_due_events(self, now: float) -> list[Event]:
        """Remove and return the events due at ``now`` (oldest first)."""
        with self.transaction():
            rows = self.conn.execute(
                "SELECT id, due_at, type, payload FROM events WHERE due_at <= ? "
                "ORDER BY due_at, id",
                (now,),
            ).fetchall()
            if rows:
                self.conn.execute("DELETE FROM events WHERE due_at <= ?", (now,))
        return [Event(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    # -- whole-file operations --------------------------------------------------------------
    def is_seeded(self) -> bool:
        """True once a scenario has been seeded into this file."""
        return self.meta_get("scenario") is not None

    def wipe(self) -> None:
        """Drop every table in the file (ours and other modules') and recreate ours."""
        with self._lock:
            names = [
                r[0]
                for r in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                ).fetchall()
            ]
            with self.transaction():
                for name in names:
                    self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                self._create_schema()

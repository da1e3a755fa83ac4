"""Small database helpers the drift modules share: the clock and deadlock retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from arcadia_cloud_core.db.dialect import transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Postgres SQLSTATEs that mean "run the unit of work again": deadlock, serialization failure.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 3


def utc_now(now: datetime | None) -> datetime:
    """`now` (which must be aware) in UTC, or the current time."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC timestamp")
    return now.astimezone(UTC)


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def run_unit_of_work(target: Engine | Connection, work: Callable[[Connection], T]) -> T:
    """`work` in one transaction; on an engine, re-run (bounded) after a deadlock."""
    if not isinstance(target, Engine):
        with transaction(target) as connection:
            return work(connection)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with target.begin() as connection:
                return work(connection)
        except sa.exc.DBAPIError as exc:
            if attempt == _ATTEMPTS or not _retryable(exc):
                raise
            log.warning("drift unit of work hit %s; retrying (%d)", exc.orig, attempt)
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover

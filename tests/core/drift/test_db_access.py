"""The unit-of-work helper: a Postgres deadlock is retried (bounded), anything else is not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from arcadia_cloud_core.drift.db_access import run_unit_of_work


@pytest.fixture
def plain_engine() -> Engine:
    """An in-memory SQLite engine: these tests need transactions, not our schema."""
    return sa.create_engine("sqlite://")


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


def _failing(sqlstate: str, times: int) -> tuple[list[int], object]:
    calls: list[int] = []

    def work(connection: Connection) -> str:
        calls.append(1)
        connection.exec_driver_sql("SELECT 1")
        if len(calls) <= times:
            raise sa.exc.OperationalError("UPDATE cloud_drift", {}, _DriverError(sqlstate))
        return "done"

    return calls, work


def test_a_deadlock_is_run_again(plain_engine: Engine) -> None:
    calls, work = _failing("40P01", times=2)
    assert run_unit_of_work(plain_engine, work) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3


def test_retries_are_bounded(plain_engine: Engine) -> None:
    calls, work = _failing("40001", times=10)
    with pytest.raises(sa.exc.OperationalError):
        run_unit_of_work(plain_engine, work)  # type: ignore[arg-type]
    assert len(calls) == 3


def test_other_errors_are_not_retried(plain_engine: Engine) -> None:
    calls, work = _failing("23505", times=1)
    with pytest.raises(sa.exc.OperationalError):
        run_unit_of_work(plain_engine, work)  # type: ignore[arg-type]
    assert len(calls) == 1


def test_a_callers_connection_is_never_retried(plain_engine: Engine) -> None:
    calls, work = _failing("40P01", times=1)
    with plain_engine.connect() as connection, pytest.raises(sa.exc.OperationalError):
        run_unit_of_work(connection, work)  # type: ignore[arg-type]
    assert len(calls) == 1

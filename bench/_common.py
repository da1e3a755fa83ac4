"""Shared plumbing for the benchmarks: a throw-away Postgres database, a scale simulator, output.

Benchmarks compare ours with a naive baseline in one run and print, as their last line, one JSON
object of their figures. Never imported by the product code.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: Budgets large enough that pacing never interferes with a benchmark.
UNLIMITED_RATE = ("--rate-limit-minute", "100000000", "--rate-limit-hour", "1000000000")


@contextmanager
def fresh_postgres(prefix: str) -> Iterator[str]:
    """A new Postgres database (dropped afterwards); yields its SQLAlchemy URL."""
    admin_url = sa.make_url(os.environ.get("ARCADIA_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)
    if admin_url.drivername in ("postgresql", "postgres"):
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        from arcadia_cloud_core.db.engine import forget_engines

        forget_engines()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class Timer:
    """`with Timer() as t: ...` then `t.seconds`."""

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Print aligned columns (first row is the header)."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def emit(figures: dict[str, Any]) -> None:
    """The benchmark's last line: one JSON object."""
    print(json.dumps(figures), flush=True)

"""The cost views' unit of work: the latest months to show, and the FOCUS refresh (file + table,
unchanged invoices not rewritten), on a real database with two ingested invoices."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.cost_views import latest_months, refresh_focus
from arcadia_cloud_core.db.schema import cloud_focus_cost_lines

from .helpers import ACCOUNT, MARCH, SAMPLE_LINES, SAMPLE_TOTAL, count


def test_latest_months_keeps_the_newest_months_only() -> None:
    frame = pd.DataFrame({"month": ["2026-01", "2026-04", "2026-02", "2026-03", "2026-04"]})
    assert sorted(latest_months(frame)["month"]) == ["2026-02", "2026-03", "2026-04", "2026-04"]
    assert list(latest_months(frame, count=1)["month"]) == ["2026-04", "2026-04"]
    empty = frame.iloc[0:0]
    assert latest_months(empty).empty


def test_refresh_focus_writes_the_file_and_only_changed_invoices(
    ingested: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "focus.parquet"
    first = refresh_focus(ingested, account=ACCOUNT, parquet=target)
    lines = len(SAMPLE_LINES) + len(MARCH)
    assert (first.rows, first.invoices_rewritten, first.parquet) == (lines, 2, target)
    assert first.billed_cost_total == Decimal(SAMPLE_TOTAL + 1134) / 100
    assert pq.read_table(target).num_rows == lines
    assert count(ingested, cloud_focus_cost_lines) == lines
    again = refresh_focus(ingested, account=ACCOUNT, parquet=target)
    assert (again.rows, again.invoices_rewritten) == (lines, 0)

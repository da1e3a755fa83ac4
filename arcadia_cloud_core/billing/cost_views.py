"""The cost views as the assets refresh them: monthly costs (and the latest months to show) and
the FOCUS lines (Parquet file and table, every invoice's rows rewritten only where they changed).

Kept apart from `monthly_costs` and `focus`, which compute the rows: this module is the unit of
work the `billing/monthly_costs` and `billing/focus_cost_lines` assets call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.focus import (
    BillingAccount,
    focus_frame,
    replace_focus_lines,
    write_focus_parquet,
)

__all__ = ["FocusRefresh", "latest_months", "refresh_focus"]

#: How many of the latest months the monthly-costs asset shows in its metadata.
LATEST_MONTHS = 3


def latest_months(frame: pd.DataFrame, count: int = LATEST_MONTHS) -> pd.DataFrame:
    """The rows of the ``count`` latest months (column ``month``, ``YYYY-MM``) of ``frame``."""
    if not len(frame):
        return frame
    months = sorted(frame["month"].unique())[-count:]
    return frame[frame["month"].isin(months)]


@dataclass(frozen=True)
class FocusRefresh:
    """What `refresh_focus` wrote."""

    rows: int
    parquet: Path
    invoices_rewritten: int  # invoices whose table rows changed
    billed_cost_total: Decimal  # exact, in USD
    frame: pd.DataFrame = field(repr=False, compare=False)  # what was written (for checks)


def refresh_focus(engine: Engine, *, account: BillingAccount, parquet: Path) -> FocusRefresh:
    """Every stored line in FOCUS 1.2 columns, written to ``parquet`` and, per invoice, to
    ``cloud_focus_cost_lines`` (one transaction per invoice; unchanged invoices write nothing)."""
    frame = focus_frame(engine, account=account)
    written = write_focus_parquet(frame, parquet)
    uuids = sorted(str(uuid) for uuid in frame["InvoiceId"].dropna().unique()) if len(frame) else []
    rewritten = sum(
        replace_focus_lines(engine, invoice_uuid=uuid, account=account).written for uuid in uuids
    )
    total = sum((Decimal(str(cost)) for cost in frame["BilledCost"].dropna()), Decimal(0))
    return FocusRefresh(
        rows=len(frame),
        parquet=written,
        invoices_rewritten=rewritten,
        billed_cost_total=total,
        frame=frame,
    )

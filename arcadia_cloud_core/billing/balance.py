"""Balance snapshots: `/v2/customers/my/balance` into `cloud_balance_snapshots`, once per
`generated_at` (a re-run for the same DO snapshot writes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_balance_snapshots as balances_t
from arcadia_cloud_core.digitalocean import Balance


def record_balance(engine: Engine, balance: Balance, *, now: datetime | None = None) -> bool:
    """Store one balance snapshot; returns False when DO's snapshot was already stored."""
    captured_at = now or datetime.now(UTC)
    t = balances_t
    with engine.begin() as connection:
        exists = connection.execute(
            sa.select(t.c.id).where(
                t.c.provider == PROVIDER, t.c.generated_at == balance.generated_at
            )
        ).first()
        if exists:
            return False
        connection.execute(
            sa.insert(t),
            {
                "provider": PROVIDER,
                "month_to_date_balance_cents": balance.month_to_date_balance_cents,
                "account_balance_cents": balance.account_balance_cents,
                "month_to_date_usage_cents": balance.month_to_date_usage_cents,
                "generated_at": balance.generated_at,
                "captured_at": captured_at,
            },
        )
    return True

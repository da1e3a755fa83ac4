"""daily cost lines: DO's billing insights per day, matched to resources

`cloud_daily_cost_days` holds one row per (account, day) whose lines are stored (zero lines is a
loaded day too); `cloud_daily_cost_lines` the day's lines, replaced as a set.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from arcadia_cloud_core.db import types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cloud_daily_cost_days",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=32), server_default="digitalocean", nullable=False),
        sa.Column("account_urn", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("loaded_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_daily_cost_days")),
        sa.UniqueConstraint(
            "provider",
            "account_urn",
            "day",
            name=op.f("uq_cloud_daily_cost_days_provider_account_urn_day"),
        ),
    )
    op.create_table(
        "cloud_daily_cost_lines",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("day_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("group_description", sa.Text(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("parsed_name", sa.String(length=255), nullable=True),
        sa.Column("resource_id", sa.BigInteger(), nullable=True),
        sa.Column("resource_kind", sa.String(length=32), nullable=True),
        sa.Column("project_name", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.String(length=128), nullable=True),
        sa.Column("match_method", sa.String(length=32), nullable=True),
        sa.Column("unmatched_reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["cloud_daily_cost_days.id"],
            name=op.f("fk_cloud_daily_cost_lines_day_id_cloud_daily_cost_days"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["cloud_resources.id"],
            name=op.f("fk_cloud_daily_cost_lines_resource_id_cloud_resources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_daily_cost_lines")),
        sa.UniqueConstraint(
            "day_id", "line_no", name=op.f("uq_cloud_daily_cost_lines_day_id_line_no")
        ),
    )
    with op.batch_alter_table("cloud_daily_cost_lines") as batch:
        batch.create_index(batch.f("ix_cloud_daily_cost_lines_day"), ["day"], unique=False)
        batch.create_index(
            batch.f("ix_cloud_daily_cost_lines_resource_id"), ["resource_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("cloud_daily_cost_lines")
    op.drop_table("cloud_daily_cost_days")

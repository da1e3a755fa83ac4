"""billing tables: monthly cost roll-up and FOCUS 1.2 cost lines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 19:22:58.457966
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from arcadia_cloud_core.db import types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cloud_monthly_costs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=32), server_default="digitalocean", nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tenant_id", sa.String(length=128), nullable=True),
        sa.Column("project_name", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("computed_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_monthly_costs")),
    )
    with op.batch_alter_table("cloud_monthly_costs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cloud_monthly_costs_provider_month"), ["provider", "month"], unique=False
        )

    op.create_table(
        "cloud_focus_cost_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("cloud_invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("billed_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("effective_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("list_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("contracted_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("billing_currency", sa.String(length=3), nullable=False),
        sa.Column("billing_period_start", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("billing_period_end", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("charge_period_start", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("charge_period_end", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("charge_category", sa.String(length=16), nullable=False),
        sa.Column("charge_class", sa.String(length=16), nullable=True),
        sa.Column("charge_description", sa.Text(), nullable=True),
        sa.Column("pricing_quantity", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("pricing_unit", sa.String(length=32), nullable=True),
        sa.Column("service_name", sa.String(length=255), nullable=False),
        sa.Column("service_category", sa.String(length=64), nullable=False),
        sa.Column("provider_name", sa.String(length=64), nullable=False),
        sa.Column("publisher_name", sa.String(length=64), nullable=False),
        sa.Column("invoice_issuer_name", sa.String(length=64), nullable=False),
        sa.Column("billing_account_id", sa.String(length=128), nullable=False),
        sa.Column("billing_account_name", sa.String(length=255), nullable=True),
        sa.Column("invoice_id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=True),
        sa.Column("resource_name", sa.String(length=255), nullable=True),
        sa.Column("resource_type", sa.String(length=32), nullable=True),
        sa.Column("sub_account_name", sa.String(length=255), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default="{}",
            nullable=False,
        ),
        sa.CheckConstraint(
            "charge_category IN ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')",
            name=op.f("ck_cloud_focus_cost_lines_charge_category"),
        ),
        sa.ForeignKeyConstraint(
            ["cloud_invoice_id"],
            ["cloud_invoices.id"],
            name=op.f("fk_cloud_focus_cost_lines_cloud_invoice_id_cloud_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_focus_cost_lines")),
        sa.UniqueConstraint(
            "cloud_invoice_id",
            "line_no",
            name=op.f("uq_cloud_focus_cost_lines_cloud_invoice_id_line_no"),
        ),
    )
    with op.batch_alter_table("cloud_focus_cost_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cloud_focus_cost_lines_billing_period_start"),
            ["billing_period_start"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cloud_focus_cost_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cloud_focus_cost_lines_billing_period_start"))

    op.drop_table("cloud_focus_cost_lines")
    with op.batch_alter_table("cloud_monthly_costs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cloud_monthly_costs_provider_month"))

    op.drop_table("cloud_monthly_costs")

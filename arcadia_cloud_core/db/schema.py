"""The application schema (SQLAlchemy Core): one `MetaData` that the Alembic migrations mirror.

Money is integer cents in `*_cents` columns; timestamps are aware UTC (`UTCDateTime`); documents are
JSON (JSONB on Postgres). DO identifiers are strings.
"""

from __future__ import annotations

import sqlalchemy as sa

from arcadia_cloud_core.db.types import BigIntPK, JSONDoc, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: The provider of every row DO gives us (the `provider` columns' default).
PROVIDER = "digitalocean"

#: Every resource kind in `cloud_resources` (one vocabulary: assets, matching, drift). Checked
#: by `NormalizedResource` on the way in, not by the database (migration 0003): a new kind is
#: one more name here, with no migration.
RESOURCE_KINDS = (
    "droplet",
    "dns_zone",
    "volume",
    "snapshot",
    "reserved_ip",
    "firewall",
    "load_balancer",
    # account-level kinds (#13): certificates … autoscale pools, see inventory/kinds.py
    *("certificate", "cdn_endpoint", "container_registry", "container_repository", "ssh_key"),
    *("tag", "custom_image", "alert_policy", "uptime_check", "functions_namespace"),
    *("reserved_ipv6", "autoscale_pool"),
    "droplet_backup",
    "spaces_bucket",
    "managed_db",
    "k8s_cluster",
    # platform families (#13)
    "app",
    "app_alert",
    "db_replica",
    "db_pool",
    "k8s_node_pool",
    "vpc",
    "vpc_peering",
    "nat_gateway",
    "region",
    "size",
)
EVENT_TYPES = ("discovered", "updated", "deleted", "restored", "drift_detected", "tagged")
INVOICE_INGEST_STATUSES = ("pending", "ingesting", "ingested", "failed")
DRIFT_STATUSES = ("open", "accepted", "reverted", "stale")
SAGA_STATUSES = (
    "pending",
    "running",
    "completed",
    "failed",
    "compensating",
    "rolled_back",
    "compensation_failed",
)
SAGA_STEP_STATUSES = ("running", "completed", "failed", "compensated", "compensation_failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


cloud_projects = sa.Table(
    "cloud_projects",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("provider_id", sa.String(128), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("purpose", sa.String(255)),
    sa.Column("description", sa.Text),
    sa.Column("tenant_id", sa.String(128)),
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("attrs", JSONDoc, nullable=False, server_default="{}"),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime),
    sa.UniqueConstraint("provider", "provider_id"),
)

cloud_resources = sa.Table(
    "cloud_resources",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("provider_id", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", sa.String(255)),
    sa.Column("region", sa.String(32)),
    sa.Column("status", sa.String(32)),
    sa.Column("tenant_id", sa.String(128)),
    sa.Column(
        "cloud_project_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_projects.id", ondelete="SET NULL"),
    ),
    sa.Column("attrs", JSONDoc, nullable=False, server_default="{}"),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    sa.Column("stale_strike_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("deleted_at", UTCDateTime),
    sa.UniqueConstraint("provider", "kind", "provider_id"),
    sa.CheckConstraint("stale_strike_count >= 0", name="strikes"),
    sa.Index(None, "kind", "deleted_at"),
    sa.Index(None, "tenant_id"),
    sa.Index(None, "kind", "name"),
)

cloud_resource_events = sa.Table(
    "cloud_resource_events",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "resource_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_resources.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("payload", JSONDoc, nullable=False, server_default="{}"),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.CheckConstraint(_one_of("type", EVENT_TYPES), name="type"),
    sa.Index(None, "resource_id", "occurred_at"),
)

cloud_balance_snapshots = sa.Table(
    "cloud_balance_snapshots",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("month_to_date_balance_cents", sa.BigInteger, nullable=False),
    sa.Column("account_balance_cents", sa.BigInteger, nullable=False),
    sa.Column("month_to_date_usage_cents", sa.BigInteger, nullable=False),
    sa.Column("generated_at", UTCDateTime, nullable=False),
    sa.Column("captured_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("provider", "generated_at"),
)

cloud_invoices = sa.Table(
    "cloud_invoices",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("invoice_uuid", sa.String(64), nullable=False),
    sa.Column("invoice_period", sa.String(7), nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("ingest_status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("ingest_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ingest_error", sa.Text),
    sa.Column("line_count", sa.Integer),
    sa.Column("ingested_at", UTCDateTime),
    sa.Column("pushed_to_finance_at", UTCDateTime),
    sa.Column("finance_invoice_id", sa.String(128)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("provider", "invoice_uuid"),
    sa.CheckConstraint(_one_of("ingest_status", INVOICE_INGEST_STATUSES), name="ingest_status"),
    sa.Index(None, "invoice_period"),
)

cloud_cost_lines = sa.Table(
    "cloud_cost_lines",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "invoice_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_invoices.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("product", sa.String(255), nullable=False),
    sa.Column("group_description", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("hours", sa.Numeric(14, 4)),
    sa.Column("period_start", UTCDateTime),
    sa.Column("period_end", UTCDateTime),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("project_name", sa.String(255)),
    sa.Column("category", sa.String(255)),
    sa.Column("kind", sa.String(32)),
    sa.Column("parsed_name", sa.String(255)),
    sa.Column(
        "resource_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_resources.id", ondelete="SET NULL"),
    ),
    sa.Column("match_method", sa.String(32)),
    sa.Column("unmatched_reason", sa.String(64)),
    sa.UniqueConstraint("invoice_id", "line_no"),
    sa.Index(None, "resource_id"),
)

cloud_provisioned = sa.Table(
    "cloud_provisioned",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "resource_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_resources.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("spec", JSONDoc, nullable=False),
    sa.Column("spec_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("saga_id", sa.String(64)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

cloud_drift = sa.Table(
    "cloud_drift",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "resource_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_resources.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("field", sa.String(255), nullable=False),
    sa.Column("expected", JSONDoc),
    sa.Column("actual", JSONDoc),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("detected_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime),
    sa.CheckConstraint(_one_of("status", DRIFT_STATUSES), name="status"),
    sa.Index(
        "uq_cloud_drift_open_resource_field",
        "resource_id",
        "field",
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    ),
    sa.Index(None, "status"),
)

saga_runs = sa.Table(
    "saga_runs",
    metadata,
    sa.Column("saga_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, server_default="pending"),
    sa.Column("steps", JSONDoc, nullable=False),
    sa.Column("current_step_idx", sa.Integer, nullable=False, server_default="0"),
    sa.Column("inputs", JSONDoc, nullable=False),
    sa.Column("context", JSONDoc, nullable=False, server_default="{}"),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("error", sa.Text),
    sa.Column("dagster_run_id", sa.String(64)),
    sa.Column("worker_pid", sa.Integer),
    sa.Column("worker_host", sa.String(255)),
    sa.Column("heartbeat_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.CheckConstraint(_one_of("status", SAGA_STATUSES), name="status"),
    sa.Index(None, "status"),
)

saga_step_results = sa.Table(
    "saga_step_results",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "saga_id",
        sa.String(64),
        sa.ForeignKey("saga_runs.saga_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("step_idx", sa.Integer, nullable=False),
    sa.Column("step_name", sa.String(128), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("output", JSONDoc),
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("started_at", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.UniqueConstraint("saga_id", "step_idx"),
    sa.CheckConstraint(_one_of("status", SAGA_STEP_STATUSES), name="status"),
)

# -- billing roll-ups (migration 0002) -------------------------------------------------------------
#: FOCUS 1.2 charge categories we emit.
FOCUS_CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")

cloud_monthly_costs = sa.Table(
    "cloud_monthly_costs",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("tenant_id", sa.String(128)),
    sa.Column("project_name", sa.String(255)),
    sa.Column("kind", sa.String(32)),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("computed_at", UTCDateTime, nullable=False),
    sa.Index(None, "provider", "month"),
)

cloud_focus_cost_lines = sa.Table(
    "cloud_focus_cost_lines",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "cloud_invoice_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_invoices.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("billed_cost_cents", sa.BigInteger, nullable=False),
    sa.Column("effective_cost_cents", sa.BigInteger, nullable=False),
    sa.Column("list_cost_cents", sa.BigInteger, nullable=False),
    sa.Column("contracted_cost_cents", sa.BigInteger, nullable=False),
    sa.Column("billing_currency", sa.String(3), nullable=False),
    sa.Column("billing_period_start", UTCDateTime, nullable=False),
    sa.Column("billing_period_end", UTCDateTime, nullable=False),
    sa.Column("charge_period_start", UTCDateTime, nullable=False),
    sa.Column("charge_period_end", UTCDateTime, nullable=False),
    sa.Column("charge_category", sa.String(16), nullable=False),
    sa.Column("charge_class", sa.String(16)),
    sa.Column("charge_description", sa.Text),
    sa.Column("pricing_quantity", sa.Numeric(14, 4)),
    sa.Column("pricing_unit", sa.String(32)),
    sa.Column("service_name", sa.String(255), nullable=False),
    sa.Column("service_category", sa.String(64), nullable=False),
    sa.Column("provider_name", sa.String(64), nullable=False),
    sa.Column("publisher_name", sa.String(64), nullable=False),
    sa.Column("invoice_issuer_name", sa.String(64), nullable=False),
    sa.Column("billing_account_id", sa.String(128), nullable=False),
    sa.Column("billing_account_name", sa.String(255)),
    sa.Column("invoice_id", sa.String(64), nullable=False),
    sa.Column("resource_id", sa.String(255)),
    sa.Column("resource_name", sa.String(255)),
    sa.Column("resource_type", sa.String(32)),
    sa.Column("sub_account_name", sa.String(255)),
    sa.Column("tags", JSONDoc, nullable=False, server_default="{}"),
    sa.UniqueConstraint("cloud_invoice_id", "line_no"),
    sa.CheckConstraint(_one_of("charge_category", FOCUS_CHARGE_CATEGORIES), name="charge_category"),
    sa.Index(None, "billing_period_start"),
)

#: One row per (account, day) whose daily lines are stored (zero lines is a loaded day too).
cloud_daily_cost_days = sa.Table(
    "cloud_daily_cost_days",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False, server_default=PROVIDER),
    sa.Column("account_urn", sa.String(128), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("provider", "account_urn", "day"),
)

#: DO's billing insights: one day's amount per SKU, region and description, matched like
#: invoice lines (kind, parsed name, resource, method or reason); project and tenant are the
#: matched resource's.
cloud_daily_cost_lines = sa.Table(
    "cloud_daily_cost_lines",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "day_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_daily_cost_days.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("region", sa.String(32)),
    sa.Column("description", sa.Text),
    sa.Column("group_description", sa.Text),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("product", sa.String(255)),
    sa.Column("kind", sa.String(32)),
    sa.Column("parsed_name", sa.String(255)),
    sa.Column(
        "resource_id",
        sa.BigInteger,
        sa.ForeignKey("cloud_resources.id", ondelete="SET NULL"),
    ),
    sa.Column("resource_kind", sa.String(32)),
    sa.Column("project_name", sa.String(255)),
    sa.Column("tenant_id", sa.String(128)),
    sa.Column("match_method", sa.String(32)),
    sa.Column("unmatched_reason", sa.String(64)),
    sa.UniqueConstraint("day_id", "line_no"),
    sa.Index(None, "day"),
    sa.Index(None, "resource_id"),
)

#: Every application table, for checks that "the schema is there".
APP_TABLES = tuple(metadata.tables)

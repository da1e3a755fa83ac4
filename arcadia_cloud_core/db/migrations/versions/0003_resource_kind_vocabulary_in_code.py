"""cloud_resources.kind: the vocabulary lives in code, not in a CHECK constraint

Every new DO kind (apps, databases, Kubernetes, VPCs ...) would otherwise need a migration that
rebuilds `cloud_resources` (SQLite cannot alter a CHECK in place). The kind is still validated
on the way in: `NormalizedResource` refuses any kind not in `schema.RESOURCE_KINDS`, and the one
upsert chokepoint only writes `NormalizedResource` rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The kinds the CHECK of 0001 allowed: the downgrade restores exactly that constraint.
_KINDS_0001 = (
    "droplet",
    "dns_zone",
    "volume",
    "snapshot",
    "reserved_ip",
    "firewall",
    "load_balancer",
    "droplet_backup",
    "spaces_bucket",
    "managed_db",
    "k8s_cluster",
)


def upgrade() -> None:
    with op.batch_alter_table("cloud_resources") as batch:
        batch.drop_constraint(op.f("ck_cloud_resources_kind"), type_="check")


def downgrade() -> None:
    quoted = ", ".join(f"'{kind}'" for kind in _KINDS_0001)
    with op.batch_alter_table("cloud_resources") as batch:
        batch.create_check_constraint(op.f("ck_cloud_resources_kind"), f"kind IN ({quoted})")

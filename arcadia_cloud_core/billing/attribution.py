"""Which tenant a cost line belongs to: its matched resource's tenant, else its project's.

A line matched to a resource takes ``cloud_resources.tenant_id``; otherwise (unmatched, or a
resource without a tenant) the tenant of the DO project named on the line (``project_name``,
case-insensitive, live projects preferred). Lines with neither stay unattributed (null).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from arcadia_cloud_core.db.schema import PROVIDER, cloud_projects


def project_tenants(connection: sa.Connection) -> dict[str, str]:
    """``lower(project name)`` → tenant id (live projects win over deleted ones)."""
    p = cloud_projects.c
    rows = connection.execute(
        sa.select(p.name, p.tenant_id)
        .where(p.provider == PROVIDER, p.tenant_id.is_not(None))
        .order_by(p.deleted_at.is_(None).desc(), p.last_seen_at.desc(), p.id)
    )
    out: dict[str, str] = {}
    for name, tenant in rows:
        out.setdefault(name.lower(), tenant)
    return out


def line_tenants(
    resource_tenants: pd.Series, project_names: pd.Series, by_project: dict[str, str]
) -> pd.Series:
    """Per line: the resource's tenant, else the project's (null when neither is known)."""
    from_project = project_names.astype(object).map(
        lambda name: by_project.get(name.lower()) if isinstance(name, str) else None
    )
    chosen = resource_tenants.astype(object).where(resource_tenants.notna(), from_project)
    return chosen.where(chosen.notna(), None)

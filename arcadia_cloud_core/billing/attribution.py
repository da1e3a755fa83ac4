"""Which project and tenant a cost line belongs to.

The project is the one DO names on the line (``project_name``); a line without one — every line
of an invoice from before DO had projects, and account-level lines — falls back to its matched
resource's own project (``cloud_resources.cloud_project_id``). The tenant is the matched
resource's (``cloud_resources.tenant_id``), else the tenant of the project named on the line
(case-insensitive, live projects preferred), else that of the resource's own project. A line with
none of these stays unattributed (null).

The roll-ups, FOCUS rows and the finance push all attribute through :func:`attribute`; their
queries take the resource's project from :data:`RESOURCE_PROJECT` via :func:`join_resource_project`.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from arcadia_cloud_core.db.schema import PROVIDER, cloud_projects, cloud_resources

#: The matched resource's own project (an alias: queries may join the line's project too).
RESOURCE_PROJECT = cloud_projects.alias("resource_project")
#: Its columns as :func:`attribute` reads them.
RESOURCE_PROJECT_COLUMNS = (
    RESOURCE_PROJECT.c.name.label("resource_project"),
    RESOURCE_PROJECT.c.tenant_id.label("resource_project_tenant"),
)


def join_resource_project(joined: sa.FromClause) -> sa.Join:
    """``joined`` (which holds ``cloud_resources``) outer-joined to the resource's project."""
    return joined.outerjoin(
        RESOURCE_PROJECT, RESOURCE_PROJECT.c.id == cloud_resources.c.cloud_project_id
    )


def project_tenants(connection: sa.Connection) -> dict[str, str]:
    """``lower(project name)`` → tenant id (live projects win over deleted ones)."""
    return _by_project_name(connection, cloud_projects.c.tenant_id)


def project_ids(connection: sa.Connection) -> dict[str, str]:
    """``lower(project name)`` → DO's project id (live projects win over deleted ones)."""
    return _by_project_name(connection, cloud_projects.c.provider_id)


def _by_project_name(connection: sa.Connection, column: sa.Column) -> dict[str, str]:
    p = cloud_projects.c
    rows = connection.execute(
        sa.select(p.name, column)
        .where(p.provider == PROVIDER, column.is_not(None))
        .order_by(p.deleted_at.is_(None).desc(), p.last_seen_at.desc(), p.id)
    )
    out: dict[str, str] = {}
    for name, value in rows:
        out.setdefault(name.lower(), value)
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def attribute_line(
    *,
    project_name: object,
    resource_tenant: object,
    resource_project: object,
    resource_project_tenant: object,
    by_project: dict[str, str],
) -> tuple[str | None, str | None]:
    """``(project, tenant)`` of one line (the rules of the module docstring)."""
    line_project = _text(project_name)
    tenant = (
        _text(resource_tenant)
        or (by_project.get(line_project.lower()) if line_project else None)
        or _text(resource_project_tenant)
    )
    return line_project or _text(resource_project), tenant


def attribute(frame: pd.DataFrame, by_project: dict[str, str]) -> pd.DataFrame:
    """``frame`` with ``project_name`` and ``tenant_id`` attributed (None where unknown).

    Reads ``project_name`` (the line's), ``resource_tenant``, ``resource_project`` and
    ``resource_project_tenant``; one call per row of ``frame`` (the callers pass grouped rows
    or one invoice's lines)."""
    columns = ("project_name", "resource_tenant", "resource_project", "resource_project_tenant")
    pairs = [
        attribute_line(**dict(zip(columns, row, strict=True)), by_project=by_project)
        for row in frame.loc[:, list(columns)].itertuples(index=False, name=None)
    ]
    out = frame.copy()
    out["project_name"] = pd.Series([p for p, _ in pairs], index=frame.index, dtype=object)
    out["tenant_id"] = pd.Series([t for _, t in pairs], index=frame.index, dtype=object)
    return out

"""Projects and the resources assigned to them (by URN)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_bool,
    opt_datetime,
    opt_str,
    req_str,
    req_uuid,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


@dataclass(frozen=True)
class Project:
    """A DO project (the tenant lives in ``description`` by our convention)."""

    id: str
    name: str
    description: str | None
    purpose: str | None
    environment: str | None
    is_default: bool
    owner_uuid: str | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Project:
        """Parse a ``project`` object."""
        return cls(
            id=req_uuid(p),
            name=req_str(p, "name"),
            description=opt_str(p, "description"),
            purpose=opt_str(p, "purpose"),
            environment=opt_str(p, "environment"),
            is_default=opt_bool(p, "is_default"),
            owner_uuid=opt_str(p, "owner_uuid"),
            created_at=opt_datetime(p, "created_at"),
            updated_at=opt_datetime(p, "updated_at"),
            raw=frozen(p),
        )


def split_urn(urn: str, field: str = "urn") -> tuple[str, str]:
    """``"do:droplet:123"`` → ``("droplet", "123")`` (the id may itself contain colons)."""
    parts = urn.split(":", 2)
    if len(parts) != 3 or parts[0] != "do" or not parts[1] or not parts[2]:
        raise FieldError(field, f"not a DO URN (do:<kind>:<id>): {urn!r:.60}")
    return parts[1], parts[2]


@dataclass(frozen=True)
class ProjectResource:
    """A resource assigned to a project: ``urn`` split into ``kind`` and ``id``."""

    urn: str
    kind: str
    id: str
    project_id: str | None
    assigned_at: datetime | None
    status: str | None
    self_url: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(
        cls, p: Mapping[str, Any], *, project_id: str | None = None
    ) -> ProjectResource:
        """Parse a project ``resources[]`` entry."""
        urn = req_str(p, "urn")
        kind, ident = split_urn(urn)
        return cls(
            urn=urn,
            kind=kind,
            id=ident,
            project_id=project_id,
            assigned_at=opt_datetime(p, "assigned_at"),
            status=opt_str(p, "status"),
            self_url=opt_str(p, "links.self"),
            raw=frozen(p),
        )


__all__ = ["Project", "ProjectResource", "split_urn"]

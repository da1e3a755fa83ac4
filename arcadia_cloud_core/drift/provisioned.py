"""Desired state: the spec a provisioning saga asked for, one row per resource."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from arcadia_cloud_core.db.dialect import transaction, upsert_insert
from arcadia_cloud_core.db.schema import PROVIDER, cloud_provisioned, cloud_resources
from arcadia_cloud_core.drift.db_access import utc_now
from arcadia_cloud_core.drift.errors import InvalidSpec, UnknownResource
from arcadia_cloud_core.drift.fields import validate_field


@dataclass(frozen=True)
class ProvisionedSpec:
    """A resource's desired state after a write: `written` is False when nothing changed."""

    resource_id: int
    spec: Mapping[str, Any]
    spec_version: int
    written: bool


def normalise_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A validated copy of `spec`: field names checked, plain JSON, keys sorted at every level.

    Sorted keys give one stored text per spec, so "unchanged" is exact on every backend.
    """
    if not isinstance(spec, Mapping):
        raise InvalidSpec(f"a spec is a mapping of field to value, not {type(spec).__name__}")
    for field in spec:
        validate_field(field)
    try:
        text = json.dumps(spec, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidSpec(f"spec is not plain JSON: {exc}") from None
    normalised: dict[str, Any] = json.loads(text)
    return normalised


def record_provisioned(
    connection_or_engine: Engine | Connection,
    *,
    resource_id: int,
    spec: Mapping[str, Any],
    saga_id: str | None,
    now: datetime | None = None,
) -> ProvisionedSpec:
    """Upsert the desired state of `resource_id` (called by provisioning sagas).

    A new spec is version 1; a changed spec bumps `spec_version` (and records `saga_id`); an
    unchanged spec writes nothing. Runs in the caller's transaction when given a connection.
    """
    desired = normalise_spec(spec)
    stamp = utc_now(now)
    with transaction(connection_or_engine) as connection:
        exists = connection.execute(
            sa.select(cloud_resources.c.id).where(cloud_resources.c.id == resource_id)
        ).first()
        if exists is None:
            raise UnknownResource(resource_id)
        insert = upsert_insert(connection, cloud_provisioned).values(
            resource_id=resource_id,
            spec=desired,
            spec_version=1,
            saga_id=saga_id,
            created_at=stamp,
            updated_at=stamp,
        )
        statement = insert.on_conflict_do_update(
            index_elements=["resource_id"],
            set_={
                "spec": insert.excluded.spec,
                "spec_version": cloud_provisioned.c.spec_version + 1,
                "saga_id": insert.excluded.saga_id,
                "updated_at": insert.excluded.updated_at,
            },
            where=cloud_provisioned.c.spec.is_distinct_from(insert.excluded.spec),
        ).returning(cloud_provisioned.c.spec_version)
        written = connection.execute(statement).first()
        if written is not None:
            return ProvisionedSpec(resource_id, desired, int(written.spec_version), True)
        current = connection.execute(
            sa.select(cloud_provisioned.c.spec, cloud_provisioned.c.spec_version).where(
                cloud_provisioned.c.resource_id == resource_id
            )
        ).one()
        return ProvisionedSpec(resource_id, current.spec, int(current.spec_version), False)


def forget_provisioned(
    connection_or_engine: Engine | Connection,
    *,
    kind: str,
    provider_id: str,
    provider: str = PROVIDER,
) -> bool:
    """Drop the desired state of a resource we removed on purpose (so drift does not report it).

    Returns True when a spec was deleted. Runs in the caller's transaction when given a connection.
    """
    r = cloud_resources
    resource = sa.select(r.c.id).where(
        r.c.provider == provider, r.c.kind == kind, r.c.provider_id == provider_id
    )
    with transaction(connection_or_engine) as connection:
        deleted = connection.execute(
            sa.delete(cloud_provisioned).where(cloud_provisioned.c.resource_id.in_(resource))
        )
    return bool(deleted.rowcount)

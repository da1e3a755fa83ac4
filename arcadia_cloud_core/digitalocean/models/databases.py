"""Managed databases: clusters (``/v2/databases``), their replicas and connection pools.

Connection objects carry passwords: the models keep host, port and database only (``raw``
keeps the payload for debugging but never reaches the inventory).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    FieldError,
    frozen,
    opt_datetime,
    opt_int,
    opt_list,
    opt_mapping,
    opt_str,
    req_id,
    req_int,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field


@dataclass(frozen=True)
class TrustedSource:
    """One firewall rule of a cluster: who may connect (``type``: droplet, k8s, ip_addr, tag,
    app)."""

    type: str
    value: str
    description: str | None

    @classmethod
    def from_payload(cls, p: Any, *, where: str) -> TrustedSource:
        """Parse a rule; ``where`` is its position for error messages."""
        if not isinstance(p, Mapping):
            raise FieldError(where, "expected an object")
        try:
            return cls(
                type=req_str(p, "type"),
                value=req_str(p, "value"),
                description=opt_str(p, "description"),
            )
        except FieldError as exc:
            raise FieldError(f"{where}.{exc.field}", exc.reason) from None


def _endpoint(p: Mapping[str, Any], field: str) -> str | None:
    """``host:port`` of a connection object (its credentials are left out)."""
    conn = opt_mapping(p, field)
    host = opt_str(conn, "host")
    return None if host is None else f"{host}:{opt_int(conn, 'port')}"


@dataclass(frozen=True)
class DatabaseCluster:
    """A managed database cluster; ``rules`` are its trusted sources."""

    id: str
    name: str
    engine: str
    version: str | None
    size: str
    num_nodes: int
    region: str
    status: str | None
    storage_size_mib: int | None
    private_network_uuid: str | None
    project_id: str | None
    tags: tuple[str, ...]
    db_names: tuple[str, ...]
    host: str | None
    private_host: str | None
    rules: tuple[TrustedSource, ...]
    maintenance_day: str | None
    maintenance_hour: str | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> DatabaseCluster:
        """Parse a ``database`` object."""
        return cls(
            id=req_id(p),
            name=req_str(p, "name"),
            engine=req_str(p, "engine"),
            version=opt_str(p, "version"),
            size=req_str(p, "size"),
            num_nodes=req_int(p, "num_nodes"),
            region=req_str(p, "region"),
            status=opt_str(p, "status"),
            storage_size_mib=opt_int(p, "storage_size_mib"),
            private_network_uuid=opt_str(p, "private_network_uuid"),
            project_id=opt_str(p, "project_id"),
            tags=str_tuple(p, "tags"),
            db_names=str_tuple(p, "db_names"),
            host=_endpoint(p, "connection"),
            private_host=_endpoint(p, "private_connection"),
            rules=tuple(
                TrustedSource.from_payload(r, where=f"rules[{i}]")
                for i, r in enumerate(opt_list(p, "rules"))
            ),
            maintenance_day=opt_str(p, "maintenance_window.day"),
            maintenance_hour=opt_str(p, "maintenance_window.hour"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class DatabaseReplica:
    """A read-only replica of ``cluster_id`` (DO names it; the name is unique per cluster)."""

    cluster_id: str
    id: str | None
    name: str
    region: str | None
    size: str | None
    status: str | None
    private_network_uuid: str | None
    tags: tuple[str, ...]
    host: str | None
    storage_size_mib: int | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, cluster_id: str) -> DatabaseReplica:
        """Parse a ``replica`` object listed under ``cluster_id``."""
        return cls(
            cluster_id=cluster_id,
            id=opt_str(p, "id"),
            name=req_str(p, "name"),
            region=opt_str(p, "region"),
            size=opt_str(p, "size"),
            status=opt_str(p, "status"),
            private_network_uuid=opt_str(p, "private_network_uuid"),
            tags=str_tuple(p, "tags"),
            host=_endpoint(p, "connection"),
            storage_size_mib=opt_int(p, "storage_size_mib"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class ConnectionPool:
    """A PgBouncer connection pool of ``cluster_id`` (named; unique per cluster)."""

    cluster_id: str
    name: str
    mode: str
    size: int
    db: str
    user: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, cluster_id: str) -> ConnectionPool:
        """Parse a ``pool`` object listed under ``cluster_id``."""
        return cls(
            cluster_id=cluster_id,
            name=req_str(p, "name"),
            mode=req_str(p, "mode"),
            size=req_int(p, "size"),
            db=req_str(p, "db"),
            user=opt_str(p, "user"),
            raw=frozen(p),
        )

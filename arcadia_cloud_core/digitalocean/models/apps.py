"""App Platform: apps (``/v2/apps``) and their alerts (``/v2/apps/{id}/alerts``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arcadia_cloud_core.digitalocean.fields import (
    frozen,
    opt_bool,
    opt_datetime,
    opt_int,
    opt_list,
    opt_mapping,
    opt_str,
    req_id,
    req_str,
    str_tuple,
)
from arcadia_cloud_core.digitalocean.models._base import raw_field, region_slug

#: The component lists of an app spec.
COMPONENT_KEYS = ("services", "static_sites", "workers", "jobs", "functions", "databases")


@dataclass(frozen=True)
class AppComponent:
    """One component of an app's spec (a service, static site, worker, job…)."""

    type: str
    name: str
    instance_size_slug: str | None
    instance_count: int | None


@dataclass(frozen=True)
class App:
    """An App Platform app (``project_id`` only with ``?with_projects=true``)."""

    id: str
    name: str
    region: str | None
    tier_slug: str | None
    live_url: str | None
    default_ingress: str | None
    active_deployment_id: str | None
    active_deployment_phase: str | None
    components: tuple[AppComponent, ...]
    domains: tuple[str, ...]
    vpc_id: str | None
    project_id: str | None
    created_at: datetime | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> App:
        """Parse an ``app`` object."""
        spec = opt_mapping(p, "spec")
        deployment = opt_mapping(p, "active_deployment")
        components = tuple(
            AppComponent(
                type=key.rstrip("s"),
                name=req_str(c, "name"),
                instance_size_slug=opt_str(c, "instance_size_slug"),
                instance_count=opt_int(c, "instance_count"),
            )
            for key in COMPONENT_KEYS
            for c in opt_list(spec, key)
            if isinstance(c, Mapping)
        )
        return cls(
            id=req_id(p),
            name=req_str(spec, "name") if spec else req_str(p, "spec.name"),
            region=region_slug(p) or opt_str(spec, "region"),
            tier_slug=opt_str(p, "tier_slug") or opt_str(deployment, "tier_slug"),
            live_url=opt_str(p, "live_url"),
            default_ingress=opt_str(p, "default_ingress"),
            active_deployment_id=opt_str(deployment, "id"),
            active_deployment_phase=opt_str(deployment, "phase"),
            components=components,
            domains=tuple(
                str(d.get("domain"))
                for d in opt_list(spec, "domains")
                if isinstance(d, Mapping) and d.get("domain")
            ),
            vpc_id=opt_str(spec, "vpc.id"),
            project_id=opt_str(p, "project_id"),
            created_at=opt_datetime(p, "created_at"),
            raw=frozen(p),
        )


@dataclass(frozen=True)
class AppAlert:
    """An app's alert policy; ``app_id`` is the app it was listed under."""

    id: str
    app_id: str
    rule: str
    operator: str | None
    value: str | None  # the threshold as DO wrote it (a number: kept exact as text)
    window: str | None
    disabled: bool
    emails: tuple[str, ...]
    phase: str | None
    raw: Mapping[str, Any] = raw_field()

    @classmethod
    def from_payload(cls, p: Mapping[str, Any], *, app_id: str) -> AppAlert:
        """Parse an ``alert`` object listed under ``app_id``."""
        spec = opt_mapping(p, "spec")
        value = spec.get("value")
        return cls(
            id=req_id(p),
            app_id=app_id,
            rule=req_str(spec, "rule") if spec else req_str(p, "spec.rule"),
            operator=opt_str(spec, "operator"),
            value=None if value is None else str(value),
            window=opt_str(spec, "window"),
            disabled=opt_bool(spec, "disabled"),
            emails=str_tuple(p, "emails"),
            phase=opt_str(p, "phase"),
            raw=frozen(p),
        )

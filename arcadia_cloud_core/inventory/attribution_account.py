"""Attribution of the account-level kinds, which DO lists under no project (its URN pattern
has no kind for them): each inherits the one project of what it refers to, else the account's
default project (where DO itself puts what is assigned nowhere).

| kind | inherits from |
|---|---|
| reserved_ipv6 | its droplet |
| alert_policy | the droplets it watches (`entities`, and those carrying its `tags`) |
| tag | the droplets and volumes carrying it |
| custom_image | the droplets built from it, else the droplets sharing its tags |
| cdn_endpoint | its Spaces bucket, else the DNS zone of its custom domain |
| certificate | the CDN endpoints and load balancers using it, else the zones of its DNS names |
| uptime_check | the droplet whose address it probes, else the zone of its target's host |
| autoscale_pool | the project its droplet template names (`project_id`) |
| ssh_key, container_registry, container_repository, functions_namespace | (account-level) |

"The one project" means: all of them in the same project; spread over several, the kind falls
back to the default project too. Called by `attribution.attribute` inside its transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from arcadia_cloud_core.db.schema import PROVIDER
from arcadia_cloud_core.db.schema import cloud_projects as projects_t
from arcadia_cloud_core.db.schema import cloud_resources as resources_t

#: (cloud_projects.id, tenant)
Target = tuple[int, str | None]

ACCOUNT_KINDS = (
    "certificate",
    "cdn_endpoint",
    "container_registry",
    "container_repository",
    "ssh_key",
    "tag",
    "custom_image",
    "alert_policy",
    "uptime_check",
    "functions_namespace",
    "reserved_ipv6",
    "autoscale_pool",
)
#: Kinds whose (already attributed) rows the account-level kinds refer to.
SOURCE_KINDS = ("droplet", "volume", "dns_zone", "spaces_bucket", "load_balancer")


def _one(targets: Iterable[Target | None]) -> Target | None:
    found = {t for t in targets if t is not None}
    return found.pop() if len(found) == 1 else None


@dataclass
class _Index:
    """What the rules look up: attributed sources by id, tag, image, address, zone, bucket."""

    projects: Mapping[str, Target]
    droplets: dict[str, Target] = field(default_factory=dict)
    by_tag: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))
    by_image: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))
    by_address: dict[str, Target] = field(default_factory=dict)
    zones: dict[str, Target] = field(default_factory=dict)
    buckets: dict[str, Target] = field(default_factory=dict)
    by_certificate: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))

    def add_source(
        self, kind: str, provider_id: str, attrs: Mapping[str, Any], target: Target
    ) -> None:
        if kind in ("droplet", "volume"):
            for tag in attrs.get("tags") or []:
                self.by_tag[str(tag)].add(target)
        if kind == "droplet":
            self.droplets[provider_id] = target
            if attrs.get("image_id"):
                self.by_image[str(attrs["image_id"])].add(target)
            for key in ("public_ipv4", "public_ipv6"):
                if attrs.get(key):
                    self.by_address[str(attrs[key])] = target
        elif kind == "dns_zone":
            self.zones[provider_id.lower()] = target
        elif kind == "spaces_bucket":
            self.buckets[provider_id] = target
        elif kind == "load_balancer":
            for rule in attrs.get("forwarding_rules") or []:
                if rule.get("certificate_id"):
                    self.by_certificate[str(rule["certificate_id"])].add(target)

    def zone_of(self, host: str | None) -> Target | None:
        """The zone serving ``host`` (itself or its nearest parent domain)."""
        labels = (host or "").lower().rstrip(".").split(".")
        for i in range(len(labels) - 1):
            target = self.zones.get(".".join(labels[i:]))
            if target is not None:
                return target
        return None

    def tagged(self, tags: Iterable[str]) -> list[Target]:
        return [t for tag in tags for t in self.by_tag.get(str(tag), ())]


def _host(target: str) -> str:
    return (urlsplit(target).hostname if "//" in target else target.split("/")[0]) or target


Rule = Callable[[str, Mapping[str, Any], _Index], Target | None]
RULES: dict[str, Rule] = {
    "reserved_ipv6": lambda pid, a, ix: ix.droplets.get(str(a.get("droplet_id"))),
    "alert_policy": lambda pid, a, ix: _one(
        [ix.droplets.get(str(e)) for e in a.get("entities") or []] + ix.tagged(a.get("tags") or [])
    ),
    "tag": lambda pid, a, ix: _one(ix.by_tag.get(pid, ())),
    "custom_image": lambda pid, a, ix: (
        _one(ix.by_image.get(pid, ())) or _one(ix.tagged(a.get("tags") or []))
    ),
    "cdn_endpoint": lambda pid, a, ix: (
        ix.buckets.get(str(a.get("bucket"))) or ix.zone_of(a.get("custom_domain"))
    ),
    "certificate": lambda pid, a, ix: (
        _one(ix.by_certificate.get(pid, ()))
        or _one(ix.zone_of(name.lstrip("*.")) for name in a.get("dns_names") or [])
    ),
    "uptime_check": lambda pid, a, ix: (
        ix.by_address.get(_host(str(a.get("target") or "")))
        or ix.zone_of(_host(str(a.get("target") or "")))
    ),
    "autoscale_pool": lambda pid, a, ix: ix.projects.get(str(a.get("project_id"))),
}


def account_targets(connection: sa.Connection, targets: Mapping[int, Target]) -> dict[int, Target]:
    """The project (and tenant) of every live account-level row, given the sources' `targets`
    (row id → target) attribution found so far."""
    r, p = resources_t, projects_t
    projects = {
        row.provider_id: (row.id, row.tenant_id)
        for row in connection.execute(
            sa.select(p.c.provider_id, p.c.id, p.c.tenant_id, p.c.is_default).where(
                p.c.provider == PROVIDER, p.c.deleted_at.is_(None)
            )
        )
    }
    default = connection.execute(
        sa.select(p.c.id, p.c.tenant_id).where(
            p.c.provider == PROVIDER, p.c.is_default.is_(True), p.c.deleted_at.is_(None)
        )
    ).first()
    index = _Index(projects=projects)
    mine: list[Any] = []
    rows = connection.execute(
        sa.select(r.c.id, r.c.kind, r.c.provider_id, r.c.attrs).where(
            r.c.provider == PROVIDER,
            r.c.deleted_at.is_(None),
            r.c.kind.in_(SOURCE_KINDS + ACCOUNT_KINDS),
        )
    )
    for row in rows:
        if row.kind in ACCOUNT_KINDS:
            mine.append(row)
        elif row.id in targets:
            index.add_source(row.kind, row.provider_id, row.attrs or {}, targets[row.id])
    # CDN endpoints first: certificates inherit from the endpoints that use them.
    mine.sort(key=lambda row: row.kind != "cdn_endpoint")
    fallback = (default.id, default.tenant_id) if default is not None else None
    derived: dict[int, Target] = {}
    for row in mine:
        attrs = row.attrs or {}
        rule = RULES.get(row.kind)
        target = (rule(row.provider_id, attrs, index) if rule else None) or fallback
        if target is None:
            continue
        derived[row.id] = target
        if row.kind == "cdn_endpoint" and attrs.get("certificate_id"):
            index.by_certificate[str(attrs["certificate_id"])].add(target)
    return derived

"""Client models → `NormalizedResource` for the account-level kinds, one function each.

The same rules as `normalize`: `attrs` keeps each kind's stable, meaningful fields as plain JSON
(what attribution needs among them: droplet ids, tags, DNS names, origins, project ids), and
leaves out what moves on its own (utilisation, 30-day uptime, "usage updated at"). Secrets
never reach a model (a functions namespace's key is dropped on parsing).
"""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.models.account_kinds import (
    AlertPolicy,
    AutoscalePool,
    CdnEndpoint,
    Certificate,
    ContainerRegistry,
    ContainerRepository,
    CustomImage,
    FunctionsNamespace,
    ReservedIPv6,
    SSHKey,
    Tag,
    UptimeCheck,
)
from arcadia_cloud_core.inventory.model import NormalizedResource
from arcadia_cloud_core.inventory.normalize import _iso, _sorted


def certificate(c: Certificate) -> NormalizedResource:
    """A TLS certificate: its DNS names and expiry; status is DO's state."""
    return NormalizedResource(
        kind="certificate",
        provider_id=c.id,
        name=c.name,
        status=c.state,
        attrs={
            "type": c.type,
            "dns_names": _sorted(c.dns_names),
            "not_after": _iso(c.not_after),
            "sha1_fingerprint": c.sha1_fingerprint,
            "created_at": _iso(c.created_at),
        },
    )


def cdn_endpoint(e: CdnEndpoint) -> NormalizedResource:
    """A CDN endpoint: named by its custom domain (else its CDN host), in its bucket's region."""
    return NormalizedResource(
        kind="cdn_endpoint",
        provider_id=e.id,
        name=e.custom_domain or e.endpoint or e.origin,
        region=e.region,
        status="active",
        attrs={
            "origin": e.origin,
            "bucket": e.bucket,
            "endpoint": e.endpoint,
            "custom_domain": e.custom_domain,
            "certificate_id": e.certificate_id,
            "ttl": e.ttl,
            "created_at": _iso(e.created_at),
        },
    )


def container_registry(r: ContainerRegistry) -> NormalizedResource:
    """The container registry: its tier and the storage it uses (bytes)."""
    return NormalizedResource(
        kind="container_registry",
        provider_id=r.name,
        name=r.name,
        region=r.region,
        status="active",
        attrs={
            "storage_usage_bytes": r.storage_usage_bytes,
            "tier": r.tier,
            "included_storage_bytes": r.included_storage_bytes,
            "monthly_price_cents": r.monthly_price_cents,
            "created_at": _iso(r.created_at),
        },
    )


def container_repository(r: ContainerRepository) -> NormalizedResource:
    """A registry repository (`<registry>/<name>`): tags, manifests, latest manifest's size."""
    return NormalizedResource(
        kind="container_repository",
        provider_id=r.id,
        name=r.name,
        status="active",
        attrs={
            "registry": r.registry_name,
            "tag_count": r.tag_count,
            "manifest_count": r.manifest_count,
            "latest_tags": _sorted(r.latest_tags),
            "latest_digest": r.latest_digest,
            "latest_size_bytes": r.latest_size_bytes,
            "latest_compressed_size_bytes": r.latest_compressed_size_bytes,
            "updated_at": _iso(r.updated_at),
        },
    )


def ssh_key(k: SSHKey) -> NormalizedResource:
    """An SSH key: its fingerprint and key type (not the key itself)."""
    return NormalizedResource(
        kind="ssh_key",
        provider_id=k.id,
        name=k.name,
        status="active",
        attrs={"fingerprint": k.fingerprint, "key_type": k.key_type},
    )


def tag(t: Tag) -> NormalizedResource:
    """A tag (its name is its id) with how many resources of each type carry it."""
    return NormalizedResource(
        kind="tag",
        provider_id=t.name,
        name=t.name,
        status="active",
        attrs={"resource_count": t.resource_count, "counts": dict(sorted(t.counts.items()))},
    )


def custom_image(i: CustomImage) -> NormalizedResource:
    """A custom image: distribution, regions, size; status is DO's."""
    if i.type != "custom":
        raise ValueError(f"image {i.id} is a {i.type}, not a custom image")
    return NormalizedResource(
        kind="custom_image",
        provider_id=i.id,
        name=i.name,
        region=i.regions[0] if i.regions else None,
        status=i.status,
        attrs={
            "distribution": i.distribution,
            "regions": _sorted(i.regions),
            "min_disk_size": i.min_disk_size,
            "size_gigabytes": i.size_gigabytes,
            "description": i.description,
            "tags": _sorted(i.tags),
            "created_at": _iso(i.created_at),
        },
    )


def alert_policy(a: AlertPolicy) -> NormalizedResource:
    """A monitoring alert policy: metric, threshold, the droplets (ids, tags) it watches."""
    return NormalizedResource(
        kind="alert_policy",
        provider_id=a.uuid,
        name=a.description or a.type,
        status="enabled" if a.enabled else "disabled",
        attrs={
            "type": a.type,
            "compare": a.compare,
            "value": a.value,
            "window": a.window,
            "entities": _sorted(a.entities),
            "tags": _sorted(a.tags),
            "emails": _sorted(a.emails),
            "slack_channels": _sorted(a.slack_channels),
        },
    )


def uptime_check(c: UptimeCheck) -> NormalizedResource:
    """An uptime check; status is its state (`UP`, `DOWN`, `CHECKING`), per region in attrs."""
    state = c.state
    return NormalizedResource(
        kind="uptime_check",
        provider_id=c.id,
        name=c.name,
        status=state.status if state else None,
        attrs={
            "type": c.type,
            "target": c.target,
            "regions": _sorted(c.regions),
            "enabled": c.enabled,
            "region_status": dict(sorted(state.regions.items())) if state else {},
        },
    )


def functions_namespace(n: FunctionsNamespace) -> NormalizedResource:
    """A functions namespace (id `fn-…`), by its label."""
    return NormalizedResource(
        kind="functions_namespace",
        provider_id=n.namespace,
        name=n.label or n.namespace,
        region=n.region,
        status="active",
        attrs={"uuid": n.uuid, "api_host": n.api_host, "created_at": _iso(n.created_at)},
    )


def reserved_ipv6(r: ReservedIPv6) -> NormalizedResource:
    """A reserved IPv6 address (the address is its id); status says whether it is assigned."""
    return NormalizedResource(
        kind="reserved_ipv6",
        provider_id=r.ip,
        name=r.ip,
        region=r.region,
        status="assigned" if r.droplet_id else "unassigned",
        attrs={"droplet_id": r.droplet_id, "reserved_at": _iso(r.reserved_at)},
    )


def autoscale_pool(p: AutoscalePool) -> NormalizedResource:
    """A droplet autoscale pool: its template, its bounds and how many droplets it runs."""
    return NormalizedResource(
        kind="autoscale_pool",
        provider_id=p.id,
        name=p.name,
        region=p.region,
        status=p.status,
        attrs={
            "size": p.size,
            "image": p.image,
            "tags": _sorted(p.tags),
            "project_id": p.project_id,
            "vpc_uuid": p.vpc_uuid,
            "min_instances": p.min_instances,
            "max_instances": p.max_instances,
            "target_number_instances": p.target_number_instances,
            "target_cpu_utilization": p.target_cpu_utilization,
            "target_memory_utilization": p.target_memory_utilization,
            "cooldown_minutes": p.cooldown_minutes,
            "active_resources_count": p.active_resources_count,
            "created_at": _iso(p.created_at),
        },
    )

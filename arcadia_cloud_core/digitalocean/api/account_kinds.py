"""The account-level kinds: certificates, CDN endpoints, the container registry and its
repositories, SSH keys, tags, custom images, alert policies, uptime checks (with state),
functions namespaces, reserved IPv6 and droplet autoscale pools.

SSH keys and CDN endpoints have DO endpoint limits of their own; the transport paces them
(``pacing.DO_ENDPOINT_LIMITS``), so these listings need nothing special.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.errors import DONotFoundError
from arcadia_cloud_core.digitalocean.listing import Listing, SkippedItem
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
    UptimeState,
)
from arcadia_cloud_core.digitalocean.validation import slug, uuid_id

REGISTRY_PATH = "/v2/registry"
UPTIME_PATH = "/v2/uptime/checks"
logger = logging.getLogger(__name__)


def _skip(endpoint: str, ident: str, field: str, exc: ValueError) -> SkippedItem:
    logger.warning("DO %s: skipped item id=%s: field %r %s", endpoint, ident, field, exc)
    return SkippedItem(endpoint, ident, field, str(exc))


class AccountKindsAPI(APIBase):
    """Listings of the account-level kinds (each a complete inventory of its kind)."""

    def list_certificates(self) -> Listing[Certificate]:
        """``GET /v2/certificates``."""
        return self._list("/v2/certificates", "certificates", Certificate.from_payload)

    def list_cdn_endpoints(self) -> Listing[CdnEndpoint]:
        """``GET /v2/cdn/endpoints`` (paced to DO's 5 requests per 10 s)."""
        return self._list("/v2/cdn/endpoints", "endpoints", CdnEndpoint.from_payload)

    def list_ssh_keys(self) -> Listing[SSHKey]:
        """``GET /v2/account/keys`` (paced to DO's 10 requests per 60 s)."""
        return self._list("/v2/account/keys", "ssh_keys", SSHKey.from_payload)

    def list_tags(self) -> Listing[Tag]:
        """``GET /v2/tags`` (with each tag's resource counts)."""
        return self._list("/v2/tags", "tags", Tag.from_payload, id_field="name")

    def list_container_registries(self) -> Listing[ContainerRegistry]:
        """``GET /v2/registry``: the account's one registry, or none (DO answers 404)."""
        try:
            body = self._transport.call("GET", REGISTRY_PATH)
        except DONotFoundError:
            return Listing(items=(), requests=1, pages=1, total=0)
        registry = parse_object(
            body, "registry", ContainerRegistry.from_payload, method="GET", path=REGISTRY_PATH
        )
        return Listing(items=(registry,), requests=1, pages=1, total=1)

    def list_container_repositories(self) -> Listing[ContainerRepository]:
        """Every repository of every registry (``GET /v2/registry/{name}/repositoriesV2``)."""
        registries = self.list_container_registries()
        items: list[ContainerRepository] = []
        skipped, requests = list(registries.skipped), registries.requests
        for registry in registries:
            try:
                name = slug(registry.name, arg="registry_name")
            except ValueError as exc:  # never in a path: skipped by name, the rest listed
                skipped.append(_skip(REGISTRY_PATH, registry.name, "name", exc))
                continue
            listing = self._list(
                f"{REGISTRY_PATH}/{name}/repositoriesV2",
                "repositories",
                ContainerRepository.from_payload,
                id_field="name",
            )
            items += listing.items
            skipped += listing.skipped
            requests += listing.requests
        return Listing(
            items=tuple(items),
            skipped=tuple(skipped),
            requests=requests,
            pages=len(registries) + 1,
            total=len(items),
        )

    def list_custom_images(self) -> Listing[CustomImage]:
        """The account's custom images: ``GET /v2/images?private=true`` lists every image of
        the account (custom ones, snapshots, backups); those of type ``custom`` are kept.

        ``private=true`` narrows the list to the account, never within it, so the result is a
        complete inventory of custom images (not ``filtered``)."""
        listing = self._list(
            "/v2/images", "images", CustomImage.from_payload, params={"private": "true"}
        )
        custom = tuple(image for image in listing.items if image.type == "custom")
        return replace(listing, items=custom, filtered=False, total=len(custom))

    def list_alert_policies(self) -> Listing[AlertPolicy]:
        """``GET /v2/monitoring/alerts``."""
        return self._list(
            "/v2/monitoring/alerts", "policies", AlertPolicy.from_payload, id_field="uuid"
        )

    def get_uptime_state(self, check_id: str) -> UptimeState:
        """``GET /v2/uptime/checks/{id}/state``."""
        cid = uuid_id(check_id, arg="check_id")
        return self._get_one(f"{UPTIME_PATH}/{cid}/state", "state", UptimeState.from_payload)

    def list_uptime_checks(self) -> Listing[UptimeCheck]:
        """``GET /v2/uptime/checks``, then each check's state (DO has no bulk state endpoint:
        one request per check). A check deleted in between is left out (it is gone)."""
        listing = self._list(UPTIME_PATH, "checks", UptimeCheck.from_payload)
        checks: list[UptimeCheck] = []
        skipped = list(listing.skipped)
        requests = listing.requests
        for check in listing.items:
            try:
                cid = uuid_id(check.id, arg="check_id")
            except ValueError as exc:  # DO promises a UUID: skipped by id, the rest listed
                skipped.append(_skip(UPTIME_PATH, check.id, "id", exc))
                continue
            requests += 1
            try:
                checks.append(check.with_state(self.get_uptime_state(cid)))
            except DONotFoundError:
                continue
        return replace(listing, items=tuple(checks), skipped=tuple(skipped), requests=requests)

    def list_functions_namespaces(self) -> Listing[FunctionsNamespace]:
        """``GET /v2/functions/namespaces`` (their access keys are dropped on parsing)."""
        return self._list(
            "/v2/functions/namespaces",
            "namespaces",
            FunctionsNamespace.from_payload,
            id_field="namespace",
        )

    def list_reserved_ipv6(self) -> Listing[ReservedIPv6]:
        """``GET /v2/reserved_ipv6``."""
        return self._list(
            "/v2/reserved_ipv6", "reserved_ipv6s", ReservedIPv6.from_payload, id_field="ip"
        )

    def list_autoscale_pools(self) -> Listing[AutoscalePool]:
        """``GET /v2/droplets/autoscale``."""
        return self._list("/v2/droplets/autoscale", "autoscale_pools", AutoscalePool.from_payload)

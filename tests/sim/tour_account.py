"""The conformance tour's leg through the account-level kinds (certificates … autoscale pools):
every operation their modules serve, each response validated against the spec by ``Tour``."""

from __future__ import annotations

from typing import Any


def run_account_kinds_tour(tour: Any) -> None:
    """Exercise every operation of the account-level kind modules once (at least)."""
    c = tour.call
    certs = c("GET", "/v2/certificates", 200)["certificates"]
    c("GET", "/v2/certificates", 200, params={"name": certs[0]["name"]})
    c("GET", f"/v2/certificates/{certs[0]['id']}", 200)
    c("DELETE", f"/v2/certificates/{certs[-1]['id']}", 204)
    c("GET", "/v2/certificates/00000000-0000-4000-8000-000000000000", 404)

    endpoints = c("GET", "/v2/cdn/endpoints", 200)["endpoints"]
    c("GET", f"/v2/cdn/endpoints/{endpoints[0]['id']}", 200)
    c("DELETE", f"/v2/cdn/endpoints/{endpoints[-1]['id']}", 204)

    keys = c("GET", "/v2/account/keys", 200)["ssh_keys"]
    c("GET", f"/v2/account/keys/{keys[0]['id']}", 200)
    c("GET", f"/v2/account/keys/{keys[1]['fingerprint']}", 200)
    c("DELETE", f"/v2/account/keys/{keys[-1]['fingerprint']}", 204)
    c("GET", f"/v2/account/keys/{keys[-1]['id']}", 404)

    c("GET", "/v2/tags", 200)
    c("POST", "/v2/tags", 201, {"name": "tour-tag"})
    c("GET", "/v2/tags/acme", 200)
    c("DELETE", "/v2/tags/tour-tag", 204)

    registry = c("GET", "/v2/registry", 200)["registry"]
    c("GET", "/v2/registry/subscription", 200)
    c("GET", f"/v2/registry/{registry['name']}/repositoriesV2", 200, params={"per_page": 2})

    c("GET", "/v2/images", 200, params={"private": "true"})
    c("GET", "/v2/images", 200, params={"type": "distribution"})
    images = c("GET", "/v2/images", 200, params={"tag_name": "golden"})["images"]
    c("GET", f"/v2/images/{images[0]['id']}", 200)
    c("GET", "/v2/images/ubuntu-24-04-x64", 200)
    c("DELETE", f"/v2/images/{images[0]['id']}", 204)

    policies = c("GET", "/v2/monitoring/alerts", 200)["policies"]
    c("GET", f"/v2/monitoring/alerts/{policies[0]['uuid']}", 200)
    c("DELETE", f"/v2/monitoring/alerts/{policies[-1]['uuid']}", 204)

    checks = c("GET", "/v2/uptime/checks", 200)["checks"]
    c("GET", f"/v2/uptime/checks/{checks[0]['id']}", 200)
    c("GET", f"/v2/uptime/checks/{checks[0]['id']}/state", 200)
    c("DELETE", f"/v2/uptime/checks/{checks[-1]['id']}", 204)
    c("GET", f"/v2/uptime/checks/{checks[-1]['id']}/state", 404)

    namespaces = c("GET", "/v2/functions/namespaces", 200)["namespaces"]
    c("GET", f"/v2/functions/namespaces/{namespaces[0]['namespace']}", 200)
    c("DELETE", f"/v2/functions/namespaces/{namespaces[-1]['namespace']}", 204)

    ips = c("GET", "/v2/reserved_ipv6", 200)["reserved_ipv6s"]
    c("GET", f"/v2/reserved_ipv6/{ips[0]['ip']}", 200)
    c("DELETE", f"/v2/reserved_ipv6/{ips[-1]['ip']}", 204)

    pools = c("GET", "/v2/droplets/autoscale", 200)["autoscale_pools"]
    c("GET", f"/v2/droplets/autoscale/{pools[0]['id']}", 200)
    c("DELETE", f"/v2/droplets/autoscale/{pools[-1]['id']}", 202)

"""Firewalls and load balancers."""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Firewall, LoadBalancer
from arcadia_cloud_core.digitalocean.validation import uuid_id


class NetworkingAPI(APIBase):
    """``/v2/firewalls`` and ``/v2/load_balancers``."""

    def list_firewalls(self) -> Listing[Firewall]:
        """``GET /v2/firewalls``."""
        return self._list("/v2/firewalls", "firewalls", Firewall.from_payload)

    def get_firewall(self, firewall_id: str) -> Firewall:
        """``GET /v2/firewalls/{id}``."""
        fid = uuid_id(firewall_id, arg="firewall_id")
        return self._get_one(f"/v2/firewalls/{fid}", "firewall", Firewall.from_payload)

    def list_load_balancers(self) -> Listing[LoadBalancer]:
        """``GET /v2/load_balancers``."""
        return self._list("/v2/load_balancers", "load_balancers", LoadBalancer.from_payload)

    def get_load_balancer(self, lb_id: str) -> LoadBalancer:
        """``GET /v2/load_balancers/{id}``."""
        lid = uuid_id(lb_id, arg="lb_id")
        return self._get_one(
            f"/v2/load_balancers/{lid}", "load_balancer", LoadBalancer.from_payload
        )

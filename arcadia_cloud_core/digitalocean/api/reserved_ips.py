"""Reserved IPs and their old name, floating IPs (the IP address is the id)."""

from __future__ import annotations

import dataclasses
import logging
from functools import partial

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.errors import DONotFoundError
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Created, ReservedIP
from arcadia_cloud_core.digitalocean.models.compute import action_ids_from_links
from arcadia_cloud_core.digitalocean.validation import ipv4, numeric_id, slug, uuid_id

logger = logging.getLogger(__name__)


class ReservedIPsAPI(APIBase):
    """``/v2/reserved_ips`` and ``/v2/floating_ips``."""

    def list_reserved_ips(self) -> Listing[ReservedIP]:
        """``GET /v2/reserved_ips``."""
        parse = partial(ReservedIP.from_payload, source="reserved_ips")
        return self._list("/v2/reserved_ips", "reserved_ips", parse, id_field="ip")

    def list_floating_ips(self) -> Listing[ReservedIP]:
        """``GET /v2/floating_ips`` (same objects under the old name)."""
        parse = partial(ReservedIP.from_payload, source="floating_ips")
        return self._list("/v2/floating_ips", "floating_ips", parse, id_field="ip")

    def list_all_reserved_ips(self) -> Listing[ReservedIP]:
        """Reserved and floating IPs merged by address (the reserved_ips entry wins).

        ``sources`` of each merged entry names both endpoints when the address is on both.
        A 404 from ``/v2/floating_ips`` (the endpoint retired) leaves the reserved list as is.
        """
        reserved = self.list_reserved_ips()
        try:
            floating = self.list_floating_ips()
        except DONotFoundError:
            logger.info("DO /v2/floating_ips answered 404 (retired): using reserved_ips only")
            return reserved
        merged: dict[str, ReservedIP] = {ip.ip: ip for ip in reserved.items}
        for ip in floating.items:
            known = merged.get(ip.ip)
            if known is None:
                merged[ip.ip] = ip
            elif "floating_ips" not in known.sources:
                merged[ip.ip] = dataclasses.replace(known, sources=(*known.sources, "floating_ips"))
        return Listing(
            items=tuple(merged.values()),
            skipped=reserved.skipped + floating.skipped,
            requests=reserved.requests + floating.requests,
            pages=reserved.pages + floating.pages,
            filtered=False,
            total=len(merged),
        )

    def get_reserved_ip(self, ip: str) -> ReservedIP:
        """``GET /v2/reserved_ips/{ip}``."""
        address = ipv4(ip)
        return self._get_one(f"/v2/reserved_ips/{address}", "reserved_ip", ReservedIP.from_payload)

    def create_reserved_ip(
        self,
        *,
        region: str | None = None,
        droplet_id: int | str | None = None,
        project_id: str | None = None,
    ) -> Created[ReservedIP]:
        """Reserve an IP in ``region`` *or* assign a new one to ``droplet_id`` (202 + actions)."""
        if (region is None) == (droplet_id is None):
            raise ValueError("pass exactly one of region or droplet_id")
        body: dict[str, object] = {}
        if droplet_id is not None:
            body["droplet_id"] = int(numeric_id(droplet_id, arg="droplet_id"))
        else:
            body["region"] = slug(str(region), arg="region")
            if project_id is not None:
                body["project_id"] = uuid_id(project_id, arg="project_id")
        path = "/v2/reserved_ips"
        response = self._write("POST", path, body=body)
        created = parse_object(
            response, "reserved_ip", ReservedIP.from_payload, method="POST", path=path
        )
        action_ids = parse_object(response, None, action_ids_from_links, method="POST", path=path)
        return Created(resource=created, action_ids=action_ids)

    def delete_reserved_ip(self, ip: str, *, missing_ok: bool = False) -> bool:
        """``DELETE /v2/reserved_ips/{ip}``; False if already gone and ``missing_ok``."""
        address = ipv4(ip)
        return self._delete(f"/v2/reserved_ips/{address}", missing_ok=missing_ok)

"""Domains (DNS zones) and their records."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Domain, DomainRecord
from arcadia_cloud_core.digitalocean.validation import domain_name, numeric_id

RECORD_TYPES = frozenset({"A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"})


def _record_type(value: str) -> str:
    if value not in RECORD_TYPES:
        raise ValueError(f"invalid type: {value!r:.20} is not one of {sorted(RECORD_TYPES)}")
    return value


class DomainsAPI(APIBase):
    """``/v2/domains`` and ``/v2/domains/{name}/records``."""

    def list_domains(self) -> Listing[Domain]:
        """``GET /v2/domains``."""
        return self._list("/v2/domains", "domains", Domain.from_payload, id_field="name")

    def get_domain(self, name: str) -> Domain:
        """``GET /v2/domains/{name}`` (with the zone file)."""
        domain = domain_name(name, arg="name")
        return self._get_one(f"/v2/domains/{domain}", "domain", Domain.from_payload)

    def list_domain_records(
        self, domain: str, *, type: str | None = None, name: str | None = None
    ) -> Listing[DomainRecord]:
        """Records of ``domain``, optionally by ``type`` and by ``name`` (the FQDN)."""
        zone = domain_name(domain)
        params = {"type": _record_type(type) if type else None, "name": name}
        return self._list(
            f"/v2/domains/{zone}/records",
            "domain_records",
            partial(DomainRecord.from_payload, domain=zone),
            params=params,
        )

    def get_domain_record(self, domain: str, record_id: int | str) -> DomainRecord:
        """``GET /v2/domains/{name}/records/{id}``."""
        zone = domain_name(domain)
        rid = numeric_id(record_id, arg="record_id")
        return self._get_one(
            f"/v2/domains/{zone}/records/{rid}",
            "domain_record",
            partial(DomainRecord.from_payload, domain=zone),
        )

    def create_domain_record(
        self,
        domain: str,
        *,
        type: str,
        name: str,
        data: str,
        ttl: int | None = None,
        priority: int | None = None,
        port: int | None = None,
        weight: int | None = None,
        flags: int | None = None,
        tag: str | None = None,
    ) -> DomainRecord:
        """``POST /v2/domains/{name}/records`` (not retried on 5xx: it could duplicate)."""
        zone = domain_name(domain)
        body: dict[str, Any] = {"type": _record_type(type), "name": name, "data": data}
        optional = {
            "ttl": ttl,
            "priority": priority,
            "port": port,
            "weight": weight,
            "flags": flags,
            "tag": tag,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        path = f"/v2/domains/{zone}/records"
        response = self._write("POST", path, body=body)
        return parse_object(
            response,
            "domain_record",
            partial(DomainRecord.from_payload, domain=zone),
            method="POST",
            path=path,
        )

    def update_domain_record(
        self,
        domain: str,
        record_id: int | str,
        *,
        changes: Mapping[str, Any],
        partial_update: bool = True,
    ) -> DomainRecord:
        """PATCH (``partial_update``, default) or PUT the record with ``changes``."""
        zone = domain_name(domain)
        rid = numeric_id(record_id, arg="record_id")
        if "type" in changes:
            _record_type(str(changes["type"]))
        path = f"/v2/domains/{zone}/records/{rid}"
        method = "PATCH" if partial_update else "PUT"
        response = self._write(method, path, body=dict(changes))
        return parse_object(
            response,
            "domain_record",
            partial(DomainRecord.from_payload, domain=zone),
            method=method,
            path=path,
        )

    def delete_domain_record(
        self, domain: str, record_id: int | str, *, missing_ok: bool = False
    ) -> bool:
        """``DELETE /v2/domains/{name}/records/{id}``; False if already gone and ``missing_ok``."""
        zone = domain_name(domain)
        rid = numeric_id(record_id, arg="record_id")
        return self._delete(f"/v2/domains/{zone}/records/{rid}", missing_ok=missing_ok)

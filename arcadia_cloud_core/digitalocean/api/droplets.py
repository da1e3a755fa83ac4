"""Droplets, their actions, snapshots and backups; account-wide actions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from arcadia_cloud_core.digitalocean.api._base import APIBase, parse_object
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Action, Created, Droplet, Image
from arcadia_cloud_core.digitalocean.models.compute import action_ids_from_links
from arcadia_cloud_core.digitalocean.validation import numeric_id, slug

DROPLET_TYPES = frozenset({"droplets", "gpus"})
_ACTION_TYPE = re.compile(r"[a-z][a-z0-9_]{1,40}")


class DropletsAPI(APIBase):
    """``/v2/droplets`` and ``/v2/actions``."""

    def list_droplets(
        self, *, tag_name: str | None = None, name: str | None = None, type: str | None = None
    ) -> Listing[Droplet]:
        """All droplets, optionally filtered by ``tag_name`` *or* ``name``/``type``."""
        if tag_name is not None and (name is not None or type is not None):
            raise ValueError("tag_name cannot be combined with name or type (DO rejects it)")
        if type is not None and type not in DROPLET_TYPES:
            raise ValueError(f"invalid type: {type!r} is not one of {sorted(DROPLET_TYPES)}")
        params = {"tag_name": tag_name, "name": name, "type": type}
        return self._list("/v2/droplets", "droplets", Droplet.from_payload, params=params)

    def get_droplet(self, droplet_id: int | str) -> Droplet:
        """``GET /v2/droplets/{id}``."""
        did = numeric_id(droplet_id, arg="droplet_id")
        return self._get_one(f"/v2/droplets/{did}", "droplet", Droplet.from_payload)

    def create_droplet(
        self,
        *,
        name: str,
        region: str,
        size: str,
        image: str | int,
        tags: Sequence[str] = (),
        ssh_keys: Sequence[int | str] = (),
        backups: bool = False,
        ipv6: bool = False,
        monitoring: bool = False,
        user_data: str | None = None,
        vpc_uuid: str | None = None,
        volumes: Sequence[str] = (),
    ) -> Created[Droplet]:
        """``POST /v2/droplets`` → the new droplet (status ``new``) and its create action ids.

        Never retried on a timeout or 5xx (a retry could create a second droplet): look the
        droplet up by name before trying again.
        """
        body: dict[str, Any] = {
            "name": name,
            "region": slug(region, arg="region"),
            "size": slug(size, arg="size"),
            "image": image,
            "tags": list(tags),
            "ssh_keys": list(ssh_keys),
            "backups": backups,
            "ipv6": ipv6,
            "monitoring": monitoring,
        }
        if user_data is not None:
            body["user_data"] = user_data
        if vpc_uuid is not None:
            body["vpc_uuid"] = vpc_uuid
        if volumes:
            body["volumes"] = list(volumes)
        response = self._write("POST", "/v2/droplets", body=body)
        droplet = parse_object(
            response, "droplet", Droplet.from_payload, method="POST", path="/v2/droplets"
        )
        action_ids = parse_object(
            response, None, action_ids_from_links, method="POST", path="/v2/droplets"
        )
        return Created(resource=droplet, action_ids=action_ids)

    def delete_droplet(self, droplet_id: int | str, *, missing_ok: bool = False) -> bool:
        """``DELETE /v2/droplets/{id}``; False if already gone and ``missing_ok``."""
        did = numeric_id(droplet_id, arg="droplet_id")
        return self._delete(f"/v2/droplets/{did}", missing_ok=missing_ok)

    def list_droplet_snapshots(self, droplet_id: int | str) -> Listing[Image]:
        """``GET /v2/droplets/{id}/snapshots`` (int ids, ``type: snapshot``)."""
        did = numeric_id(droplet_id, arg="droplet_id")
        parse = partial(Image.from_payload, droplet_id=did, default_type="snapshot")
        return self._list(f"/v2/droplets/{did}/snapshots", "snapshots", parse)

    def list_droplet_backups(self, droplet_id: int | str) -> Listing[Image]:
        """``GET /v2/droplets/{id}/backups`` (``type: backup``)."""
        did = numeric_id(droplet_id, arg="droplet_id")
        parse = partial(Image.from_payload, droplet_id=did, default_type="backup")
        return self._list(f"/v2/droplets/{did}/backups", "backups", parse)

    def list_droplet_actions(self, droplet_id: int | str) -> Listing[Action]:
        """``GET /v2/droplets/{id}/actions``."""
        did = numeric_id(droplet_id, arg="droplet_id")
        return self._list(f"/v2/droplets/{did}/actions", "actions", Action.from_payload)

    def droplet_action(
        self,
        droplet_id: int | str,
        action_type: str,
        *,
        fields: Mapping[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Action:
        """``POST /v2/droplets/{id}/actions`` with ``{"type": action_type, **fields}``.

        Retried on 5xx/timeouts only when ``idempotent`` (the caller knows a repeat is
        harmless); a 429 is always retried.
        """
        did = numeric_id(droplet_id, arg="droplet_id")
        path = f"/v2/droplets/{did}/actions"
        if not _ACTION_TYPE.fullmatch(action_type):
            raise ValueError(f"invalid action_type: {action_type!r:.60}")
        body = {"type": action_type, **(fields or {})}
        response = self._write("POST", path, body=body, idempotent=idempotent)
        return parse_object(response, "action", Action.from_payload, method="POST", path=path)

    def snapshot_droplet(self, droplet_id: int | str, *, name: str) -> Action:
        """Start a snapshot of the droplet (track it with :meth:`get_action`)."""
        return self.droplet_action(droplet_id, "snapshot", fields={"name": name})

    def resize_droplet(self, droplet_id: int | str, *, size: str, disk: bool = False) -> Action:
        """Resize to ``size``; ``disk=True`` also grows the disk (cannot be undone)."""
        return self.droplet_action(
            droplet_id, "resize", fields={"size": slug(size, arg="size"), "disk": disk}
        )

    def power_off_droplet(self, droplet_id: int | str) -> Action:
        """Hard power-off (use when a graceful shutdown is not enough)."""
        return self.droplet_action(droplet_id, "power_off")

    def power_on_droplet(self, droplet_id: int | str) -> Action:
        """Power the droplet on."""
        return self.droplet_action(droplet_id, "power_on")

    def get_droplet_action(self, droplet_id: int | str, action_id: int | str) -> Action:
        """``GET /v2/droplets/{id}/actions/{action_id}``."""
        did = numeric_id(droplet_id, arg="droplet_id")
        aid = numeric_id(action_id, arg="action_id")
        return self._get_one(f"/v2/droplets/{did}/actions/{aid}", "action", Action.from_payload)

    def get_action(self, action_id: int | str) -> Action:
        """``GET /v2/actions/{id}``."""
        aid = numeric_id(action_id, arg="action_id")
        return self._get_one(f"/v2/actions/{aid}", "action", Action.from_payload)

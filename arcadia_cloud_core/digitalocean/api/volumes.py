"""``/v2/volumes`` (block storage)."""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Volume
from arcadia_cloud_core.digitalocean.validation import slug, uuid_id


class VolumesAPI(APIBase):
    """Block-storage volumes."""

    def list_volumes(
        self, *, name: str | None = None, region: str | None = None
    ) -> Listing[Volume]:
        """All volumes, optionally by ``name`` (and ``region``)."""
        params = {"name": name, "region": slug(region, arg="region") if region else None}
        return self._list("/v2/volumes", "volumes", Volume.from_payload, params=params)

    def get_volume(self, volume_id: str) -> Volume:
        """``GET /v2/volumes/{id}``."""
        vid = uuid_id(volume_id, arg="volume_id")
        return self._get_one(f"/v2/volumes/{vid}", "volume", Volume.from_payload)

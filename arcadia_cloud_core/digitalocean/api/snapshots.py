"""``/v2/snapshots`` (droplet and volume snapshots; string ids)."""

from __future__ import annotations

from arcadia_cloud_core.digitalocean.api._base import APIBase
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.models import Snapshot
from arcadia_cloud_core.digitalocean.validation import snapshot_id as valid_snapshot_id

SNAPSHOT_RESOURCE_TYPES = frozenset({"droplet", "volume"})


class SnapshotsAPI(APIBase):
    """Snapshots across droplets and volumes."""

    def list_snapshots(self, *, resource_type: str | None = None) -> Listing[Snapshot]:
        """All snapshots, or those of one ``resource_type`` (``droplet`` | ``volume``)."""
        if resource_type is not None and resource_type not in SNAPSHOT_RESOURCE_TYPES:
            raise ValueError(
                f"invalid resource_type: {resource_type!r:.40} is not droplet or volume"
            )
        return self._list(
            "/v2/snapshots",
            "snapshots",
            Snapshot.from_payload,
            params={"resource_type": resource_type},
        )

    def get_snapshot(self, snapshot_id: int | str) -> Snapshot:
        """``GET /v2/snapshots/{id}`` (an integer or a UUID)."""
        sid = valid_snapshot_id(snapshot_id)
        return self._get_one(f"/v2/snapshots/{sid}", "snapshot", Snapshot.from_payload)

    def delete_snapshot(self, snapshot_id: int | str, *, missing_ok: bool = False) -> bool:
        """``DELETE /v2/snapshots/{id}``; False if already gone and ``missing_ok``."""
        sid = valid_snapshot_id(snapshot_id)
        return self._delete(f"/v2/snapshots/{sid}", missing_ok=missing_ok)

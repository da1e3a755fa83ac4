"""Typed errors of the drift domain: each names the drift, resource or field a human acts on."""

from __future__ import annotations

from arcadia_cloud_core.errors import ArcadiaError


class DriftError(ArcadiaError):
    """Base of the drift domain's errors."""


class DriftNotFound(DriftError, LookupError):
    """No drift row matches the id (or the resource and field) asked for."""

    def __init__(
        self,
        *,
        drift_id: int | None = None,
        resource_id: int | None = None,
        field: str | None = None,
    ) -> None:
        self.drift_id = drift_id
        self.resource_id = resource_id
        self.field = field
        if drift_id is not None:
            message = f"drift {drift_id} does not exist"
        else:
            message = f"resource {resource_id} has no drift on field {field!r}"
        super().__init__(message)


class DriftAlreadyClosed(DriftError):
    """The drift exists but is no longer open (accepted, reverted or stale)."""

    def __init__(self, *, drift_id: int, status: str) -> None:
        self.drift_id = drift_id
        self.status = status
        super().__init__(f"drift {drift_id} is already closed (status {status!r})")


class InvalidSpec(DriftError, ValueError):
    """A desired-state spec that cannot be stored or compared (the message names the field)."""


class UnknownResource(DriftError, LookupError):
    """The resource id is not in `cloud_resources` (or has no provisioned spec)."""

    def __init__(self, resource_id: int, *, what: str = "resource") -> None:
        self.resource_id = resource_id
        super().__init__(f"{what} {resource_id} does not exist")

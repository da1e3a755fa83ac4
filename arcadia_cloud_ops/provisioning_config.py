"""Run config of the provisioning saga jobs: typed, documented, checked before any DO call.

Each field is checked by the core's validators (`arcadia_cloud_core.saga.steps.validation` and the
static slug `catalog`), attached to its type with `Annotated`, so an unknown region or size, a
bad droplet id, a malformed DNS name, a TTL outside 30..86400 or an unknown record type fails
when the first op reads its config — with the field named — before the saga starts or DO is
called. Ids are integers and names DNS labels: nothing here can reach a DO URL path unchecked.
No token: the DO client comes from the ``do_provisioning`` resource.

Each config names its ``saga_target`` (runs need the tag ``arcadia/saga_target=<target>``).
The steps normalise the values again (lower-case names, DO's trailing dots) from the inputs.
"""

# No `from __future__ import annotations`: Dagster and pydantic read these annotations at runtime.

from functools import partial
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from arcadia_cloud_core.saga.steps import catalog, validation
from arcadia_cloud_core.saga.steps.inputs import (
    DEFAULT_FIND_ATTEMPTS,
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_WAIT_TIMEOUT_SECONDS,
    SAGA_TAG_PREFIX,
)
from arcadia_cloud_ops.saga_jobs import SagaConfig

# Dagster's config schema takes these (checked with dagster 1.13.27): the Launchpad shows the
# plain type, default and description; pydantic reports a validator's ValueError on the field.
DropletName = Annotated[str, AfterValidator(validation.droplet_name)]
RegionSlug = Annotated[str, AfterValidator(catalog.check_region)]
SizeSlug = Annotated[str, AfterValidator(catalog.check_size)]
ImageSlug = Annotated[str, AfterValidator(catalog.check_image)]
UserTags = Annotated[
    list[str], AfterValidator(partial(validation.user_tags, reserved_prefix=SAGA_TAG_PREFIX))
]
DomainName = Annotated[str, AfterValidator(validation.domain)]
RecordType = Annotated[str, AfterValidator(validation.record_type)]
Ttl = Annotated[int, AfterValidator(validation.ttl)]


class ProvisioningConfig(SagaConfig):
    """Knobs every provisioning saga shares: how long its waits on DO may last."""

    wait_timeout_seconds: int = Field(
        default=int(DEFAULT_WAIT_TIMEOUT_SECONDS),
        ge=1,
        le=3600,
        description="Longest wait for one DO action or state change (e.g. droplet active).",
    )
    poll_interval_seconds: float = Field(
        default=DEFAULT_POLL_INTERVAL_SECONDS,
        ge=0.01,
        le=60,
        description="How often a wait asks DO again.",
    )


class ProvisionDropletConfig(ProvisioningConfig):
    """A droplet to create (tagged for the saga and as managed by arcadia-cloud)."""

    name: DropletName = Field(
        description="Droplet hostname, e.g. web-1 (letters, digits, '-', '.')."
    )
    region: RegionSlug = Field(
        default=catalog.DEFAULT_REGION, description="Region slug, e.g. nyc3."
    )
    size: SizeSlug = Field(default=catalog.DEFAULT_SIZE, description="Size slug, e.g. s-1vcpu-1gb.")
    image: ImageSlug = Field(
        default=catalog.DEFAULT_IMAGE,
        description="Image slug (e.g. ubuntu-24-04-x64) or a snapshot/custom image id.",
    )
    tags: UserTags = Field(
        default=[],
        description="Extra droplet tags (the saga adds arcadia-saga-<id> and "
        "managed-by-arcadia-cloud itself).",
    )
    backups: bool = Field(default=False, description="Enable DO's weekly backups.")
    monitoring: bool = Field(default=False, description="Install the DO monitoring agent.")

    def saga_target(self) -> str:
        """The droplet's name (it has no id yet)."""
        return self.name


class DropletTargetConfig(ProvisioningConfig):
    """A saga on an existing droplet, named by its id."""

    droplet_id: int = Field(ge=1, le=2**63 - 1, description="The droplet's DO id (a number).")

    def saga_target(self) -> str:
        """The droplet id."""
        return validation.droplet_id(self.droplet_id)


class SnapshotDropletConfig(DropletTargetConfig):
    """The droplet to snapshot (the snapshot is named arcadia-snap-<droplet>-<saga8>)."""

    snapshot_find_attempts: int = Field(
        default=DEFAULT_FIND_ATTEMPTS,
        ge=1,
        le=100,
        description="How many times (poll_interval_seconds apart) to look for the new snapshot: "
        "DO lists it only seconds after its action completed.",
    )


class DestroyDropletConfig(DropletTargetConfig):
    """The droplet to destroy (terminal: there is no undo)."""

    force: bool = Field(
        default=False,
        description="Destroy even a droplet without the managed-by-arcadia-cloud tag.",
    )


class RevertDriftConfig(DropletTargetConfig):
    """The drifted droplet whose size goes back to its provisioned spec."""

    drift_id: int | None = Field(
        default=None, ge=1, description="The drift to revert (default: the open size drift)."
    )


class DnsRecordConfig(ProvisioningConfig):
    """A DNS record of a DO-hosted zone, named relative to the zone."""

    domain: DomainName = Field(description="The zone, e.g. example.com.")
    type: RecordType = Field(description="Record type: A, AAAA, CNAME, MX, TXT, NS, SRV or CAA.")
    name: str = Field(description="Name relative to the zone: '@' for the apex, or e.g. www.")

    @model_validator(mode="after")
    def _record_name(self) -> "DnsRecordConfig":
        validation.record_name(self.name, zone=self.domain)
        return self

    def saga_target(self) -> str:
        """The zone (two sagas never change one zone at once)."""
        return self.domain


class UpsertDnsRecordConfig(DnsRecordConfig):
    """Ensure the (type, name) has this data and TTL (create, keep or update)."""

    data: str = Field(description="The value: an address, a hostname (CNAME/MX/NS/SRV), text.")
    ttl: Ttl = Field(default=1800, description="Time to live in seconds, 30..86400.")
    priority: int | None = Field(default=None, description="MX/SRV priority (required there).")
    port: int | None = Field(default=None, description="SRV port.")
    weight: int | None = Field(default=None, description="SRV weight.")
    flags: int | None = Field(default=None, description="CAA flags (0..255).")
    tag: str | None = Field(default=None, description="CAA tag: issue, issuewild or iodef.")

    @model_validator(mode="after")
    def _record(self) -> "UpsertDnsRecordConfig":
        validation.record_data(self.type, self.data)
        validation.record_extras(
            self.type,
            priority=self.priority,
            port=self.port,
            weight=self.weight,
            flags=self.flags,
            tag=self.tag,
        )
        return self


class DeleteDnsRecordConfig(DnsRecordConfig):
    """Delete the record with this data (or the only record of the type and name)."""

    data: str | None = Field(
        default=None, description="Which record to delete when several share the type and name."
    )

    @model_validator(mode="after")
    def _record(self) -> "DeleteDnsRecordConfig":
        if self.data is not None:
            validation.record_data(self.type, self.data)
        return self

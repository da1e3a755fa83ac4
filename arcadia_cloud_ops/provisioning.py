"""The provisioning saga jobs: each is a step list from the core plus its run config, built by the
one factory (`saga_jobs.build_saga_job`). No orchestration code here.

| job                 | what it does                                      | saga target tag |
|---------------------|---------------------------------------------------|-----------------|
| `provision_droplet` | create -> wait active -> register (inventory+spec) | droplet name    |
| `destroy_droplet`   | destroy a managed droplet (terminal)              | droplet id      |
| `snapshot_droplet`  | snapshot under arcadia-snap-<droplet>-<saga8>     | droplet id      |
| `upsert_dns_record` | ensure a record's data/ttl (create/keep/update)   | domain          |
| `delete_dns_record` | delete a record (undo recreates it)               | domain          |
| `revert_drift`      | resize a drifted droplet back to its spec         | droplet id      |

Every run must carry ``arcadia/saga_target=<target>`` (see `saga_jobs`): launch with
`launch_request` from code/sensors, ``--tags`` on the CLI, or "Edit tags" in the Launchpad.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import dagster as dg

from arcadia_cloud_core.saga import SagaDefinition
from arcadia_cloud_core.saga.steps import (
    delete_dns_record_saga,
    destroy_droplet_saga,
    provision_droplet_saga,
    revert_drift_saga,
    snapshot_droplet_saga,
    upsert_dns_record_saga,
)
from arcadia_cloud_ops.provisioning_config import (
    DeleteDnsRecordConfig,
    DestroyDropletConfig,
    ProvisionDropletConfig,
    RevertDriftConfig,
    SnapshotDropletConfig,
    UpsertDnsRecordConfig,
)
from arcadia_cloud_ops.saga_jobs import (
    TARGET_TAG,
    SagaConfig,
    build_saga_job,
    saga_run_request,
)

_TAG_NOTE = f"Launch with the run tag {TARGET_TAG}=<{{target}}> (Launchpad: Edit tags)."


@dataclass(frozen=True)
class ProvisioningJob:
    """One provisioning job: its saga, config class, Launchpad example and description."""

    saga: Callable[[], SagaDefinition]
    config_cls: type[SagaConfig]
    example: SagaConfig
    description: str
    target: str


PROVISIONING_JOBS: tuple[ProvisioningJob, ...] = (
    ProvisioningJob(
        provision_droplet_saga,
        ProvisionDropletConfig,
        ProvisionDropletConfig(name="web-1"),
        "Create a droplet (tagged arcadia-saga-<id> and managed-by-arcadia-cloud), wait until "
        "it is active, register it in the inventory with its desired spec. A failure rolls "
        "back (destroys the droplet, removes the rows).",
        "droplet name",
    ),
    ProvisioningJob(
        destroy_droplet_saga,
        DestroyDropletConfig,
        DestroyDropletConfig(droplet_id=123456789),
        "Destroy a droplet made by arcadia-cloud (force: true for others), confirm it is "
        "gone, mark it deleted in the inventory. Terminal: no undo.",
        "droplet id",
    ),
    ProvisioningJob(
        snapshot_droplet_saga,
        SnapshotDropletConfig,
        SnapshotDropletConfig(droplet_id=123456789),
        "Snapshot a droplet as arcadia-snap-<droplet>-<saga8> (waits for the action and the "
        "listing, bounded). A failure deletes the snapshot.",
        "droplet id",
    ),
    ProvisioningJob(
        upsert_dns_record_saga,
        UpsertDnsRecordConfig,
        UpsertDnsRecordConfig(domain="example.com", type="A", name="www", data="203.0.113.10"),
        "Ensure a DNS record has this data and TTL: create it, keep it, or update it (the "
        "prior record is stashed). A failure restores the zone.",
        "domain",
    ),
    ProvisioningJob(
        delete_dns_record_saga,
        DeleteDnsRecordConfig,
        DeleteDnsRecordConfig(domain="example.com", type="A", name="www", data="203.0.113.10"),
        "Delete a DNS record (stashed first). A failure recreates it.",
        "domain",
    ),
    ProvisioningJob(
        revert_drift_saga,
        RevertDriftConfig,
        RevertDriftConfig(droplet_id=123456789),
        "Revert a droplet's size drift: power off, resize back to the spec, power on, close the "
        "drift as reverted.",
        "droplet id",
    ),
)


def provisioning_sagas() -> tuple[SagaDefinition, ...]:
    """Every provisioning saga kind (for ``compensate_saga``)."""
    return tuple(job.saga() for job in PROVISIONING_JOBS)


def build_provisioning_jobs(
    sagas: Mapping[str, SagaDefinition] | None = None,
) -> list[dg.JobDefinition]:
    """The provisioning jobs (``sagas`` by kind overrides the step lists, e.g. in tests)."""
    jobs = []
    for spec in PROVISIONING_JOBS:
        saga = spec.saga()
        saga = (sagas or {}).get(saga.kind, saga)
        jobs.append(
            build_saga_job(
                saga,
                name=saga.kind,
                config_cls=spec.config_cls,
                example=spec.example,
                description=f"{spec.description} {_TAG_NOTE.format(target=spec.target)}",
                tags={"arcadia/provisioning": "true"},
            )
        )
    return jobs


def launch_request(config: SagaConfig, *, run_key: str | None = None) -> dg.RunRequest:
    """A `RunRequest` for the provisioning job of ``config`` with its target tag."""
    for spec in PROVISIONING_JOBS:
        if type(config) is spec.config_cls:
            saga = spec.saga()
            return saga_run_request(saga, config, run_key=run_key, job_name=saga.kind)
    raise TypeError(f"{type(config).__name__} is not a provisioning job's config")

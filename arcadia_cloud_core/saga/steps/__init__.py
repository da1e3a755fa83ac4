"""The DigitalOcean provisioning steps and the sagas made of them.

| saga                | steps                                                        |
|---------------------|--------------------------------------------------------------|
| `provision_droplet` | create_droplet -> wait_droplet_active -> register_droplet    |
| `destroy_droplet`   | destroy_droplet (terminal)                                   |
| `snapshot_droplet`  | create_droplet_snapshot                                      |
| `upsert_dns_record` | read_dns_records -> upsert_dns_record                        |
| `delete_dns_record` | read_dns_records -> delete_dns_record                        |
| `revert_drift`      | load_size_drift -> resize_to_spec -> close_drift             |

Steps read their inputs through `inputs` (checked again, naming the field), reach DO and the
database through the `services` bound by the caller, wait with bounded `waits`, and call
`testing.drills.drill_point(step, "after_action")` right after their write, for the crash tests.
"""

from arcadia_cloud_core.saga.steps.dns import delete_dns_record_saga, upsert_dns_record_saga
from arcadia_cloud_core.saga.steps.droplets import destroy_droplet_saga, provision_droplet_saga
from arcadia_cloud_core.saga.steps.names import MANAGED_TAG, saga8, saga_tag, snapshot_name
from arcadia_cloud_core.saga.steps.revert import revert_drift_saga
from arcadia_cloud_core.saga.steps.services import StepServices, bind_services, current_services
from arcadia_cloud_core.saga.steps.snapshot import snapshot_droplet_saga

__all__ = [
    "MANAGED_TAG",
    "StepServices",
    "bind_services",
    "current_services",
    "delete_dns_record_saga",
    "destroy_droplet_saga",
    "provision_droplet_saga",
    "revert_drift_saga",
    "saga8",
    "saga_tag",
    "snapshot_droplet_saga",
    "snapshot_name",
    "upsert_dns_record_saga",
]

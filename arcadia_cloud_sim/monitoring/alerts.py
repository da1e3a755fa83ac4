"""Monitoring alert policies (``/v2/monitoring/alerts``): metric thresholds on droplets
(``entities``: droplet ids, or ``tags``) that notify by email or Slack."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

from arcadia_cloud_sim.api.readonly import kind_routes
from arcadia_cloud_sim.api.seeding import SeedWorld
from arcadia_cloud_sim.store import NewResource

ALERT_POLICY = "alert_policy"
#: description, metric, compare, value, window, droplets, tags
_SEEDED = (
    ("acme web CPU above 80%", "v1/insights/droplet/cpu", "GreaterThan", 80.0, "5m",
     ["acme-web-1", "acme-web-2"], []),
    ("acme db disk above 85%", "v1/insights/droplet/disk_utilization_percent", "GreaterThan",
     85.0, "10m", ["acme-db-1"], []),
    ("globex memory above 90%", "v1/insights/droplet/memory_utilization_percent",
     "GreaterThan", 90.0, "30m", [], ["globex"]),
)


def new_policy_body(*, uuid: str, description: str, type: str, compare: str, value: float,
                    window: str, entities: list[str], tags: list[str],
                    emails: list[str], enabled: bool = True) -> dict[str, Any]:
    """The stored (and rendered) body of an alert policy."""
    return {"uuid": uuid, "type": type, "description": description, "compare": compare,
            "value": value, "window": window, "entities": entities, "tags": tags,
            "alerts": {"email": emails, "slack": []}, "enabled": enabled}


def seed_default(world: SeedWorld) -> list[NewResource]:
    """The ``default`` scenario's alert policies."""
    rows = []
    for description, metric, compare, value, window, droplets, tags in _SEEDED:
        body = new_policy_body(
            uuid=world.uuid(), description=description, type=metric, compare=compare,
            value=value, window=window, entities=[str(world.droplets[d]) for d in droplets],
            tags=tags, emails=["ops@arcadia-cloud.dev"])
        rows.append(NewResource(ALERT_POLICY, body["uuid"], body, world.at, name=description))
    return rows


def routes() -> list[BaseRoute]:
    """Alert policy routes."""
    return kind_routes("/v2/monitoring/alerts", ALERT_POLICY, plural="policies",
                       singular="policy", param="alert_uuid")

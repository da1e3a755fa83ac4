"""The set-based sweep agrees with the plain-Python definition (`check_resource`) on any fleet.

Hypothesis builds fleets whose specs and live rows share a small pool of values (so equal,
loosely equal, aliased and different pairs all occur), on both backends; the SQL prefilter must
never hide a drift the definition sees, nor report one it does not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import (
    cloud_drift,
    cloud_provisioned,
    cloud_resource_events,
    cloud_resources,
)
from arcadia_cloud_core.drift import check_resource, detect_all, record_provisioned

from .helpers import T0, add_resource, open_pairs

FIELDS = ("name", "region", "status", "size", "size.slug", "size_slug", "image", "tags", "a.b")
VALUES: tuple[Any, ...] = (
    None,
    1,
    "1",
    2.5,
    True,
    "s-1",
    "s-2",
    "ubuntu",
    155990111,
    "155990111",
    ["a", "b"],
    ["b", "a"],
    {"slug": "s-1"},
    {"id": 155990111, "slug": "ubuntu"},
    {"b": "1"},
)
values = st.sampled_from(VALUES)
attrs_trees = st.fixed_dictionaries(
    {},
    optional={
        "size": values,
        "size_slug": values,
        "image": values,
        "image_id": values,
        "tags": values,
        "a": values,
        "region": values,
        "status": values,
        "name": values,
    },
)
resources = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(("droplet", "volume", "reserved_ip", "dns_zone")),
        "name": st.sampled_from((None, "s-1", "ubuntu")),
        "region": st.sampled_from((None, "s-1", "nyc3")),
        "status": st.sampled_from((None, "1", "active")),
        "attrs": attrs_trees,
        "deleted": st.booleans(),
        "spec": st.dictionaries(st.sampled_from(FIELDS), values, max_size=4),
    }
)


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in (cloud_drift, cloud_resource_events, cloud_provisioned, cloud_resources):
            connection.execute(table.delete())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fleet=st.lists(resources, min_size=1, max_size=25))
def test_the_sweep_finds_exactly_the_defined_drift(engine: Engine, fleet: list[dict]) -> None:
    _clear(engine)
    with engine.begin() as connection:
        for resource in fleet:
            resource_id = add_resource(
                connection,
                kind=resource["kind"],
                name=resource["name"],
                region=resource["region"],
                status=resource["status"],
                attrs=resource["attrs"],
                deleted_at=T0 if resource["deleted"] else None,
            )
            record_provisioned(
                connection, resource_id=resource_id, spec=resource["spec"], saga_id="s"
            )

    result = detect_all(engine, now=T0)

    expected: dict[tuple[int, str], Any] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(cloud_resources, cloud_provisioned.c.spec).join(
                cloud_provisioned, cloud_provisioned.c.resource_id == cloud_resources.c.id
            )
        )
        for row in rows:
            live = row._asdict()
            for field, verdict in check_resource(live, live["spec"]).items():
                if not verdict.matches:
                    expected[(live["id"], field)] = (verdict.expected, verdict.actual)
    found = {key: (row["expected"], row["actual"]) for key, row in open_pairs(engine).items()}
    assert found == expected
    assert result.open == len(expected)
    assert detect_all(engine, now=T0).rows_written == 0

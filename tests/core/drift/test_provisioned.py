"""record_provisioned: one row per resource, versioned, and no write when nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.schema import cloud_provisioned
from arcadia_cloud_core.drift import InvalidSpec, UnknownResource, record_provisioned
from arcadia_cloud_core.drift.provisioned import normalise_spec

from .helpers import T0, add_resource, provisioned, table_counts

SPEC = {"size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "tags": ["a", "b"], "a.b": {"y": 1}}


def test_record_is_idempotent_and_versions_changes(engine: Engine) -> None:
    resource_id = add_resource(engine)

    first = record_provisioned(engine, resource_id=resource_id, spec=SPEC, saga_id="saga-1", now=T0)
    assert (first.spec_version, first.written) == (1, True)

    reordered = dict(reversed(list(SPEC.items())))
    same = record_provisioned(
        engine, resource_id=resource_id, spec=reordered, saga_id="saga-2", now=T0 + timedelta(1)
    )
    assert (same.spec_version, same.written) == (1, False)
    row = provisioned(engine, resource_id)
    assert (row["spec"], row["saga_id"], row["updated_at"]) == (SPEC, "saga-1", T0)

    changed = record_provisioned(
        engine,
        resource_id=resource_id,
        spec={**SPEC, "size": "s-2vcpu-2gb"},
        saga_id="saga-3",
        now=T0 + timedelta(2),
    )
    assert (changed.spec_version, changed.written) == (2, True)
    row = provisioned(engine, resource_id)
    assert (row["spec"]["size"], row["spec_version"], row["saga_id"]) == (
        "s-2vcpu-2gb",
        2,
        "saga-3",
    )
    assert (row["created_at"], row["updated_at"]) == (T0, T0 + timedelta(2))
    assert table_counts(engine)["cloud_provisioned"] == 1


def test_record_joins_the_callers_transaction(engine: Engine) -> None:
    resource_id = add_resource(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        record_provisioned(connection, resource_id=resource_id, spec=SPEC, saga_id="s", now=T0)
        transaction.rollback()
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(cloud_provisioned))
        assert count.scalar_one() == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"size..slug": "x"}, "size..slug"),
        ({"tags.0": "x"}, "tags.0"),
        ({"when": T0}, "not plain JSON"),
        ({"ratio": float("nan")}, "not plain JSON"),
        (["size"], "mapping"),
    ],
)
def test_invalid_specs_are_refused_before_any_query(spec: object, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        normalise_spec(spec)  # type: ignore[arg-type]
    never_connected = sa.create_engine("sqlite://")
    with pytest.raises(InvalidSpec, match=message):
        record_provisioned(never_connected, resource_id=1, spec=spec, saga_id="s")  # type: ignore[arg-type]


def test_normalised_specs_sort_keys_at_every_level() -> None:
    spec = normalise_spec({"b": {"z": 1, "a": [{"y": 2, "x": 1}]}, "a": (1, 2)})
    assert spec == {"a": [1, 2], "b": {"a": [{"x": 1, "y": 2}], "z": 1}}
    assert list(spec) == ["a", "b"]
    assert list(spec["b"]) == ["a", "z"]
    assert list(spec["b"]["a"][0]) == ["x", "y"]


def test_an_unknown_resource_is_refused(engine: Engine) -> None:
    with pytest.raises(UnknownResource, match="resource 424242 does not exist"):
        record_provisioned(engine, resource_id=424242, spec=SPEC, saga_id="s")
    assert table_counts(engine)["cloud_provisioned"] == 0

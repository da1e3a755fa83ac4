"""Matching stages on frames (no database): ids, live names, deleted names, snapshot fallbacks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from arcadia_cloud_core.billing.pipeline import prepare_invoice_lines
from arcadia_cloud_core.billing.sources import items_frame, resources_frame

from .helpers import APRIL, MAY, SAMPLE_LINES, Line, render_csv

GONE = datetime(2026, 4, 2, 5, 40, tzinfo=UTC)
LONG_GONE = datetime(2025, 1, 1, tzinfo=UTC)


def res(rid: int, kind: str, provider_id: str, name: str | None, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "kind": kind, "provider_id": provider_id, "name": name, **extra}


ESTATE = [
    res(1, "droplet", "101", "web-1", project_name="Acme", tenant_id="acme"),
    res(2, "droplet", "102", "old-db", deleted_at=GONE, project_name="Acme"),
    res(3, "snapshot", "201", "web-1-2026-04-01"),
    res(4, "snapshot", "202", "etl-1-2026-04-01"),
    res(5, "snapshot", "203", "platform-ci-1-golden"),
    res(6, "snapshot", "204", "warehouse-2026-04-15"),
    res(7, "volume", "vol-1", "data-1"),
    res(8, "reserved_ip", "203.0.113.7", None),
    res(9, "k8s_cluster", "k8s-1", "globex-doks"),
]


def match(lines: list[Line], estate: list[dict[str, Any]], items: Any = None) -> pd.DataFrame:
    frame = prepare_invoice_lines(
        render_csv(lines),
        invoice_uuid="u",
        resources=resources_frame(estate),
        items=None if items is None else items_frame(items),
    )
    return frame


def outcome(frame: pd.DataFrame) -> list[tuple[Any, Any, Any]]:
    return [
        (
            None if pd.isna(r) else int(r),
            m if isinstance(m, str) else None,
            u if isinstance(u, str) else None,
        )
        for r, m, u in zip(
            frame["resource_id"], frame["match_method"], frame["unmatched_reason"], strict=True
        )
    ]


def test_sample_invoice_by_name_alone() -> None:
    frame = match(list(SAMPLE_LINES), ESTATE)
    assert outcome(frame) == [
        (1, "name_live", None),  # web-1
        (2, "name_deleted", None),  # old-db, destroyed after the charge began
        (1, "name_live", None),  # web-1's backups → the droplet
        (3, "name_live", None),
        (4, "normalised_name", None),  # epoch suffix
        (5, "normalised_name", None),  # case and separators
        (6, "normalised_name", None),  # truncated "warehouse-2026..." → one snapshot
        (7, "name_live", None),
        (8, "name_live", None),  # reserved IP billed by address (its id)
        (9, "name_live", None),  # cluster by group_description
        (None, None, "no_resource"),  # an App Platform app this inventory does not hold
        (None, None, "no_resource"),  # ghost-1
        (None, None, "account_level"),  # Spaces subscription
        (None, None, "tax"),
    ]
    assert frame["kind"].tolist()[:3] == ["droplet", "droplet", "droplet_backup"]
    assert frame["parsed_name"].tolist()[8] == "203.0.113.7"


def test_ids_from_the_json_items_come_first() -> None:
    lines = [
        Line("Droplets", "web-1 (s-1vcpu-2gb)", 100),
        Line("Droplets", "renamed-since (s-1vcpu-2gb)", 200),
        Line("Volume Snapshots", "warehouse-2026... (65.00 GiB)", 300),
        Line("Droplets", "web-1 (s-1vcpu-2gb)", 100, start=datetime(2026, 4, 2, tzinfo=UTC)),
    ]
    items = [
        {
            "product": "Droplets",
            "description": "web-1 (s-1vcpu-2gb)",
            "amount_cents": 100,
            "start_time": APRIL,
            "end_time": MAY,
            "resource_id": "101",
            "resource_uuid": "x",
        },
        {
            "product": "Droplets",
            "description": "renamed-since (s-1vcpu-2gb)",
            "amount_cents": 200,
            "start_time": APRIL,
            "end_time": MAY,
            "resource_id": "102",
            "resource_uuid": None,
        },
        {
            "product": "Volume Snapshots",
            "description": "warehouse-2026... (65.00 GiB)",
            "amount_cents": 300,
            "start_time": APRIL,
            "end_time": MAY,
            "resource_id": None,
            "resource_uuid": "204",
        },
    ]
    estate = [*ESTATE, res(10, "snapshot", "205", "warehouse-2026-03-15")]
    assert outcome(match(lines, estate, items)) == [
        (1, "resource_id", None),
        (2, "resource_id", None),  # a deleted droplet, found by its id although renamed
        (6, "resource_id", None),  # the uuid settles what the truncated name cannot
        (1, "name_live", None),  # no item paired (different start): falls back to the name
    ]


def test_an_id_of_another_kind_never_matches() -> None:
    lines = [Line("Volumes", "mystery (1 GiB)", 5)]
    items = [
        {
            "product": "Volumes",
            "description": "mystery (1 GiB)",
            "amount_cents": 5,
            "start_time": APRIL,
            "end_time": MAY,
            "resource_id": "101",
            "resource_uuid": None,
        }
    ]
    assert outcome(match(lines, ESTATE, items)) == [(None, None, "no_resource")]


def test_deleted_resources_only_if_alive_when_the_charge_began() -> None:
    estate = [res(1, "droplet", "1", "db", deleted_at=LONG_GONE)]
    late = Line("Droplets", "db (s-1vcpu-1gb)", 5)
    assert outcome(match([late], estate)) == [(None, None, "no_resource")]
    early = Line(
        "Droplets",
        "db (s-1vcpu-1gb)",
        5,
        start=datetime(2024, 12, 1, tzinfo=UTC),
        end=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert outcome(match([early], estate)) == [(1, "name_deleted", None)]


def test_a_resource_named_by_its_id_is_one_candidate() -> None:
    """DO names reserved IPs and domains by their id: name and id are one key, not a tie."""
    estate = [
        res(1, "reserved_ip", "146.190.0.4", "146.190.0.4"),
        res(2, "dns_zone", "a.io", "a.io"),
    ]
    lines = [
        Line("Reserved IPs", "Unused Reserved IP - 146.190.0.4", 5),
        Line("Domains", "A.io", 5),
    ]
    assert outcome(match(lines, estate)) == [(1, "name_live", None), (2, "name_live", None)]


def test_live_wins_over_deleted_and_names_ignore_case() -> None:
    estate = [res(1, "droplet", "1", "Web-1", deleted_at=GONE), res(2, "droplet", "2", "WEB-1")]
    assert outcome(match([Line("Droplets", "web-1 (s)", 5)], estate)) == [(2, "name_live", None)]


def test_duplicate_names_are_settled_by_project_or_left_ambiguous() -> None:
    estate = [
        res(1, "droplet", "1", "web", project_name="Acme"),
        res(2, "droplet", "2", "web", project_name="Globex"),
        res(3, "droplet", "3", "api", project_name="Acme"),
        res(4, "droplet", "4", "api", project_name="Acme"),
    ]
    lines = [
        Line("Droplets", "web (s)", 1, project_name="globex"),
        Line("Droplets", "web (s)", 2),
        Line("Droplets", "api (s)", 3, project_name="Acme"),
    ]
    assert outcome(match(lines, estate)) == [
        (2, "name_live", None),
        (None, None, "ambiguous"),
        (None, None, "ambiguous"),
    ]


def test_an_ambiguous_live_name_is_not_resolved_among_deleted_ones() -> None:
    estate = [
        res(1, "droplet", "1", "web"),
        res(2, "droplet", "2", "web"),
        res(3, "droplet", "3", "web", deleted_at=GONE),
    ]
    assert outcome(match([Line("Droplets", "web (s)", 1)], estate)) == [(None, None, "ambiguous")]


def test_deleted_duplicates_narrowed_by_lifetime() -> None:
    estate = [
        res(1, "droplet", "1", "web", deleted_at=LONG_GONE),
        res(2, "droplet", "2", "web", deleted_at=GONE),
    ]
    assert outcome(match([Line("Droplets", "web (s)", 1)], estate)) == [(2, "name_deleted", None)]


@pytest.mark.parametrize(
    ("billed", "snapshots", "expected"),
    [
        ("Nightly Backup 7", ["nightly-backup-7"], (1, "normalised_name", None)),
        ("db-1-2026-04-01-1775012400", ["db-1-2026-04-01"], (1, "normalised_name", None)),
        ("globex-warehouse-2026...", ["globex-warehouse-2026-04-15"], (1, "normalised_name", None)),
        ("globex-warehouse-2026…", ["globex-warehouse-2026-04-15"], (1, "normalised_name", None)),
        (
            "globex-warehouse-2026...",
            ["globex-warehouse-2026-03-15", "globex-warehouse-2026-04-15"],
            (None, None, "ambiguous"),
        ),
        ("gl...", ["globex-warehouse-2026-04-15"], (None, None, "no_resource")),  # prefix too short
        ("db-1-2026-04-01-17750", ["db-1-2026-04-01"], (None, None, "no_resource")),  # not an epoch
        ("Nightly Backup 7", ["nightly-backup-7", "Nightly_Backup_7"], (None, None, "ambiguous")),
    ],
)
def test_snapshot_fallbacks(billed: str, snapshots: list[str], expected: tuple[Any, ...]) -> None:
    estate = [res(i + 1, "snapshot", str(100 + i), name) for i, name in enumerate(snapshots)]
    lines = [Line("Droplet Snapshots", f"{billed} (1.00 GiB)", 6)]
    assert outcome(match(lines, estate)) == [expected]


def test_fallbacks_never_cross_kinds() -> None:
    estate = [res(1, "volume", "v", "platform-ci-1-golden"), res(2, "droplet", "d", "db-1")]
    lines = [
        Line("Droplet Snapshots", "Platform CI-1 Golden (1 GiB)", 1),
        Line("Volumes", "Platform CI-1 Golden (1 GiB)", 1),
        Line("Droplet Snapshots", "db-1 (1 GiB)", 1),
    ]
    assert outcome(match(lines, estate)) == [
        (None, None, "no_resource"),
        (None, None, "no_resource"),  # exact names only outside snapshots
        (None, None, "no_resource"),
    ]


def test_no_resources_at_all() -> None:
    frame = match(list(SAMPLE_LINES), [])
    reasons = frame["unmatched_reason"].tolist()
    assert frame["resource_id"].isna().all()
    assert reasons.count("no_resource") == 12  # the app line too (#13: `app` is a kind)
    assert {"tax", "account_level"} <= set(reasons)


def test_label_columns_are_categoricals_that_behave_as_their_text() -> None:
    frame = match([*SAMPLE_LINES, *SAMPLE_LINES[:3]], ESTATE)
    for col in ("kind", "match_method", "unmatched_reason"):
        column = frame[col]
        text = pd.Series([v if isinstance(v, str) else None for v in column], dtype=object)
        assert isinstance(column.dtype, pd.CategoricalDtype)
        # only values some line has, sorted as astype("category") orders them
        assert column.cat.categories.tolist() == sorted(set(text.dropna()))
        assert column.value_counts().to_dict() == text.value_counts().to_dict()
        grouped = frame.groupby(col, observed=True)["amount_cents"].sum()
        assert grouped.to_dict() == frame.groupby(text)["amount_cents"].sum().to_dict()
    assert frame["match_method"].isna().sum() == frame["resource_id"].isna().sum()
    assert frame["parsed_name"].tolist()[0] == "web-1"


def test_app_database_and_doks_lines_match_the_platform_kinds() -> None:
    """#13: App Platform, managed database and DOKS lines land on the inventory's `app`,
    `managed_db` and `k8s_cluster` rows by name."""
    estate = [
        res(1, "app", "a-1", "acme-storefront"),
        res(2, "managed_db", "db-1", "globex-warehouse-pg"),
        res(3, "k8s_cluster", "k8s-1", "globex-doks"),
    ]
    lines = [
        Line("App Platform", "acme-storefront (Professional)", 2400, project_name="Acme"),
        Line("Managed Databases", "globex-warehouse-pg (db-s-2vcpu-4gb)", 12000),
        Line("Kubernetes Clusters", "5f3c9a1e", 4800, group_description="globex-doks"),
    ]
    frame = match(lines, estate)
    assert frame["kind"].tolist() == ["app", "managed_db", "k8s_cluster"]
    assert outcome(frame) == [
        (1, "name_live", None),
        (2, "name_live", None),
        (3, "name_live", None),
    ]

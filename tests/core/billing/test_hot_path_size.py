"""Issue 14's promise for the invoice pipeline: a newcomer reads it top to bottom (≤ 800 lines)."""

from __future__ import annotations

from tests.conftest import REPO

#: Parse + derive + match: every module `prepare_invoice_lines` runs.
HOT_PATH = ("columns", "money", "invoice_csv", "kinds", "names", "matching", "pipeline")


def test_the_invoice_pipeline_stays_within_800_lines() -> None:
    billing = REPO / "arcadia_cloud_core" / "billing"
    lines = {name: len((billing / f"{name}.py").read_text().splitlines()) for name in HOT_PATH}
    assert sum(lines.values()) <= 800, lines


def test_the_pipeline_imports_nothing_outside_the_hot_path_and_the_schema() -> None:
    """So the count above is the whole path: no helper module hides lines from it."""
    billing = REPO / "arcadia_cloud_core" / "billing"
    allowed = {f"arcadia_cloud_core.billing.{name}" for name in HOT_PATH}
    allowed |= {"arcadia_cloud_core.billing.errors", "arcadia_cloud_core.billing.sources"}
    allowed |= {"arcadia_cloud_core.db.schema"}
    for name in HOT_PATH:
        for line in (billing / f"{name}.py").read_text().splitlines():
            if line.startswith("from arcadia_cloud_core"):
                assert line.split()[1] in allowed, (name, line)

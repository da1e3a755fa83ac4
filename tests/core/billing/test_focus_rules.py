"""Our FOCUS export against the FinOps Foundation's FOCUS 1.2 rule model, and cost by tag."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import costs_by_tag_frame, focus_frame, write_focus_parquet
from arcadia_cloud_core.billing.focus_rules import (
    DO_CAPABILITIES,
    load_focus_model,
    validate_focus,
)

from .helpers import ACCOUNT, APRIL_UUID, SAMPLE_LINES


def test_the_shipped_model_is_the_foundations_1_2_model() -> None:
    model = load_focus_model()
    assert model.version == "1.2"
    assert len(model.rules) == 621
    assert {"USD", "EUR", "JPY"} <= model.currencies


def test_export_satisfies_every_applicable_rule(ingested: Engine, tmp_path: Path) -> None:
    frame = focus_frame(ingested, account=ACCOUNT)
    result = validate_focus(frame)
    assert result.errors == [] and result.warnings == []
    counts = result.counts()
    assert counts["pass"] >= 290 and "error" not in counts and "warning" not in counts
    assert result.result("CostAndUsage-D-000-M").status == "pass"  # the dataset's root rule
    model = load_focus_model()
    presence = [
        r
        for r in result.results
        if model.rules[r.rule_id]["Function"] == "Presence"
        and r.mandatory
        and set(model.rules[r.rule_id]["ApplicabilityCriteria"]) <= DO_CAPABILITIES
    ]
    assert len(presence) == 36 and all(r.status == "pass" for r in presence)
    # The Parquet file an operator hands to a FOCUS tool validates the same.
    path = write_focus_parquet(frame, tmp_path / "focus.parquet")
    assert validate_focus(pd.read_parquet(path)).ok


def _set(column: str, value: object, row: int = 0) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[column] = out[column].astype(object)
        out.loc[row, column] = value
        return out

    return change


@pytest.mark.parametrize(
    ("change", "rule_id"),
    [
        (lambda f: f.drop(columns=["BilledCost"]), "CostAndUsage-D-006-M"),
        (lambda f: f.drop(columns=["RegionId"]), "CostAndUsage-D-063-C"),
        (_set("ChargeCategory", "Refund"), "ChargeCategory-C-003-M"),
        (_set("BillingCurrency", "XBT"), "BillingCurrency-C-006-M"),
        (_set("Tags", '{"a": {"nested": 1}}'), "Tags-C-001-M"),
        (_set("Tags", '{"a": 1, "a": 2}'), "Tags-C-001-M"),
        (_set("ServiceSubcategory", "Block Storage"), "ServiceSubcategory-C-004-M"),
        (_set("ListUnitPrice", "0.5"), "ListUnitPrice-C-010-C"),
        (_set("ChargeFrequency", None), "ChargeFrequency-C-002-M"),
        (_set("SkuId", "Volumes", row=1), "SkuPriceId-C-008-M"),
        (
            lambda f: f.assign(ChargePeriodStart=f["ChargePeriodStart"].dt.tz_localize(None)),
            "ChargePeriodStart-C-002-M",
        ),
    ],
)
def test_a_broken_export_fails_the_rule_that_says_so(
    ingested: Engine, change: Callable[[pd.DataFrame], pd.DataFrame], rule_id: str
) -> None:
    frame = focus_frame(ingested, account=ACCOUNT, invoice_uuids=[APRIL_UUID])
    assert validate_focus(frame).ok
    result = validate_focus(change(frame))
    assert not result.ok
    failed = result.result(rule_id)
    assert failed.status == "fail" and failed.mandatory, failed
    assert rule_id in {r.rule_id for r in result.errors}


def test_row_rules_name_the_rows_that_fail(ingested: Engine) -> None:
    frame = focus_frame(ingested, account=ACCOUNT, invoice_uuids=[APRIL_UUID])
    frame["ChargeCategory"] = frame["ChargeCategory"].astype(object)
    frame.loc[[2, 5], "ChargeCategory"] = "Refund"
    failed = validate_focus(frame).result("ChargeCategory-C-003-M")
    assert failed.failing_rows == 2
    assert failed.example == repr({"ChargeCategory": "Refund"})


def test_capabilities_decide_which_rules_apply(ingested: Engine) -> None:
    frame = focus_frame(ingested, account=ACCOUNT).drop(columns=["Tags"])
    assert not validate_focus(frame).ok  # DO supports tags: the column must be there
    without_tags = validate_focus(frame, capabilities=DO_CAPABILITIES - {"TAGGING_SUPPORTED"})
    assert without_tags.ok
    assert without_tags.result("CostAndUsage-D-064-C").status == "not_applicable"


def test_tags_are_do_tags_as_true_plus_ours(ingested: Engine) -> None:
    frame = focus_frame(ingested, account=ACCOUNT, invoice_uuids=[APRIL_UUID])
    tags = {row.ChargeDescription: json.loads(row.Tags) for row in frame.itertuples()}
    assert tags["data-1 (100 GiB)"]["env:prod"] is True
    assert "web" not in tags["data-1 (100 GiB)"]
    assert {k for k in tags["GST (10%)"] if not k.startswith("arcadia:")} == set()


def test_cost_by_tag(ingested: Engine) -> None:
    frame = costs_by_tag_frame(ingested, months=["2026-04"])
    by_tag = dict(zip(frame["tag"], frame["amount_cents"], strict=True))
    web = {"web-1 (s-1vcpu-2gb)", "web-1 (Weekly Backup Services)"}
    web_cents = sum(line.amount_cents for line in SAMPLE_LINES if line.description in web)
    assert by_tag["web"] == web_cents == 1440  # web-1's usage and its backups
    assert by_tag["env:prod"] == web_cents + 1000  # web-1 and data-1
    april_total = sum(line.amount_cents for line in SAMPLE_LINES)
    assert by_tag[None] == april_total - by_tag["env:prod"]  # every other line, untagged
    assert set(costs_by_tag_frame(ingested)["month"]) == {"2026-03", "2026-04"}
    assert frame["amount_cents"].dtype == "int64"

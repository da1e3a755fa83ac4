"""The README's "What runs when" table says what the definitions do: every schedule and sensor of
both locations is in it, none that does not exist, each on the cadence the table gives."""

from __future__ import annotations

import re

import dagster as dg
import pytest

from arcadia_cloud_assets.definitions import defs as assets_defs
from arcadia_cloud_ops.definitions import defs as ops_defs
from tests.conftest import REPO

_NAME = re.compile(r"`(\w+_(?:schedule|sensor))`")


def _table() -> dict[str, str]:
    """Schedule or sensor name → the cadence its row gives (``hourly :20``, ``every 30 s``)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("**What runs when**", 1)[1].split("\n\n")[1]
    cadences: dict[str, str] = {}
    for row in block.splitlines()[2:]:  # after the header and its rule
        when, what = (cell.strip() for cell in row.strip().strip("|").split("|", 1))
        parts = [part.strip() for part in when.split("/")]
        unit = parts[0].split()[0]  # "hourly :20 / :33" → ":33" is hourly too
        parts = [part if not part.startswith(":") else f"{unit} {part}" for part in parts]
        names = _NAME.findall(what.split(":", 1)[0] if len(parts) == 1 else what)
        assert len(names) == len(parts), row
        cadences.update(zip(names, parts, strict=True))
    return cadences


def _cadence_of_cron(cron: str) -> str:
    minute, hour, *_ = cron.split()
    if minute.startswith("*/") and hour == "*":
        return f"every {minute[2:]} min"
    if hour == "*":
        return f"hourly :{int(minute):02d}"
    return f"daily {int(hour):02d}:{int(minute):02d}"


def _cadence_of_interval(seconds: int) -> str:
    return f"every {seconds} s" if seconds < 60 else f"every {seconds // 60} min"


def _automation() -> dict[str, str]:
    found: dict[str, str] = {}
    for defs in (assets_defs, ops_defs):
        repository = defs.get_repository_def()
        for schedule in repository.schedule_defs:
            assert schedule.execution_timezone == "UTC", schedule.name
            found[schedule.name] = _cadence_of_cron(str(schedule.cron_schedule))
        for sensor in repository.sensor_defs:
            assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name
            found[sensor.name] = _cadence_of_interval(sensor.minimum_interval_seconds or 30)
    return found


def test_the_table_names_every_schedule_and_sensor_and_no_other() -> None:
    assert set(_table()) == set(_automation())


@pytest.mark.parametrize("name", sorted(_automation()))
def test_each_runs_when_the_table_says(name: str) -> None:
    assert _table().get(name) == _automation()[name]


def _automation_table() -> dict[dg.AssetKey, str]:
    """Asset key → the condition label the README's "Declarative automation" table gives it
    (``inventory/*`` stands for every asset of the group)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("**Declarative automation**", 1)[1].split("\n\n")[1]
    keys = assets_defs.resolve_asset_graph().get_all_asset_keys()
    labels: dict[dg.AssetKey, str] = {}
    for row in block.splitlines()[2:]:
        assets, condition, _ = (cell.strip() for cell in row.strip().strip("|").split("|"))
        (label,) = re.findall(r"`([^`]+)`", condition)
        for name in re.findall(r"`([^`]+)`", assets):
            matched = [k for k in keys if k.to_user_string() == name] or [
                k for k in keys if name.endswith("/*") and k.path[0] == name[:-2]
            ]
            assert matched, f"{name} names no asset"
            labels.update(dict.fromkeys(matched, label))
    return labels


def test_the_automation_table_gives_each_asset_its_condition() -> None:
    graph = assets_defs.resolve_asset_graph()
    conditions = {
        key: graph.get(key).automation_condition.get_label()
        for key in graph.get_all_asset_keys()
        if graph.get(key).automation_condition is not None
    }
    assert _automation_table() == conditions

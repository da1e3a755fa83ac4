"""Month-end forecast and spend anomalies on daily series built here, day by day."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from arcadia_cloud_core.billing.anomalies import detect_anomalies, new_resource_costs
from arcadia_cloud_core.billing.forecast import forecast_month_end

APRIL = date(2026, 4, 1)


def series(amounts: list[int], *, start: date = APRIL, **group: str) -> pd.DataFrame:
    days = [start + timedelta(days=i) for i in range(len(amounts))]
    return pd.DataFrame({"day": days, "amount_cents": amounts, **group})


def test_a_steady_month_is_forecast_exactly_with_no_spread() -> None:
    out = forecast_month_end(series([1_000] * 10), as_of=date(2026, 4, 10)).iloc[0]
    assert (out.mtd_cents, out.run_rate_cents, out.forecast_cents) == (10_000, 1_000, 30_000)
    assert out.low_cents == out.high_cents == 30_000
    assert (out.days_observed, out.days_in_month) == (10, 30)


def test_the_last_day_forecasts_what_was_spent() -> None:
    amounts = list(np.random.default_rng(1).integers(500, 1_500, 30))
    out = forecast_month_end(series(amounts), as_of=date(2026, 4, 30)).iloc[0]
    assert out.forecast_cents == out.low_cents == out.high_cents == sum(amounts)


def test_a_resource_added_mid_month_moves_the_run_rate_within_a_week() -> None:
    amounts = [1_000] * 8 + [1_500] * 6  # +$5/day from the 9th
    out = forecast_month_end(series(amounts), as_of=date(2026, 4, 14)).iloc[0]
    assert out.run_rate_cents == 1_500
    assert out.forecast_cents == sum(amounts) + 16 * 1_500


def test_noisy_days_give_an_interval_that_holds_the_month() -> None:
    rng = np.random.default_rng(7)
    amounts = [int(a) for a in rng.normal(10_000, 800, 31).round()]
    out = forecast_month_end(series(amounts, start=date(2026, 5, 1)), as_of=date(2026, 5, 10))
    row = out.iloc[0]
    assert row.low_cents < row.forecast_cents < row.high_cents
    assert row.low_cents <= sum(amounts) <= row.high_cents
    assert abs(row.forecast_cents - sum(amounts)) / sum(amounts) < 0.05


def test_groups_other_months_and_missing_days() -> None:
    daily = pd.concat(
        [
            series([100] * 5, project_name="web"),
            series([7] * 3, project_name="db"),  # no line from the 4th: zero spend
            series([999_999], start=date(2026, 3, 31), project_name="web"),  # March
        ]
    )
    out = forecast_month_end(daily, as_of=date(2026, 4, 5), by=["project_name"])
    by_project = out.set_index("project_name")
    assert by_project.loc["web", "mtd_cents"] == 500
    assert by_project.loc["web", "forecast_cents"] == 3_000
    assert by_project.loc["db", "mtd_cents"] == 21
    assert by_project.loc["db", "run_rate_cents"] == 0  # not billed on the 5th: stopped
    assert by_project.loc["db", "forecast_cents"] == 21


def test_lines_that_stop_or_start_move_the_run_rate_at_once() -> None:
    daily = pd.concat(
        [
            series([500] * 12, description="old (s-1vcpu-1gb)"),  # deleted after the 12th
            series([300] * 20, description="web (s-1vcpu-1gb)"),
            series([200] * 2, start=date(2026, 4, 19), description="new (s-1vcpu-1gb)"),
        ]
    )
    out = forecast_month_end(daily, as_of=date(2026, 4, 20), line=["description"]).iloc[0]
    assert out.run_rate_cents == 500  # web and new: old stopped on the 12th
    assert out.forecast_cents == 12 * 500 + 20 * 300 + 2 * 200 + 10 * 500
    assert out.low_cents < out.forecast_cents < out.high_cents  # resources came and went
    whole = forecast_month_end(daily, as_of=date(2026, 4, 20)).iloc[0]
    assert whole.run_rate_cents == 300  # as one line: the median of the last 7 days' totals


def test_bad_series_are_refused_naming_what_is_wrong() -> None:
    with pytest.raises(ValueError, match=r"missing column.*project_name"):
        forecast_month_end(series([1]), as_of=APRIL, by=["project_name"])
    with pytest.raises(ValueError, match="whole cents"):
        forecast_month_end(series([1.5]), as_of=APRIL)  # type: ignore[list-item]


def _weekly(weeks: int, *, weekday: int = 1_000, weekend: int = 400) -> list[int]:
    """Monday-first weeks (April 2026 starts on a Wednesday: shift to start on a Monday)."""
    return [weekend if day % 7 >= 5 else weekday for day in range(weeks * 7)]


MONDAY = date(2026, 4, 6)


def test_weekday_seasonality_is_not_an_anomaly_and_a_spike_is() -> None:
    amounts = _weekly(8)
    amounts[40] += 2_000  # a Saturday? day 40 % 7 == 5: a weekend day
    found = detect_anomalies(series(amounts, start=MONDAY, project_name="p", kind="droplet"))
    assert found["day"].tolist() == [MONDAY + timedelta(days=40)]
    row = found.iloc[0]
    assert (row.amount_cents, row.baseline_cents, row.excess_cents) == (2_400, 400, 2_000)


def test_a_new_resource_explained_by_its_list_price_is_not_an_anomaly() -> None:
    amounts = [1_000] * 30 + [1_480] * 10
    daily = series(amounts, project_name="p", kind="droplet")
    assert len(detect_anomalies(daily)) > 0  # unexplained: the jump is flagged
    explained = pd.DataFrame(
        {"day": [APRIL + timedelta(days=30)], "project_name": ["p"], "kind": ["droplet"]}
    ).assign(explained_cents=[480])
    # Explained on its first day; from then on the 7-day median catches up within four days.
    found = detect_anomalies(daily, explained=explained)
    assert found.empty or found["day"].max() <= APRIL + timedelta(days=33)
    assert APRIL + timedelta(days=30) not in set(found["day"])


def test_new_resources_are_explained_by_their_own_cost_up_to_their_list_price() -> None:
    old = series([1_000] * 40, project_name="p", kind="droplet", resource_id=1)
    new = series([480] * 10, start=APRIL + timedelta(days=30), project_name="p", kind="droplet")
    daily = pd.concat([old, new.assign(resource_id=2)], ignore_index=True)
    assert len(detect_anomalies(daily)) > 0  # the new droplet's first days jump
    explained = new_resource_costs(daily)
    assert explained["explained_cents"].tolist() == [480] * 7  # its first week, not the old one's
    assert detect_anomalies(daily, explained=explained).empty
    # Billing 480 a day against a list price of 100 a day is still a jump.
    capped = new_resource_costs(daily, daily_list_cents={2: 100})
    assert capped["explained_cents"].tolist() == [100] * 7
    assert len(detect_anomalies(daily, explained=capped)) > 0
    with pytest.raises(ValueError, match="resource_id"):
        new_resource_costs(daily.drop(columns=["resource_id"]))


def test_a_lasting_new_level_stops_counting_after_four_days() -> None:
    amounts = [1_000] * 21 + [3_000] * 14
    found = detect_anomalies(series(amounts, project_name="p", kind="volume"))
    assert 1 <= len(found) <= 4
    assert found["day"].min() == APRIL + timedelta(days=21)


def test_injected_spikes_are_found_with_precision_and_recall_at_least_090() -> None:
    rng = np.random.default_rng(42)
    frames, injected = [], set()
    for group in range(40):
        base = int(rng.integers(200, 20_000))
        noise = rng.normal(0, base * 0.03, 60)
        weekend = np.array([0.7 if d % 7 >= 5 else 1.0 for d in range(60)])
        amounts = np.maximum(0, base * weekend + noise).round().astype(int)
        for day in rng.choice(np.arange(14, 60), size=2, replace=False):
            amounts[day] += int(base * rng.uniform(0.5, 2.0))
            injected.add((f"p{group}", MONDAY + timedelta(days=int(day))))
        frames.append(series(amounts.tolist(), start=MONDAY, project_name=f"p{group}", kind="x"))
    found = detect_anomalies(pd.concat(frames))
    flagged = set(zip(found["project_name"], found["day"], strict=True))
    precision = len(flagged & injected) / len(flagged)
    recall = len(flagged & injected) / len(injected)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_no_series_no_anomalies_and_bad_input_is_named() -> None:
    empty = pd.DataFrame({"day": [], "amount_cents": [], "project_name": [], "kind": []})
    assert detect_anomalies(empty).empty
    with pytest.raises(ValueError, match=r"missing column.*kind"):
        detect_anomalies(series([1], project_name="p"))

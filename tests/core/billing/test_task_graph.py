"""The task graph runner behind the invoice pipeline: order, results, errors, bad graphs."""

from __future__ import annotations

import threading
import time
from graphlib import CycleError

import pytest

from arcadia_cloud_core.billing.task_graph import Task, Timing, run_tasks


def test_each_task_gets_the_results_it_needs_in_order() -> None:
    done = run_tasks(
        [
            Task("a", lambda: 2),
            Task("b", lambda: 3),
            Task("c", lambda a, b: a * 10 + b, ("a", "b")),
            Task("d", lambda c, a: c - a, ("c", "a")),
        ]
    )
    assert done == {"a": 2, "b": 3, "c": 23, "d": 21}


def test_a_task_starts_only_after_what_it_needs_has_ended() -> None:
    timings: dict[str, Timing] = {}
    run_tasks(
        [
            Task("slow", lambda: time.sleep(0.05)),
            Task("fast", lambda: None),
            Task("after", lambda _slow, _fast: None, ("slow", "fast")),
        ],
        timings=timings,
    )
    assert timings["after"].started >= timings["slow"].ended
    assert timings["after"].started >= timings["fast"].ended


def test_two_threads_run_independent_tasks_at_once() -> None:
    both_running = threading.Barrier(2, timeout=5)  # deadlocks (and fails) if run one by one
    timings: dict[str, Timing] = {}
    run_tasks(
        [Task("x", both_running.wait), Task("y", both_running.wait)], threads=2, timings=timings
    )
    assert {timings["x"].thread, timings["y"].thread} == {"MainThread", "tasks-0"}


def test_among_ready_tasks_the_one_listed_first_goes_first() -> None:
    order: list[str] = []
    tasks = [Task(name, lambda name=name: order.append(name)) for name in "edcba"]
    run_tasks(tasks, threads=1)
    assert order == list("edcba")


def test_the_first_error_is_raised_and_stops_what_has_not_started() -> None:
    started: list[str] = []

    def fail() -> None:
        raise ValueError("bad amount on line 7")

    tasks = [
        Task("boom", fail),
        Task("later", lambda _: started.append("later"), ("boom",)),
        Task("other", lambda: started.append("other")),
    ]
    with pytest.raises(ValueError, match="bad amount on line 7"):
        run_tasks(tasks, threads=1)
    assert "later" not in started
    assert "other" not in started  # listed after the failing task, on the only thread


@pytest.mark.parametrize(
    ("tasks", "error", "message"),
    [
        ([Task("a", lambda b: b, ("b",)), Task("b", lambda a: a, ("a",))], CycleError, "cycle"),
        ([Task("a", lambda x: x, ("x",))], KeyError, "unknown task 'x'"),
        ([Task("a", lambda: 1), Task("a", lambda: 2)], ValueError, "unique"),
    ],
)
def test_a_bad_graph_is_refused_before_anything_runs(
    tasks: list[Task], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        run_tasks(tasks)

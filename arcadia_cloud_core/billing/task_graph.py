"""Run a small graph of dependent tasks on a few threads, each task as soon as it can run.

The invoice pipeline is a dozen steps of uneven and, on a shared host, unpredictable length
(pyarrow compute and numpy release the GIL). A fixed split of the steps between two threads
left one idle while the other finished a slow step; here each thread takes the next ready task,
the one listed first (list the critical path first).
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any


@dataclass(frozen=True)
class Timing:
    """When a task ran (``time.perf_counter`` seconds) and on which thread."""

    thread: str
    started: float
    ended: float


@dataclass(frozen=True)
class Task:
    """``run`` is called with the results of the tasks named in ``needs``, in that order."""

    name: str
    run: Callable[..., Any]
    needs: tuple[str, ...] = ()


def run_tasks(
    tasks: Sequence[Task], *, threads: int = 2, timings: dict[str, Timing] | None = None
) -> dict[str, Any]:
    """Run ``tasks`` on ``threads`` threads (the calling one included); their results by name.

    Among ready tasks the one listed first goes first. The first task to raise stops the rest
    (tasks already running finish) and its exception is raised here. A graph with a cycle or an
    unknown name in ``needs`` raises ``graphlib.CycleError`` / ``KeyError`` before anything runs.
    ``timings``, if given, receives when and on which thread each task ran.
    """
    by_name = {task.name: task for task in tasks}
    if len(by_name) != len(tasks):
        raise ValueError("task names must be unique")
    for task in tasks:
        for need in task.needs:
            if need not in by_name:
                raise KeyError(f"task {task.name!r} needs unknown task {need!r}")
    TopologicalSorter({t.name: t.needs for t in tasks}).prepare()  # raises on a cycle
    rank = {task.name: i for i, task in enumerate(tasks)}
    waiting = {task.name: set(task.needs) for task in tasks}
    users: dict[str, list[str]] = {task.name: [] for task in tasks}
    for task in tasks:
        for need in task.needs:
            users[need].append(task.name)
    ready = [(rank[name], name) for name, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    results: dict[str, Any] = {}
    failures: list[BaseException] = []
    left = len(tasks)
    changed = threading.Condition()

    def work() -> None:
        nonlocal left
        while True:
            with changed:
                while not ready and left and not failures:
                    changed.wait()
                if failures or not left:
                    return
                _, name = heapq.heappop(ready)
            task = by_name[name]
            started = time.perf_counter()
            try:
                value = task.run(*(results[need] for need in task.needs))
            except BaseException as exc:  # handed to the caller below
                with changed:
                    failures.append(exc)
                    changed.notify_all()
                return
            if timings is not None:
                thread = threading.current_thread().name
                timings[name] = Timing(thread, started, time.perf_counter())
            with changed:
                results[name] = value
                left -= 1
                for user in users[name]:
                    waiting[user].discard(name)
                    if not waiting[user]:
                        heapq.heappush(ready, (rank[user], user))
                changed.notify_all()

    helpers = [
        threading.Thread(target=work, name=f"tasks-{i}", daemon=True) for i in range(threads - 1)
    ]
    for helper in helpers:
        helper.start()
    try:
        work()
    finally:
        for helper in helpers:
            helper.join()
    if failures:
        raise failures[0]
    return results

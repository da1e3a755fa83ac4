"""Saga overhead: what the engine's journal and Dagster add to each step of a saga.

The 3-step ``saga_demo`` (echo steps, no DigitalOcean call) is measured three ways:
- bare: the step functions called in a loop (the work itself);
- journal: the engine alone (`SagaRunner.run`): journal writes, heartbeat thread, context save;
- ours: the Dagster job in process (``execute_in_process`` on one in-memory Dagster instance that
  outlives the runs, as a deployment's does) — one op per step, IO manager, hook, plus the journal.
"Per step" is a whole run's time (median of several) divided by its steps, so it carries the
per-run cost (run start/end events, entering and finishing the saga). Goal: ours ≤ 50 ms.
The app database is a fresh Postgres database (``--database sqlite``: the embedded default).
The issue's figure is the 3-step *provision* saga against the simulator; it replaces this one
when the provisioning steps land.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from _common import Timer, emit, fresh_postgres, print_table

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.saga import SagaRunner, SagaState, SagaStatus
from arcadia_cloud_core.saga.demo import demo_saga

GOAL_MS_PER_STEP = 50.0
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@contextmanager
def app_database(kind: str) -> Iterator[str]:
    """A throw-away app database URL of ``kind`` (postgres or sqlite)."""
    if kind == "postgres":
        with fresh_postgres("arcadia_bench_saga") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="arcadia-bench-saga-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'arcadia.db'}"


def per_step_ms(run_once: Callable[[], None], *, runs: int, steps: int, budget_s: float) -> float:
    """Median over ``runs`` (bounded by ``budget_s``) of one run's time, per step, in ms."""
    samples: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(samples) < runs and (not samples or time.monotonic() < deadline):
        with Timer() as timer:
            run_once()
        samples.append(timer.seconds * 1000 / steps)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--runs", type=int, default=15, help="saga runs per contender")
    args = parser.parse_args()
    saga = demo_saga()
    steps = len(saga.steps)

    # bare: the step functions alone
    state = SagaState(saga_id="bare", kind=saga.kind, inputs={}, context={}, step_idx=0)
    loops = 2000
    with Timer() as timer:
        for _ in range(loops):
            current = state
            for step in saga.steps:
                current = step.execute(current)
    bare = timer.seconds * 1000 / (loops * steps)

    with app_database(args.database) as url:
        os.environ[DATABASE_URL_SETTING] = url
        engine = open_database(url)
        from arcadia_cloud_core.resources import shared_resources
        from arcadia_cloud_ops.demo import build_saga_demo_job

        instance = dg.DagsterInstance.ephemeral()
        runner = SagaRunner(engine, saga)

        def engine_run() -> None:
            outcome = runner.run(f"bench-{uuid.uuid4()}", inputs={})
            assert outcome.status is SagaStatus.COMPLETED, outcome

        engine_run()  # warm-up
        journal = per_step_ms(engine_run, runs=args.runs * 2, steps=steps, budget_s=60) - bare

        job = dg.Definitions(
            jobs=[build_saga_demo_job(saga)], resources=shared_resources()
        ).get_job_def("saga_demo")

        def dagster_run() -> None:
            assert job.execute_in_process(run_config=QUIET, instance=instance).success

        dagster_run()  # warm-up
        ours = per_step_ms(dagster_run, runs=args.runs, steps=steps, budget_s=120)

    dagster = ours - journal - bare
    print_table(
        [
            ("per step (a 3-step run / 3)", "ms"),
            ("bare step functions", f"{bare:.4f}"),
            (f"engine journal ({args.database})", f"{journal:.2f}"),
            ("Dagster (op, IO manager, events)", f"{dagster:.2f}"),
            ("ours: saga_demo in process", f"{ours:.2f}"),
            ("goal", f"<= {GOAL_MS_PER_STEP:.0f}"),
        ]
    )
    emit(
        {
            "bench": "saga_overhead",
            "saga": "saga_demo",
            "steps": steps,
            "database": args.database,
            "ours_ms_per_step": round(ours, 2),
            "bare_ms_per_step": round(bare, 4),
            "journal_ms_per_step": round(journal, 2),
            "dagster_ms_per_step": round(dagster, 2),
            "goal_ms_per_step": GOAL_MS_PER_STEP,
            "meets_goal": ours <= GOAL_MS_PER_STEP,
        }
    )


if __name__ == "__main__":
    main()

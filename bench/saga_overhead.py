"""Saga overhead: what the engine's journal and Dagster add to each step of a saga.

Two sagas, each measured three ways on the same app database:

- ``provision_droplet`` (create -> wait active -> register) against the simulator with zero lags
  (the issue's figure): bare = the three step functions called in a loop with the same client
  and database (HTTP round trips and inventory writes included); journal = the engine alone
  (`SagaRunner.run`); ours = the Dagster job in process.
- ``saga_demo`` (3 echo steps, no DO call): the engine's and Dagster's cost with no work at all.

"ours" runs ``execute_in_process`` on one Dagster instance that outlives the runs, as a
deployment's does: one op per step, IO manager, failure hook, the journal. "Per step" is a whole
run's time (median of several) divided by its steps, so it carries the per-run cost (run start and
end events, entering and finishing the saga). The overhead is ours - bare; goal: <= 50 ms per
step. The app database is a fresh Postgres database (``--database sqlite``: the embedded default).
Wall time depends on what else the machine runs, so the fastest run and the CPU time of this
process (it leaves out the simulator's and Postgres's share) are printed too, with the load.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

import dagster as dg
from _common import UNLIMITED_RATE, Timer, emit, fresh_postgres, print_table
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.resources import DatabaseResource, DigitalOceanResource, shared_resources
from arcadia_cloud_core.saga import SagaDefinition, SagaRunner, SagaState, SagaStatus
from arcadia_cloud_core.saga.demo import demo_saga
from arcadia_cloud_core.saga.steps import StepServices, bind_services, provision_droplet_saga
from arcadia_cloud_sim.launcher import SimulatorHandle, running_simulator

GOAL_MS_PER_STEP = 50.0
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
TOKEN = "dop_v1_bench-saga-overhead"
ZERO_LAGS = (
    "--droplet-active-lag", "0", "--action-lag", "0",
    "--snapshot-list-lag", "0", "--snapshot-delete-linger", "0", "--latency-ms", "0",
)  # fmt: skip
UNPACED = {"requests_per_minute": 100_000_000, "requests_per_hour": 1_000_000_000}


@contextmanager
def app_database(kind: str) -> Iterator[str]:
    """A throw-away app database URL of ``kind`` (postgres or sqlite)."""
    if kind == "postgres":
        with fresh_postgres("arcadia_bench_saga") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="arcadia-bench-saga-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'arcadia.db'}"


#: CPU ms per step of this process, by contender (filled by `per_step_ms`): less sensitive than
#: wall time to other load on the machine (it leaves out the simulator's and Postgres's work).
CPU_MS: dict[str, float] = {}
#: The fastest run per step, by contender: the cost with the least interference.
BEST_MS: dict[str, float] = {}


def per_step_ms(
    run_once: Callable[[], None], *, runs: int, steps: int, budget_s: float, label: str
) -> float:
    """Median over ``runs`` (bounded by ``budget_s``) of one run's time, per step, in ms."""
    samples: list[float] = []
    cpu: list[float] = []
    deadline = time.monotonic() + budget_s
    while len(samples) < runs and (not samples or time.monotonic() < deadline):
        started = time.process_time()
        with Timer() as timer:
            run_once()
        cpu.append((time.process_time() - started) * 1000 / steps)
        samples.append(timer.seconds * 1000 / steps)
    CPU_MS[label] = statistics.median(cpu)
    BEST_MS[label] = min(samples)
    return statistics.median(samples)


def measure_demo(url: str, *, runs: int, instance: dg.DagsterInstance) -> dict[str, float]:
    """saga_demo: bare echo steps, the engine alone, the Dagster job (ms per step)."""
    from arcadia_cloud_ops.demo import build_saga_demo_job

    saga = demo_saga()
    steps = len(saga.steps)
    state = SagaState(saga_id="bare", kind=saga.kind, inputs={}, context={}, step_idx=0)
    loops = 2000
    with Timer() as timer:
        for _ in range(loops):
            current = state
            for step in saga.steps:
                current = step.execute(current)
    bare = timer.seconds * 1000 / (loops * steps)

    runner = SagaRunner(open_database(url), saga)

    def engine_run() -> None:
        outcome = runner.run(f"bench-{uuid.uuid4()}", inputs={})
        assert outcome.status is SagaStatus.COMPLETED, outcome

    engine_run()  # warm-up
    journal = (
        per_step_ms(engine_run, runs=runs * 2, steps=steps, budget_s=60, label="demo_engine") - bare
    )

    job = dg.Definitions(
        jobs=[build_saga_demo_job(saga)], resources=shared_resources()
    ).get_job_def("saga_demo")

    def dagster_run() -> None:
        assert job.execute_in_process(run_config=QUIET, instance=instance).success

    dagster_run()  # warm-up
    ours = per_step_ms(dagster_run, runs=runs, steps=steps, budget_s=120, label="demo_ours")
    return {"bare": bare, "journal": journal, "dagster": ours - journal - bare, "ours": ours}


def _provision_inputs(name: str) -> dict[str, Any]:
    return {"name": name, "wait_timeout_seconds": 30, "poll_interval_seconds": 0.05}


def measure_provision(
    url: str, sim: SimulatorHandle, *, runs: int, instance: dg.DagsterInstance
) -> dict[str, float]:
    """provision_droplet against the simulator: bare steps, engine, Dagster job (ms per step)."""
    from arcadia_cloud_ops.provisioning import build_provisioning_jobs, launch_request
    from arcadia_cloud_ops.provisioning_config import ProvisionDropletConfig

    saga: SagaDefinition = provision_droplet_saga()
    steps = len(saga.steps)
    engine: Engine = open_database(url)
    counter = iter(range(1_000_000))

    def name() -> str:
        return f"bench-{next(counter)}"

    with DOClient(token=TOKEN, base_url=sim.base_url, purpose="provisioning", **UNPACED) as do:

        def bare_run() -> None:
            state = SagaState(
                saga_id=str(uuid.uuid4()),
                kind=saga.kind,
                inputs=_provision_inputs(name()),
                context={},
                step_idx=0,
            )
            with bind_services(StepServices(engine=engine, do_client=do)):
                for idx, step in enumerate(saga.steps):
                    state = step.execute(replace(state, step_idx=idx))

        runner = SagaRunner(engine, saga)

        def engine_run() -> None:
            with bind_services(StepServices(engine=engine, do_client=do)):
                outcome = runner.run(str(uuid.uuid4()), inputs=_provision_inputs(name()))
            assert outcome.status is SagaStatus.COMPLETED, outcome.error

        bare_run()  # warm-up
        bare = per_step_ms(bare_run, runs=runs * 2, steps=steps, budget_s=60, label="bare")
        engine_run()
        with_journal = per_step_ms(
            engine_run, runs=runs * 2, steps=steps, budget_s=60, label="engine"
        )

    resources = {
        "database": DatabaseResource(url=url),
        "do_provisioning": DigitalOceanResource(
            purpose="provisioning", token=TOKEN, base_url=sim.base_url, **UNPACED
        ),
    }
    job = dg.Definitions(jobs=build_provisioning_jobs(), resources=resources).get_job_def(
        "provision_droplet"
    )

    def dagster_run() -> None:
        request = launch_request(ProvisionDropletConfig(**_provision_inputs(name())))
        result = job.execute_in_process(
            run_config={**request.run_config, **QUIET}, tags=request.tags, instance=instance
        )
        assert result.success

    dagster_run()  # warm-up
    ours = per_step_ms(dagster_run, runs=runs, steps=steps, budget_s=120, label="ours")
    journal = with_journal - bare
    return {"bare": bare, "journal": journal, "dagster": ours - with_journal, "ours": ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--runs", type=int, default=15, help="saga runs per contender")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="arcadia-bench-sim-") as tmp,
        running_simulator(
            state_path=Path(tmp) / "sim.db",
            scenario="empty",
            extra_args=[*ZERO_LAGS, *UNLIMITED_RATE],
        ) as sim,
        app_database(args.database) as url,
    ):
        os.environ[DATABASE_URL_SETTING] = url
        instance = dg.DagsterInstance.ephemeral()
        provision = measure_provision(url, sim, runs=args.runs, instance=instance)
        demo = measure_demo(url, runs=args.runs, instance=instance)

    overhead = provision["ours"] - provision["bare"]
    cpu_overhead = CPU_MS["ours"] - CPU_MS["bare"]
    best_overhead = BEST_MS["ours"] - BEST_MS["bare"]
    load = os.getloadavg()[0]
    print_table(
        [
            ("per step (a 3-step run / 3), ms", "provision_droplet", "saga_demo"),
            ("bare step functions", f"{provision['bare']:.2f}", f"{demo['bare']:.4f}"),
            (f"engine journal ({args.database})", f"{provision['journal']:.2f}",
             f"{demo['journal']:.2f}"),
            ("Dagster (op, IO manager, events)", f"{provision['dagster']:.2f}",
             f"{demo['dagster']:.2f}"),
            ("ours: the job in process", f"{provision['ours']:.2f}", f"{demo['ours']:.2f}"),
            ("overhead: ours - bare", f"{overhead:.2f}", f"{demo['ours'] - demo['bare']:.2f}"),
            ("goal (overhead)", f"<= {GOAL_MS_PER_STEP:.0f}", "-"),
            ("overhead, fastest runs", f"{best_overhead:.2f}",
             f"{BEST_MS['demo_ours'] - demo['bare']:.2f}"),
            ("overhead, CPU of this process", f"{cpu_overhead:.2f}",
             f"{CPU_MS['demo_ours']:.2f}"),
            ("load average (1 min) at the end", f"{load:.2f}", ""),
        ]
    )  # fmt: skip
    emit(
        {
            "bench": "saga_overhead",
            "database": args.database,
            "steps": 3,
            "provision_saga": "provision_droplet",
            "provision_bare_ms_per_step": round(provision["bare"], 2),
            "provision_journal_ms_per_step": round(provision["journal"], 2),
            "provision_dagster_ms_per_step": round(provision["dagster"], 2),
            "provision_ours_ms_per_step": round(provision["ours"], 2),
            "provision_overhead_ms_per_step": round(overhead, 2),
            "provision_overhead_cpu_ms_per_step": round(cpu_overhead, 2),
            "provision_overhead_best_ms_per_step": round(best_overhead, 2),
            "provision_bare_cpu_ms_per_step": round(CPU_MS["bare"], 2),
            "provision_ours_cpu_ms_per_step": round(CPU_MS["ours"], 2),
            "demo_saga": "saga_demo",
            "ours_ms_per_step": round(demo["ours"], 2),
            "bare_ms_per_step": round(demo["bare"], 4),
            "journal_ms_per_step": round(demo["journal"], 2),
            "dagster_ms_per_step": round(demo["dagster"], 2),
            "goal_ms_per_step": GOAL_MS_PER_STEP,
            "meets_goal": overhead <= GOAL_MS_PER_STEP,
            "load_average_1min": round(load, 2),
        }
    )


if __name__ == "__main__":
    main()

"""The whole deployment as real processes on loopback: simulator, dagster-webserver, dagster-daemon.

Dagster's storage is the repo's production ``dagster.yaml`` on a fresh Postgres database; the app
database is another fresh Postgres database; the DO and finance settings point at the simulator,
as ``scripts/dev.py`` sets them. Everything is torn down (terminate → kill) when the block exits,
and the processes' log tails are printed when something failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_sim.billing.finance import DEFAULT_SECRET
from arcadia_cloud_sim.launcher import SimulatorHandle, running_simulator
from tests.conftest import REPO, PostgresServer
from tests.e2e.processes import ManagedProcess, free_port, start_process, stop_processes

BIN = Path(sys.executable).parent
LOCATIONS = ("arcadia_cloud_assets", "arcadia_cloud_ops")
#: The token every process of the deployment presents to "DigitalOcean" (the simulator).
DEPLOYMENT_TOKEN = "dop_v1_e2e-deployment-token"
#: The only token the simulator accepts while the deployment's token is "wrong".
OTHER_TOKEN = "dop_v1_e2e-good-token"
FINANCE_SECRET = DEFAULT_SECRET
#: Short lags: droplets turn active and actions complete quickly, as in a fast DO region.
SHORT_LAGS = (
    "--droplet-active-lag", "0.5",
    "--action-lag", "0.5",
    "--snapshot-list-lag", "0.5",
    "--snapshot-delete-linger", "0.5",
)  # fmt: skip
#: Settings of the developer's shell that must not leak into the deployment under test.
SCRUBBED = (
    "DO_API_TOKEN",
    "DO_API_TOKEN_SYNC",
    "DO_API_TOKEN_BILLING",
    "DO_API_TOKEN_PROVISIONING",
    "DO_API_BASE_URL",
    "ARCADIA_DATABASE_URL",
    "ARCADIA_DAGSTER_PG_URL",
    "FINANCE_URL",
    "FINANCE_JWT_SECRET",
    "DAGSTER_HOME",
)
STARTUP_SECONDS = 120.0
POLL_SECONDS = 0.5

WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

DAEMON_QUERY = """
query Daemons {
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } }
}
"""


#: Deployments currently running (the conftest adds their log tails to a failed test's report).
ACTIVE: list[Deployment] = []


class DeploymentError(RuntimeError):
    """The deployment did not come up (the message carries every process's log tail)."""


@dataclass
class Deployment:
    """A running deployment; ``graphql_url`` is the webserver's API."""

    home: Path
    log_dir: Path
    env: dict[str, str]
    webserver_port: int
    sim_port: int
    sim_state: Path
    app_db_url: str
    dagster_db_url: str
    processes: list[ManagedProcess] = field(default_factory=list)
    sim: SimulatorHandle | None = None
    sim_accepts_deployment_token: bool = False
    _sim_stack: ExitStack = field(default_factory=ExitStack)

    @property
    def base_url(self) -> str:
        """The UI's root URL."""
        return f"http://127.0.0.1:{self.webserver_port}"

    @property
    def graphql_url(self) -> str:
        """Dagster's GraphQL endpoint."""
        return self.base_url + "/graphql"

    def app_engine(self) -> sa.Engine:
        """The app database, as the run workers see it."""
        return open_database(self.app_db_url)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a raw GraphQL query; returns ``data`` (raises on transport or GraphQL errors)."""
        response = httpx.post(
            self.graphql_url, json={"query": query, "variables": variables or {}}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def log_tails(self, lines: int = 40) -> str:
        """Every process's last lines, for a failure report."""
        parts = [
            f"--- {p.name} (exit {p.popen.poll()}) ---\n{p.log_tail(lines)}" for p in self.processes
        ]
        if self.sim is not None:
            parts.append(f"--- simulator ---\n{self.sim.log_tail(lines)}")
        return "\n".join(parts)

    def set_deployment_token_valid(self, valid: bool) -> None:
        """(Re)start the simulator on the same port and state, accepting the deployment's token
        or only another one — as if the token were issued or revoked at DigitalOcean."""
        if self.sim is not None and self.sim_accepts_deployment_token == valid:
            return
        self._sim_stack.close()
        self._sim_stack = ExitStack()
        tokens = DEPLOYMENT_TOKEN if valid else OTHER_TOKEN
        self.sim = self._sim_stack.enter_context(
            running_simulator(
                state_path=self.sim_state,
                scenario="default",
                port=self.sim_port,
                extra_args=(*SHORT_LAGS, "--tokens", tokens),
            )
        )
        self.sim_accepts_deployment_token = valid

    def stop(self) -> None:
        """Stop the webserver, the daemon (with their code servers and run workers), the sim."""
        try:
            stop_processes(self.processes)
        finally:
            self._sim_stack.close()
            self.sim = None


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    interval: float = POLL_SECONDS,
    on_timeout: Callable[[], str] | None = None,
) -> Any:
    """Poll ``condition`` until it returns something truthy; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (httpx.HTTPError, AssertionError) as exc:
            last_error, value = exc, None
        if value:
            return value
        time.sleep(interval)
    detail = f" (last error: {last_error})" if last_error else ""
    extra = f"\n{on_timeout()}" if on_timeout else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}{extra}")


def _deployment_env(
    *, home: Path, app_db_url: str, dagster_db_url: str, sim_url: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        DAGSTER_HOME=str(home),
        ARCADIA_DAGSTER_PG_URL=dagster_db_url,
        ARCADIA_DATABASE_URL=app_db_url,
        DO_API_TOKEN=DEPLOYMENT_TOKEN,
        DO_API_BASE_URL=sim_url,
        FINANCE_URL=sim_url,
        FINANCE_JWT_SECRET=FINANCE_SECRET,
        PYTHONUNBUFFERED="1",
        ARCADIA_BOOTSTRAP="0",  # every run here is launched by the tests
    )
    return env


def _locations_loaded(deployment: Deployment) -> bool:
    for process in deployment.processes:
        if not process.alive():
            raise DeploymentError(f"{process.name} exited early:\n{deployment.log_tails()}")
    data = deployment.graphql(WORKSPACE_QUERY)["workspaceOrError"]
    if data["__typename"] != "Workspace":
        return False
    entries = {entry["name"]: entry for entry in data["locationEntries"]}
    for name in LOCATIONS:
        entry = entries.get(name)
        if entry is None or entry["loadStatus"] != "LOADED":
            return False
        location = entry["locationOrLoadError"]
        if location and location["__typename"] == "PythonError":
            raise DeploymentError(f"code location {name} failed to load: {location['message']}")
    return True


def _daemon_healthy(deployment: Deployment) -> bool:
    statuses = deployment.graphql(DAEMON_QUERY)["instance"]["daemonHealth"]["allDaemonStatuses"]
    needed = {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"}
    return needed <= {s["daemonType"] for s in statuses if s["required"] and s["healthy"]}


def _migrate_dagster_storage(env: dict[str, str], cwd: Path) -> None:
    """Create Dagster's Postgres schema once, before two processes race to do it."""
    result = subprocess.run(
        [str(BIN / "dagster"), "instance", "migrate"],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise DeploymentError(f"dagster instance migrate failed:\n{result.stderr[-4000:]}")


@contextmanager
def running_deployment(
    *, postgres_server: PostgresServer, workdir: Path, deployment_token_valid: bool = True
) -> Iterator[Deployment]:
    """Start the simulator, then dagster-webserver and dagster-daemon on one fresh instance."""
    home, log_dir = workdir / "dagster_home", workdir / "logs"
    home.mkdir(parents=True)
    log_dir.mkdir()
    # The production config, verbatim.
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    dagster_db = postgres_server.create_database("arcadia_e2e_dagster").set(drivername="postgresql")
    app_db = postgres_server.create_database("arcadia_e2e_app")
    sim_port = free_port()
    deployment = Deployment(
        home=home,
        log_dir=log_dir,
        env=_deployment_env(
            home=home,
            app_db_url=app_db.render_as_string(hide_password=False),
            dagster_db_url=dagster_db.render_as_string(hide_password=False),
            sim_url=f"http://127.0.0.1:{sim_port}",
        ),
        webserver_port=free_port(),
        sim_port=sim_port,
        sim_state=workdir / "simulator.db",
        app_db_url=app_db.render_as_string(hide_password=False),
        dagster_db_url=dagster_db.render_as_string(hide_password=False),
    )
    failed = True
    try:
        deployment.set_deployment_token_valid(deployment_token_valid)
        deployment.app_engine()  # migrate the app schema up front, as `make dev` does
        _migrate_dagster_storage(deployment.env, REPO)
        workspace = str(REPO / "workspace.yaml")
        deployment.processes.append(start_process(
            "webserver",
            [str(BIN / "dagster-webserver"), "-w", workspace, "-h", "127.0.0.1",
             "-p", str(deployment.webserver_port)],
            env=deployment.env, cwd=REPO, log_dir=log_dir,
        ))  # fmt: skip
        deployment.processes.append(start_process(
            "daemon",
            [str(BIN / "dagster-daemon"), "run", "-w", workspace],
            env=deployment.env, cwd=REPO, log_dir=log_dir,
        ))  # fmt: skip
        wait_until(
            lambda: _locations_loaded(deployment),
            timeout=STARTUP_SECONDS,
            what="the webserver and both code locations",
            on_timeout=deployment.log_tails,
        )
        wait_until(
            lambda: _daemon_healthy(deployment),
            timeout=STARTUP_SECONDS,
            what="the daemon's scheduler, sensor and run-queue daemons",
            on_timeout=deployment.log_tails,
        )
        ACTIVE.append(deployment)
        yield deployment
        failed = False
    finally:
        if deployment in ACTIVE:
            ACTIVE.remove(deployment)
        if failed:
            print(f"\n=== e2e deployment logs ===\n{deployment.log_tails()}", file=sys.stderr)
        deployment.stop()

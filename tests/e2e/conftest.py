"""End-to-end fixtures: one real deployment per module, and the ``browser`` marker.

Tests marked ``browser`` need Chromium; they run only when selected explicitly
(``pytest -m browser tests/e2e``, i.e. ``make e2e``), so a plain ``make test`` never needs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arcadia_cloud_sim.launcher import SimAdmin
from tests.conftest import PostgresServer
from tests.e2e import deployment as e2e
from tests.e2e.dagster_api import DagsterAPI
from tests.e2e.deployment import Deployment, running_deployment

BROWSER = "browser"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{BROWSER}: drives the UI in headless Chromium (run with `make e2e`)"
    )
    # dagster-graphql's client calls gql the pre-4.0 way; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:gql.*")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect browser tests unless the marker expression names them."""
    if BROWSER in (config.option.markexpr or ""):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(BROWSER) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Attach the deployment's process logs to a failed test's report."""
    report: pytest.TestReport = yield
    if report.failed:
        for running in e2e.ACTIVE:
            report.sections.append(("e2e process logs", running.log_tails()))
    return report


@pytest.fixture(scope="module")
def deployment(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """Simulator + dagster-webserver + dagster-daemon on fresh Postgres databases."""
    workdir = tmp_path_factory.mktemp("e2e")
    with running_deployment(postgres_server=postgres_server, workdir=workdir) as running:
        yield running


@pytest.fixture(scope="module")
def api(deployment: Deployment) -> DagsterAPI:
    """The deployment's Dagster API."""
    return DagsterAPI(deployment)


@pytest.fixture
def deployment_sim_admin(deployment: Deployment) -> Iterator[SimAdmin]:
    """Admin access to the simulator behind the deployment."""
    assert deployment.sim is not None
    with SimAdmin(deployment.sim) as admin:
        yield admin

"""Fixtures for the ops code location: an app database named by ARCADIA_DATABASE_URL, a Dagster
test instance, and the definitions built against them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.saga import SagaJournal
from arcadia_cloud_ops.definitions import build_definitions
from tests.conftest import truncate_app_tables
from tests.core.saga.steps.world import zero_lag_admin, zero_lag_sim  # noqa: F401 - fixtures


@pytest.fixture
def app_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite app database, named by ARCADIA_DATABASE_URL for the resources."""
    url = f"sqlite:///{tmp_path / 'arcadia.db'}"
    monkeypatch.setenv(DATABASE_URL_SETTING, url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """SQLite or the session Postgres (emptied), named by ARCADIA_DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'arcadia.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        truncate_app_tables(open_database(url))
    monkeypatch.setenv(DATABASE_URL_SETTING, url)
    return url


@pytest.fixture
def journal(app_db_url: str) -> SagaJournal:
    """The journal of the SQLite app database."""
    return SagaJournal(open_database(app_db_url))


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    """A persistent, throw-away Dagster instance (per module: creating one takes seconds).

    Tests that need no persistent instance use `execute_in_process`'s in-memory one.
    """
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def ops_defs(app_db_url: str) -> dg.Definitions:
    """The code location, built after ARCADIA_DATABASE_URL points at the test database."""
    return build_definitions()

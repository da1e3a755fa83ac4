"""Both code locations load with the shared resources wired, reaching nothing at load time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from arcadia_cloud_core.errors import ConfigError
from arcadia_cloud_core.resources import (
    DigitalOceanResource,
    digitalocean_resource,
    shared_resources,
)
from tests.conftest import REPO

LOCATIONS = ("arcadia_cloud_assets.definitions", "arcadia_cloud_ops.definitions")
SETTINGS = (
    "DO_API_TOKEN",
    "DO_API_TOKEN_SYNC",
    "DO_API_TOKEN_BILLING",
    "DO_API_TOKEN_PROVISIONING",
    "DO_API_BASE_URL",
    "ARCADIA_DATABASE_URL",
)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["DAGSTER_HOME"] = str(tmp_path)
    return env


def test_workspace_validates_with_nothing_running(tmp_path: Path) -> None:
    """`dagster definitions validate` passes with no token, no database and no simulator."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    for location in ("arcadia_cloud_assets", "arcadia_cloud_ops"):
        assert location in output
    assert not list(tmp_path.glob("*.db")), "loading definitions must not create a database"


@pytest.mark.parametrize("module", LOCATIONS)
def test_each_location_wires_the_shared_resources(module: str) -> None:
    defs = __import__(module, fromlist=["defs"]).defs
    assert isinstance(defs, dg.Definitions)
    repo = defs.get_repository_def()
    assert {"database", "do_sync", "do_billing", "do_provisioning"} <= set(
        repo.get_top_level_resources()
    )
    for job in repo.get_all_jobs():
        assert job.name  # every job resolves (with its resources)


def test_purpose_token_falls_back_to_the_general_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_API_TOKEN", "dop_v1_general")
    monkeypatch.setenv("DO_API_TOKEN_BILLING", "dop_v1_billing")
    monkeypatch.delenv("DO_API_TOKEN_SYNC", raising=False)
    sync, billing = digitalocean_resource("sync"), digitalocean_resource("billing")
    # The resource holds an EnvVar (a name), resolved only when a run starts.
    assert sync.token == dg.EnvVar("DO_API_TOKEN")
    assert billing.token == dg.EnvVar("DO_API_TOKEN_BILLING")
    assert "dop_v1" not in repr(sync) + repr(billing)
    resolved = dg.build_init_resource_context()
    assert sync.process_config_and_initialize().token == "dop_v1_general"
    assert billing.process_config_and_initialize().token == "dop_v1_billing"
    assert resolved is not None


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    resource = shared_resources()["do_provisioning"]
    assert isinstance(resource, DigitalOceanResource)
    with (
        pytest.raises(ConfigError, match="DO_API_TOKEN_PROVISIONING or DO_API_TOKEN"),
        resource.client(),
    ):
        pass


def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DO_API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("DO_API_TOKEN", "t")
    resource = digitalocean_resource("sync").process_config_and_initialize()
    assert resource.base_url == "http://127.0.0.1:9"
    with resource.client() as do:
        assert "127.0.0.1:9" in repr(do) and repr(do) != "t"

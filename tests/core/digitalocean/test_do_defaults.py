"""The DO client's defaults have one source: the resource Dagster configures uses the same."""

from __future__ import annotations

import inspect

import pytest

from arcadia_cloud_core.digitalocean import DOClient, defaults
from arcadia_cloud_core.resources import DigitalOceanResource, digitalocean_resource

#: DigitalOceanResource field → the DOClient parameter it is passed to.
RESOURCE_TO_CLIENT = {
    "base_url": "base_url",
    "timeout_seconds": "timeout",
    "max_attempts": "max_attempts",
    "page_concurrency": "page_concurrency",
    "requests_per_minute": "requests_per_minute",
    "requests_per_hour": "requests_per_hour",
}


@pytest.mark.parametrize(("field", "param"), RESOURCE_TO_CLIENT.items())
def test_resource_defaults_are_the_clients(field: str, param: str) -> None:
    client_default = inspect.signature(DOClient).parameters[param].default
    assert DigitalOceanResource.model_fields[field].default == client_default


def test_client_defaults_come_from_the_defaults_module() -> None:
    params = inspect.signature(DOClient).parameters
    assert params["base_url"].default == defaults.DEFAULT_BASE_URL == "https://api.digitalocean.com"
    assert params["max_retry_seconds"].default == defaults.DEFAULT_MAX_RETRY_SECONDS
    assert params["burst_window_seconds"].default == defaults.DEFAULT_BURST_WINDOW_SECONDS


def test_unset_base_url_setting_means_digitalocean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DO_API_BASE_URL", raising=False)
    assert digitalocean_resource("sync").base_url == defaults.DEFAULT_BASE_URL

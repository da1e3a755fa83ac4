"""What the pydo tests share: pydo on the TLS simulator, our http view of it, polling helpers.

Import the fixtures into a test module (``from tests.sim.pydo_support import sdk, ...``); each
module gets its own client and recorder, all on the session's ``tls_sim``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pydo
import pytest
from starlette.routing import BaseRoute, Mount, Route

from arcadia_cloud_sim.launcher import SimAdmin, SimulatorHandle
from arcadia_cloud_sim.registry import all_routes
from tests.sim.conftest import TOKEN, api_client
from tests.sim.openapi import path_template

#: A whole collection on one page, for pydo methods without a ``per_page`` argument.
ALL = {"per_page": 200}


class Exchanges:
    """What pydo received (its ``raw_response_hook``): the last response, and every
    ``(method, spec path, status)`` it saw."""

    def __init__(self) -> None:
        self.last: Any = None
        self.seen: list[tuple[str, str, int]] = []

    def __call__(self, pipeline_response: Any) -> None:
        response = pipeline_response.http_response
        self.last = response
        path = httpx.URL(str(response.request.url)).path
        self.seen.append((response.request.method, path_template(path), response.status_code))


@pytest.fixture(scope="module")
def exchanges() -> Exchanges:
    """The recorder of this module's pydo client."""
    return Exchanges()


@pytest.fixture(scope="module")
def sdk(tls_sim: SimulatorHandle, exchanges: Exchanges) -> pydo.Client:
    """pydo on the HTTPS listener, trusting the simulator's CA; no retries (nothing masked)."""
    return pydo.Client(
        TOKEN,
        endpoint=tls_sim.tls_base_url,
        connection_verify=str(tls_sim.tls_ca_file),
        retry_total=0,
        timeout=10,
        raw_response_hook=exchanges,
    )


@pytest.fixture(scope="module")
def http(tls_sim: SimulatorHandle) -> Iterator[httpx.Client]:
    """Our own view of the same server: its plain-http listener."""
    with api_client(tls_sim) as client:
        yield client


@pytest.fixture(scope="module")
def tls_admin(tls_sim: SimulatorHandle) -> Iterator[SimAdmin]:
    """The admin client of the TLS server (its stored state)."""
    with SimAdmin(tls_sim) as client:
        yield client


def wait_for(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    """``probe()`` once it is truthy."""
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)
    return value


def completed(http: httpx.Client, action: Mapping[str, Any]) -> Mapping[str, Any]:
    """``action`` once DO says it completed (read over http)."""

    def probe() -> Any:
        now = http.get(f"/v2/actions/{action['id']}").json()["action"]
        return now if now["status"] == "completed" else None

    return wait_for(probe)


def sdk_action_done(sdk: pydo.Client, action: Mapping[str, Any]) -> Mapping[str, Any]:
    """Poll ``GET /v2/actions/{id}`` through pydo until the action completed."""

    def probe() -> Any:
        now = sdk.actions.get(action["id"])["action"]
        return now if now["status"] == "completed" else None

    return wait_for(probe)


def _flat(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _flat(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def served_operations() -> set[tuple[str, str]]:
    """``(METHOD, spec path)`` of every DO API operation (``/v2/...``) the simulator serves."""
    return {
        (method, path_template(re.sub(r"\{[^}]+\}", "1", path)))
        for path, route in _flat(all_routes())
        if path.startswith("/v2/")
        for method in route.methods or ()
        if method != "HEAD"
    }

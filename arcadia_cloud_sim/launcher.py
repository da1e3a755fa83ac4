"""Start the simulator as a real subprocess (tests, benchmarks, ``make dev``) and drive it.

    with running_simulator(state_path=tmp / "sim.sqlite3") as sim:
        httpx.get(sim.base_url + "/v2/account", headers={"Authorization": "Bearer t"})
        SimAdmin(sim).set_config(fault_rate=0.2)

``tls=True`` adds the HTTPS listener: ``sim.tls_base_url`` and ``sim.tls_ca_file`` (the CA to
trust), e.g. ``pydo.Client(token, endpoint=sim.tls_base_url, connection_verify=str(ca))``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from arcadia_cloud_sim.__main__ import LISTENING, LISTENING_TLS, TLS_CA

DEFAULT_ADMIN_TOKEN = "sim-admin"


class SimulatorStartError(RuntimeError):
    """The simulator process did not come up; the message carries its stderr tail."""


@dataclass(frozen=True)
class SimulatorHandle:
    """A running simulator process."""

    base_url: str
    admin_token: str
    state_path: Path
    process: subprocess.Popen[bytes]
    log_path: Path | None = None
    #: The HTTPS listener (``running_simulator(tls=True)``) and the CA file that signed it.
    tls_base_url: str | None = None
    tls_ca_file: Path | None = None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server wrote to stderr."""
        return _tail(self.log_path, lines)


def _tail(path: Path | None, lines: int) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _admin_token(extra_args: Sequence[str]) -> str:
    args = list(extra_args)
    for i, arg in enumerate(args):
        if arg == "--admin-token" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--admin-token="):
            return arg.split("=", 1)[1]
    return os.environ.get("ARCADIA_SIM_ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN)


def _stop(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


@contextmanager
def running_simulator(
    *,
    state_path: Path,
    scenario: str = "default",
    seed: int = 42,
    extra_args: Sequence[str] = (),
    port: int | None = None,
    startup_timeout: float = 30.0,
    tls: bool = False,
) -> Iterator[SimulatorHandle]:
    """Run ``python -m arcadia_cloud_sim`` on 127.0.0.1 until the block exits.

    ``port=None`` lets the server bind a free port itself (no race). ``tls=True`` also serves
    HTTPS on a free port (its CA file lives as long as the block). Waits for
    ``GET /_sim/health``; on failure raises :class:`SimulatorStartError` with the stderr tail.
    """
    state_path = Path(state_path)
    log_dir = Path(tempfile.mkdtemp(prefix="arcadia-sim-"))
    out_path, log_path = log_dir / "stdout.log", log_dir / "stderr.log"
    cmd = [
        sys.executable, "-m", "arcadia_cloud_sim", "--host", "127.0.0.1",
        "--port", str(port or 0), "--state", str(state_path), "--scenario", scenario,
        "--seed", str(seed), *extra_args,
    ]
    if tls:
        cmd += ["--tls-port", "0", "--tls-ca-file", str(log_dir / "ca.pem")]
    with out_path.open("wb") as out, log_path.open("wb") as err:
        process = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        base_url = _wait_ready(process, out_path, log_path, startup_timeout)
        announced = _announced(out_path)
        ca_file = announced.get(TLS_CA)
        yield SimulatorHandle(base_url=base_url, admin_token=_admin_token(extra_args),
                              state_path=state_path, process=process, log_path=log_path,
                              tls_base_url=announced.get(LISTENING_TLS),
                              tls_ca_file=Path(ca_file) if ca_file else None)
    finally:
        _stop(process)
        shutil.rmtree(log_dir, ignore_errors=True)


def _announced(out_path: Path) -> dict[str, str]:
    """The ``ARCADIA_SIM_* <value>`` lines the server printed on stdout, by name."""
    lines = (line.split(None, 1) for line in out_path.read_text(errors="replace").splitlines())
    return {parts[0]: parts[1].strip() for parts in lines if len(parts) == 2}


def _wait_ready(process: subprocess.Popen[bytes], out_path: Path, log_path: Path,
                timeout: float) -> str:
    deadline = time.monotonic() + timeout
    base_url: str | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SimulatorStartError(
                f"simulator exited with code {process.returncode}:\n{_tail(log_path, 40)}"
            )
        if base_url is None:
            base_url = _announced(out_path).get(LISTENING)
        if base_url is not None:
            try:
                if httpx.get(base_url + "/_sim/health", timeout=1.0).status_code == 200:
                    return base_url
            except httpx.TransportError:
                pass
        time.sleep(0.05)
    _stop(process)
    raise SimulatorStartError(
        f"simulator not healthy after {timeout:.0f} s:\n{_tail(log_path, 40)}"
    )


class SimAdmin:
    """A small client for the ``/_sim/`` admin endpoints."""

    def __init__(self, handle: SimulatorHandle, *, timeout: float = 30.0) -> None:
        self.client = httpx.Client(
            base_url=handle.base_url, timeout=timeout,
            headers={"Authorization": f"Bearer {handle.admin_token}"},
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def __enter__(self) -> SimAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    def health(self) -> dict[str, Any]:
        """``GET /_sim/health``."""
        return self._json("GET", "/_sim/health")

    def config(self) -> dict[str, Any]:
        """The live settings."""
        return self._json("GET", "/_sim/config")

    def set_config(self, **changes: Any) -> dict[str, Any]:
        """Change live settings (latency_ms, lags, fault_rate/kinds/paths, rate budget)."""
        return self._json("POST", "/_sim/config", changes)

    def stats(self) -> dict[str, Any]:
        """Request counters: ``total``, ``by_status``, ``by_path``, ``rate_limited``, ``faults``."""
        return self._json("GET", "/_sim/stats")

    def reset_stats(self) -> None:
        """Zero the counters and the rate-limit windows."""
        self._json("POST", "/_sim/stats/reset")

    def reset(self, *, scenario: str | None = None, seed: int | None = None) -> dict[str, Any]:
        """Wipe the state and seed a scenario again."""
        body: dict[str, Any] = {}
        if scenario is not None:
            body["scenario"] = scenario
        if seed is not None:
            body["seed"] = seed
        return self._json("POST", "/_sim/reset", body)

    def resize_droplet(self, droplet_id: int, size: str) -> dict[str, Any]:
        """Resize a droplet behind the client's back (immediately)."""
        return self._json("POST", f"/_sim/droplets/{droplet_id}/resize", {"size": size})

    def set_droplet_status(self, droplet_id: int, status: str) -> dict[str, Any]:
        """Set a droplet's status (new, active, off, archive) directly."""
        return self._json("POST", f"/_sim/droplets/{droplet_id}/status", {"status": status})

    def resources(self, kind: str, *, name: str | None = None) -> list[dict[str, Any]]:
        """Raw stored rows of ``kind`` (droplet, volume, snapshot, domain, …)."""
        params = {"name": name} if name else None
        response = self.client.get(f"/_sim/resources/{kind}", params=params)
        response.raise_for_status()
        return response.json()["resources"]

    def get_resource(self, kind: str, resource_id: object) -> dict[str, Any]:
        """One raw stored row (deleted ones too)."""
        return self._json("GET", f"/_sim/resources/{kind}/{resource_id}")

    def delete_resource(self, kind: str, resource_id: object) -> None:
        """Delete a resource directly (no API semantics, no rate limit)."""
        self._json("DELETE", f"/_sim/resources/{kind}/{resource_id}")

    def put_resource(
        self, kind: str, resource_id: object, body: dict[str, Any], *,
        parent: str | None = None, name: str | None = None, project_id: str | None = None,
    ) -> dict[str, Any]:
        """Create or replace a stored resource (and put it in a project)."""
        return self._json("PUT", f"/_sim/resources/{kind}/{resource_id}", {
            "body": body, "parent": parent, "name": name, "project_id": project_id,
        })

    def restore_resource(self, kind: str, resource_id: object,
                         *, project_id: str | None = None) -> dict[str, Any]:
        """Bring a deleted resource back (recreate it with its old id and body)."""
        body = {"project_id": project_id} if project_id else {}
        return self._json("POST", f"/_sim/resources/{kind}/{resource_id}/restore", body)

    def billing_spikes(self) -> list[dict[str, Any]]:
        """The injected spend spikes (``day``, ``description``, ``extra_cents``)."""
        return self._json("GET", "/_sim/billing/spikes")["spikes"]

    def add_billing_spikes(self, spikes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Inject spend spikes into the billing insights' daily series; returns them all."""
        return self._json("POST", "/_sim/billing/spikes", {"spikes": spikes})["spikes"]

    def clear_billing_spikes(self) -> None:
        """Remove every injected spike."""
        self._json("DELETE", "/_sim/billing/spikes")

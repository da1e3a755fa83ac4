"""Simulator settings: command-line flags, each also readable from an ``ARCADIA_SIM_*`` variable.

``--rate-limit-hour`` ↔ ``ARCADIA_SIM_RATE_LIMIT_HOUR`` and so on (upper-case, ``-`` → ``_``).
Command-line flags win over the environment. Some settings can be changed live through
``POST /_sim/config`` (see :data:`LIVE_FIELDS`).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

FAULT_KINDS = ("429", "500", "502", "503", "timeout", "drop", "truncate")
SCENARIOS = ("default", "scale", "empty")
ENV_PREFIX = "ARCADIA_SIM_"


@dataclass(frozen=True)
class SimSettings:
    """Everything the server is configured with (replaced as a whole on live changes)."""

    state_path: Path = Path(".sim/state.sqlite3")
    host: str = "127.0.0.1"
    port: int = 8765
    scenario: str = "default"
    seed: int = 42
    reset: bool = False
    # scale scenario sizes
    droplets: int = 20_000
    volumes: int = 5_000
    snapshots: int = 20_000
    domains: int = 2_000
    account_kinds: int = 10_000  # spread over the account-level kinds (`scale_kinds.SHARES`)
    platform_kinds: int = 2_000  # spread over the platform kinds (`scale_platform.SHARES`)
    # rate budget (per token): a sliding hour, and a burst window of `burst_window` seconds
    rate_limit_hour: int = 5000
    rate_limit_minute: int = 250
    burst_window: float = 60.0
    endpoint_window_scale: float = 1.0  # × the windows of DO's endpoint limits (SSH keys, CDN)
    # latency and lags (seconds unless noted)
    latency_ms: int = 0
    droplet_active_lag: float = 3.0
    action_lag: float = 3.0
    snapshot_list_lag: float = 5.0
    snapshot_delete_linger: float = 5.0
    # faults
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = ("500", "502", "503")
    fault_paths: tuple[str, ...] = ()
    slow_seconds: float = 35.0
    # auth
    tokens: tuple[str, ...] = ()
    admin_token: str = "sim-admin"
    # the S3 API's Spaces key pair (`storage.spaces`)
    spaces_key: str = "DO00SIMSPACESKEY0000"
    spaces_secret: str = "sim-spaces-secret"
    # the optional HTTPS listener (None: plain http only; 0: a free port)
    tls_port: int | None = None
    tls_ca_file: Path | None = None

    @property
    def tls_ca_path(self) -> Path:
        """Where the TLS listener's CA certificate goes (default: beside the state file)."""
        if self.tls_ca_file is not None:
            return self.tls_ca_file
        return self.state_path.with_name(self.state_path.name + ".ca.pem")

    def to_json(self) -> dict[str, Any]:
        """A JSON-able view (paths as strings, tuples as lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        out.pop("tokens")
        out.pop("admin_token")
        out.pop("spaces_secret")
        return out


#: Settings ``POST /_sim/config`` may change on a running server.
LIVE_FIELDS = frozenset(
    {
        "rate_limit_hour", "rate_limit_minute", "burst_window", "endpoint_window_scale",
        "latency_ms",
        "droplet_active_lag", "action_lag", "snapshot_list_lag", "snapshot_delete_linger",
        "fault_rate", "fault_kinds", "fault_paths", "slow_seconds",
    }
)


def _csv(value: str | Sequence[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(v).strip() for v in items if str(v).strip())


def _check(settings: SimSettings) -> SimSettings:
    bad = [k for k in settings.fault_kinds if k not in FAULT_KINDS]
    if bad:
        raise ValueError(f"unknown fault kinds {bad}; choose from {', '.join(FAULT_KINDS)}")
    if not 0.0 <= settings.fault_rate <= 1.0:
        raise ValueError("fault_rate must be between 0 and 1")
    if settings.scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {settings.scenario!r}; choose from {SCENARIOS}")
    if min(settings.droplets, settings.volumes, settings.snapshots, settings.domains,
           settings.account_kinds, settings.platform_kinds) < 0:
        raise ValueError("scale scenario sizes must not be negative")
    if settings.rate_limit_hour < 1 or settings.rate_limit_minute < 1:
        raise ValueError("rate limits must be positive")
    if settings.burst_window <= 0 or settings.endpoint_window_scale <= 0:
        raise ValueError("burst_window and endpoint_window_scale must be positive")
    if settings.tls_port is not None and not 0 <= settings.tls_port <= 65535:
        raise ValueError("tls_port must be between 0 and 65535")
    if settings.tls_port and settings.tls_port == settings.port:
        raise ValueError("tls_port must differ from port")
    if not is_loopback(settings.host):
        raise ValueError(f"refusing to bind {settings.host!r}: the simulator is loopback-only")
    return settings


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def apply_live_changes(settings: SimSettings, changes: Mapping[str, Any]) -> SimSettings:
    """A copy of ``settings`` with the live-changeable fields in ``changes`` applied."""
    unknown = sorted(set(changes) - LIVE_FIELDS)
    if unknown:
        raise ValueError(f"not live-changeable: {unknown}; allowed: {sorted(LIVE_FIELDS)}")
    typed: dict[str, Any] = {}
    for f in fields(settings):
        if f.name not in changes:
            continue
        value = changes[f.name]
        current = getattr(settings, f.name)
        if isinstance(current, tuple):
            typed[f.name] = _csv(value)
        elif isinstance(current, bool):
            typed[f.name] = bool(value)
        elif isinstance(current, int):
            typed[f.name] = int(value)
        elif isinstance(current, float):
            typed[f.name] = float(value)
        else:
            typed[f.name] = value
    return _check(replace(settings, **typed))


def build_parser() -> argparse.ArgumentParser:
    """The ``arcadia-cloud-sim`` argument parser (defaults come from the environment)."""
    d = SimSettings()

    def env(name: str, default: Any) -> Any:
        return os.environ.get(ENV_PREFIX + name.upper(), default)

    p = argparse.ArgumentParser(
        prog="arcadia-cloud-sim",
        description="A local DigitalOcean API simulator (loopback only). "
        "Every flag may also be set as ARCADIA_SIM_<FLAG> (e.g. ARCADIA_SIM_RATE_LIMIT_HOUR).",
    )
    p.add_argument("--host", default=env("host", d.host))
    p.add_argument("--port", type=int, default=int(env("port", d.port)))
    p.add_argument("--state", type=Path, default=Path(env("state", str(d.state_path))),
                   help="SQLite state file; reused if it already holds state")
    p.add_argument("--reset", action="store_true",
                   default=env("reset", "0").lower() in {"1", "true", "yes"},
                   help="re-seed the scenario even if the state file holds state")
    p.add_argument("--scenario", choices=SCENARIOS, default=env("scenario", d.scenario))
    p.add_argument("--seed", type=int, default=int(env("seed", d.seed)))
    for name in ("droplets", "volumes", "snapshots", "domains"):
        p.add_argument(f"--{name}", type=int, default=int(env(name, getattr(d, name))),
                       help=f"scale scenario: number of {name}")
    p.add_argument("--account-kinds", type=int,
                   default=int(env("account_kinds", d.account_kinds)),
                   help="scale scenario: resources spread over the account-level kinds "
                   "(certificates … autoscale pools, in the shares of scale_kinds.SHARES)")
    p.add_argument("--platform-kinds", type=int,
                   default=int(env("platform_kinds", d.platform_kinds)),
                   help="scale scenario: resources spread over the platform kinds (VPCs, apps, "
                   "databases, DOKS clusters, in the shares of scale_platform.SHARES)")
    p.add_argument("--rate-limit-hour", type=int,
                   default=int(env("rate_limit_hour", d.rate_limit_hour)))
    p.add_argument("--rate-limit-minute", type=int,
                   default=int(env("rate_limit_minute", d.rate_limit_minute)),
                   help="requests allowed per burst window")
    p.add_argument("--burst-window", type=float,
                   default=float(env("burst_window", d.burst_window)),
                   help="burst window length in seconds (default 60)")
    p.add_argument("--endpoint-window-scale", type=float,
                   default=float(env("endpoint_window_scale", d.endpoint_window_scale)),
                   help="multiplies the windows of DO's endpoint limits (SSH keys 10/60 s, "
                   "CDN 5/10 s); tests shorten them")
    p.add_argument("--latency-ms", type=int, default=int(env("latency_ms", d.latency_ms)))
    for name in ("droplet_active_lag", "action_lag", "snapshot_list_lag",
                 "snapshot_delete_linger"):
        p.add_argument("--" + name.replace("_", "-"), type=float,
                       default=float(env(name, getattr(d, name))), help="seconds")
    p.add_argument("--fault-rate", type=float, default=float(env("fault_rate", d.fault_rate)))
    p.add_argument("--fault-kinds", default=env("fault_kinds", ",".join(d.fault_kinds)),
                   help=f"comma list of {','.join(FAULT_KINDS)}")
    p.add_argument("--fault-paths", default=env("fault_paths", ""),
                   help="comma list of path prefixes faults apply to (default: /v2/ and /api/)")
    p.add_argument("--slow-seconds", type=float,
                   default=float(env("slow_seconds", d.slow_seconds)),
                   help="how long a `timeout` fault stalls")
    p.add_argument("--tokens", default=env("tokens", ""),
                   help="comma list of valid bearer tokens (default: any non-empty token)")
    p.add_argument("--admin-token", default=env("admin_token", d.admin_token))
    p.add_argument("--spaces-key", default=env("spaces_key", d.spaces_key),
                   help="the access key id the S3 API (/s3/<region>/) accepts")
    p.add_argument("--spaces-secret", default=env("spaces_secret", d.spaces_secret),
                   help="its secret (requests must be SigV4-signed with it)")
    tls_port = env("tls_port", "")
    p.add_argument("--tls-port", type=int, default=int(tls_port) if tls_port else None,
                   help="also serve HTTPS on this port (0: a free one) with a certificate "
                   "made at start-up, for SDKs that send tokens over TLS only (pydo)")
    tls_ca = env("tls_ca_file", "")
    p.add_argument("--tls-ca-file", type=Path, default=Path(tls_ca) if tls_ca else None,
                   help="where to write the CA certificate that signed it "
                   "(default: <state>.ca.pem)")
    return p


def settings_from_args(argv: Sequence[str] | None = None) -> SimSettings:
    """Parse flags (and ``ARCADIA_SIM_*`` variables) into validated settings."""
    a = build_parser().parse_args(argv)
    return _check(
        SimSettings(
            state_path=a.state, host=a.host, port=a.port, scenario=a.scenario, seed=a.seed,
            reset=a.reset, droplets=a.droplets, volumes=a.volumes, snapshots=a.snapshots,
            domains=a.domains, account_kinds=a.account_kinds,
            platform_kinds=a.platform_kinds, rate_limit_hour=a.rate_limit_hour,
            rate_limit_minute=a.rate_limit_minute, burst_window=a.burst_window,
            endpoint_window_scale=a.endpoint_window_scale,
            latency_ms=a.latency_ms, droplet_active_lag=a.droplet_active_lag,
            action_lag=a.action_lag, snapshot_list_lag=a.snapshot_list_lag,
            snapshot_delete_linger=a.snapshot_delete_linger, fault_rate=a.fault_rate,
            fault_kinds=_csv(a.fault_kinds), fault_paths=_csv(a.fault_paths),
            slow_seconds=a.slow_seconds, tokens=_csv(a.tokens), admin_token=a.admin_token,
            spaces_key=a.spaces_key, spaces_secret=a.spaces_secret, tls_port=a.tls_port,
            tls_ca_file=a.tls_ca_file,
        )
    )

"""Flags, ``ARCADIA_SIM_*`` variables and live settings (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arcadia_cloud_sim.__main__ import main
from arcadia_cloud_sim.settings import apply_live_changes, is_loopback, settings_from_args


def test_flags_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCADIA_SIM_RATE_LIMIT_HOUR", "123")
    monkeypatch.setenv("ARCADIA_SIM_FAULT_KINDS", "drop,truncate")
    monkeypatch.setenv("ARCADIA_SIM_TOKENS", "a, b")
    settings = settings_from_args(["--rate-limit-minute", "7", "--burst-window", "2"])
    assert settings.rate_limit_hour == 123
    assert settings.rate_limit_minute == 7 and settings.burst_window == 2.0
    assert settings.fault_kinds == ("drop", "truncate")
    assert settings.tokens == ("a", "b")
    assert settings_from_args(["--rate-limit-hour", "9"]).rate_limit_hour == 9  # flag wins


def test_scale_sizes_for_the_new_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = settings_from_args([])
    assert (defaults.account_kinds, defaults.platform_kinds) == (10_000, 2_000)
    monkeypatch.setenv("ARCADIA_SIM_PLATFORM_KINDS", "70")
    settings = settings_from_args(["--account-kinds", "230"])
    assert (settings.account_kinds, settings.platform_kinds) == (230, 70)
    with pytest.raises(ValueError, match="must not be negative"):
        settings_from_args(["--account-kinds", "-1"])


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "example.com", "::"])
def test_non_loopback_hosts_are_refused(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not is_loopback(host)
    assert main(["--host", host, "--state", "/nonexistent/never-created.sqlite3"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_loopback_hosts_are_accepted() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))


def test_live_changes_are_validated() -> None:
    base = settings_from_args([])
    changed = apply_live_changes(
        base, {"fault_rate": "0.25", "fault_kinds": "429,timeout", "action_lag": 1}
    )
    assert (changed.fault_rate, changed.fault_kinds, changed.action_lag) == (
        0.25,
        ("429", "timeout"),
        1.0,
    )
    with pytest.raises(ValueError, match="unknown fault kinds"):
        apply_live_changes(base, {"fault_kinds": "meteor"})
    with pytest.raises(ValueError, match="not live-changeable"):
        apply_live_changes(base, {"admin_token": "x"})


def test_tls_listener_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = settings_from_args(["--state", str(tmp_path / "sim.db")])
    assert plain.tls_port is None
    assert plain.tls_ca_path == tmp_path / "sim.db.ca.pem"
    monkeypatch.setenv("ARCADIA_SIM_TLS_PORT", "0")
    tls = settings_from_args(["--tls-ca-file", str(tmp_path / "ca.pem")])
    assert (tls.tls_port, tls.tls_ca_path) == (0, tmp_path / "ca.pem")
    with pytest.raises(ValueError, match="tls_port must differ"):
        settings_from_args(["--port", "8765", "--tls-port", "8765"])
    with pytest.raises(ValueError, match="between 0 and 65535"):
        settings_from_args(["--tls-port", "70000"])

"""Real processes for the end-to-end harness: start with logs to files, stop terminate → kill."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ManagedProcess:
    """A child process started in its own session, its output in ``log_path``."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def alive(self) -> bool:
        """True while the process has not exited."""
        return self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines it wrote (stdout and stderr together)."""
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_process(
    name: str,
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_dir: Path,
) -> ManagedProcess:
    """Start ``command`` in a new session (so its children can be signalled as a group)."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return ManagedProcess(name=name, popen=popen, log_path=log_path)


def _signal_group(process: ManagedProcess, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.popen.pid, sig)


def stop_processes(processes: Sequence[ManagedProcess], *, grace_seconds: float = 15.0) -> None:
    """Terminate every process group (SIGTERM), then kill whatever is left after the grace.

    Each process was started as a session leader, so its group holds the code servers and run
    workers it spawned: nothing outlives the harness.
    """
    for process in processes:
        if process.alive():
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for process in processes:
        remaining = max(0.0, deadline - time.monotonic())
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=remaining)
    for process in processes:
        # The leader may be gone while children of its group linger: kill the group regardless.
        _signal_group(process, signal.SIGKILL)
        if process.alive():
            process.popen.wait(timeout=10)

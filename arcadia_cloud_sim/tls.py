"""The optional HTTPS listener: a throw-away CA and server certificate made at start-up.

DO's SDKs (pydo through azure-core) refuse to send a bearer token over plain http, so an
unmodified SDK can only talk to the simulator over TLS. ``--tls-port`` adds a second listener on
the same app and state, with a certificate for ``127.0.0.1``, ``::1`` and ``localhost`` issued
by a CA that lives only as long as the process (``trustme``). The CA certificate is written to
``--tls-ca-file`` for clients to trust (pydo: ``connection_verify=<ca file>``); the server's
private key never touches the disk outside a private temporary file that uvicorn reads once.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme
import uvicorn

#: The names the server certificate is valid for (the simulator binds loopback only).
HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class ServerCertificate:
    """A fresh CA (its certificate as PEM) and a server key + chain (PEM) it signed."""

    ca_pem: bytes
    key_and_chain_pem: bytes


def issue_certificate(hosts: tuple[str, ...] = HOSTS) -> ServerCertificate:
    """A new CA and a server certificate for ``hosts`` (in memory)."""
    ca = trustme.CA(organization_name="arcadia-cloud-sim")
    leaf = ca.issue_cert(*hosts, common_name=hosts[0])
    return ServerCertificate(
        ca_pem=ca.cert_pem.bytes(), key_and_chain_pem=leaf.private_key_and_cert_chain_pem.bytes()
    )


def write_ca(cert: ServerCertificate, path: Path) -> Path:
    """Write the CA certificate (public) to ``path``, creating its folder; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.ca_pem)
    return path


@contextlib.contextmanager
def private_pem_file(cert: ServerCertificate) -> Iterator[str]:
    """The server key and chain in a 0600 temporary file, removed when the block exits."""
    fd, name = tempfile.mkstemp(prefix="arcadia-sim-tls-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cert.key_and_chain_pem)
        yield name
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


class FollowerServer(uvicorn.Server):
    """A uvicorn server that leaves signals to ``leader`` and stops when the leader stops."""

    def __init__(self, config: uvicorn.Config, *, leader: uvicorn.Server) -> None:
        super().__init__(config)
        self.leader = leader

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals are the leader's (two servers cannot both own SIGINT/SIGTERM)."""
        yield

    async def on_tick(self, counter: int) -> bool:
        """Stop with the leader."""
        return self.leader.should_exit or await super().on_tick(counter)


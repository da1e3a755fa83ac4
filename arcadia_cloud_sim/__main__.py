"""``arcadia-cloud-sim`` / ``python -m arcadia_cloud_sim``: run the simulator on loopback.

Prints ``ARCADIA_SIM_LISTENING http://127.0.0.1:<port>`` on stdout once the socket is bound
(``--port 0`` picks a free port), then serves until SIGINT/SIGTERM. Logs go to stderr. With
``--tls-port`` it serves the same app over HTTPS too (see :mod:`arcadia_cloud_sim.tls`) and first
prints ``ARCADIA_SIM_LISTENING_TLS https://127.0.0.1:<port>`` and ``ARCADIA_SIM_TLS_CA <file>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import Sequence

import uvicorn
from starlette.types import ASGIApp

from arcadia_cloud_sim.app import create_app
from arcadia_cloud_sim.compute import droplets
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.scenarios import ensure_seeded
from arcadia_cloud_sim.settings import SimSettings, settings_from_args
from arcadia_cloud_sim.store import Store

LISTENING = "ARCADIA_SIM_LISTENING"
LISTENING_TLS = "ARCADIA_SIM_LISTENING_TLS"
TLS_CA = "ARCADIA_SIM_TLS_CA"


def _bind(host: str, port: int) -> tuple[socket.socket, str]:
    """A listening socket on ``host:port`` (0: a free port) and its ``host:port`` for a URL."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
    return sock, f"{shown}:{bound_port}"


def _config(app: ASGIApp, **ssl: str) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False,
                          timeout_graceful_shutdown=1, lifespan="off", **ssl)


def _serve(app: ASGIApp, settings: SimSettings) -> None:
    sock, where = _bind(settings.host, settings.port)
    server = uvicorn.Server(_config(app))
    if settings.tls_port is None:
        print(f"{LISTENING} http://{where}", flush=True)
        server.run(sockets=[sock])
        return
    from arcadia_cloud_sim import tls  # only a TLS run needs trustme and cryptography

    cert = tls.issue_certificate()
    ca_file = tls.write_ca(cert, settings.tls_ca_path)
    tls_sock, tls_where = _bind(settings.host, settings.tls_port)
    with tls.private_pem_file(cert) as pem:
        follower = tls.FollowerServer(_config(app, ssl_certfile=pem), leader=server)
        follower.config.load()  # reads the key now: the file is gone once serving starts
    print(f"{LISTENING_TLS} https://{tls_where}", flush=True)
    print(f"{TLS_CA} {ca_file}", flush=True)
    print(f"{LISTENING} http://{where}", flush=True)

    async def both() -> None:
        secure = asyncio.create_task(follower.serve(sockets=[tls_sock]))
        try:
            await server.serve(sockets=[sock])
        finally:
            follower.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await secure

    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:  # uvloop
        runner.run(both())


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags, open (and seed) the state file, and serve."""
    try:
        settings = settings_from_args(argv)
    except ValueError as exc:
        print(f"arcadia-cloud-sim: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = Store(settings.state_path)
    ctx = SimContext(store=store, settings=settings)
    ensure_seeded(ctx, force=settings.reset)
    droplets.warm_render_cache(ctx)
    try:
        _serve(create_app(ctx), settings)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

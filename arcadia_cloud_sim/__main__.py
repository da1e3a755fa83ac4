"""``arcadia-cloud-sim`` / ``python -m arcadia_cloud_sim``: run the simulator on loopback.

Prints ``ARCADIA_SIM_LISTENING http://127.0.0.1:<port>`` on stdout once the socket is bound
(``--port 0`` picks a free port), then serves until SIGINT/SIGTERM. Logs go to stderr.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Sequence

import uvicorn

from arcadia_cloud_sim.app import create_app
from arcadia_cloud_sim.compute import droplets
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.scenarios import ensure_seeded
from arcadia_cloud_sim.settings import settings_from_args
from arcadia_cloud_sim.store import Store

LISTENING = "ARCADIA_SIM_LISTENING"


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
    app = create_app(ctx)

    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(256)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=1, lifespan="off")
    server = uvicorn.Server(config)
    print(f"{LISTENING} http://{shown}:{port}", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The request pipeline in front of every handler (pure ASGI, so it can drop or cut responses).

Order for one request:
1. ``/_sim/health`` passes straight through.
2. Configured latency (``latency_ms``), then due lag events are applied (droplets turn active…).
3. ``/_sim/*``: admin bearer token, else 401.
   ``/v2/*``: DO bearer token, else 401; then the per-token rate limit (429
   ``too_many_requests``; ``retry-after`` on burst 429s), then DO's endpoint limits
   (``ratelimit.ENDPOINT_LIMITS``: SSH keys, CDN endpoints; 429 with ``retry-after``).
   ``ratelimit-*`` headers go on every ``/v2/`` response. ``/api/v1/*`` (finance)
   authenticates itself and has no DO rate limit.
4. Fault injection (``/v2/`` and ``/api/`` by default, or the ``fault_paths`` prefixes):
   ``429``/``500``/``502``/``503`` answer with DO's error body without running the handler;
   ``timeout`` stalls ``slow_seconds`` and then answers normally; ``drop`` closes the
   connection without any response; ``truncate`` runs the handler and sends a 200 whose JSON
   body is cut in half (``content-length`` matches the cut body).
5. Every request outside ``/_sim/`` is counted in :class:`~arcadia_cloud_sim.stats.RequestStats` and
   logged to stderr (method, path, status, duration: never headers).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from arcadia_cloud_sim.api.errors import error_body
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.lifecycle import process_due_events

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("arcadia_cloud_sim.requests")


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            if text[:7].lower() == "bearer ":
                token = text[7:].strip()
                return token or None
            return None
    return None


async def _send_json(
    send: Send, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    raw = json.dumps(body, separators=(",", ":")).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})


async def _drop_connection(receive: Receive, send: Send) -> None:
    """Close the TCP connection without writing a response."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        for _ in range(3):  # let the server notice the disconnect before we return
            await asyncio.sleep(0)
        return
    # Fallback for servers that hide the transport: start a response and never finish it.
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"1000")]})


class SimMiddleware:
    """Auth, rate limit, faults, latency, lags, stats and logging around the routed app."""

    def __init__(self, app: ASGIApp, ctx: SimContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/_sim/health":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_box = [0]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            await self._handle(scope, receive, counting_send, path)
        finally:
            if not path.startswith("/_sim/"):
                self.ctx.stats.record(method=scope["method"], path=path, status=status_box[0])
            log.info(
                "%s %s -> %s (%.1f ms)", scope["method"], path, status_box[0] or "dropped",
                (time.perf_counter() - started) * 1000,
            )

    async def _handle(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        ctx = self.ctx
        settings = ctx.settings
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000)
        process_due_events(ctx)

        extra_headers: dict[str, str] = {}
        if path.startswith("/_sim/"):
            if _bearer(scope) != settings.admin_token:
                await _send_json(send, 401, error_body("unauthorized"))
                return
            await self.app(scope, receive, send)
            return
        if path.startswith("/v2/") or path == "/v2":
            token = _bearer(scope)
            now = ctx.clock.now()
            if token is None or (settings.tokens and token not in settings.tokens):
                decision = ctx.rate_limiter.peek(
                    token or "", now=now, hour_limit=settings.rate_limit_hour
                )
                await _send_json(send, 401, error_body("unauthorized"), decision.headers())
                return
            decision = ctx.rate_limiter.check(
                token, now=now, hour_limit=settings.rate_limit_hour,
                burst_limit=settings.rate_limit_minute, burst_window=settings.burst_window,
            )
            extra_headers = decision.headers()
            if decision.allowed:  # DO's endpoint limits (SSH keys, CDN) come on top
                endpoint = ctx.rate_limiter.check_endpoint(
                    token, scope["method"], path, now=now,
                    window_scale=settings.endpoint_window_scale)
                if endpoint is not None and not endpoint.allowed:
                    decision = endpoint
                    extra_headers["retry-after"] = str(endpoint.retry_after or 1)
            if not decision.allowed:
                ctx.stats.record_rate_limited()
                await _send_json(send, 429, error_body("too_many_requests"), extra_headers)
                return

        assert ctx.faults is not None
        fault = ctx.faults.draw(path, settings)
        if fault is not None:
            ctx.stats.record_fault(fault)
            if fault == "429":
                await _send_json(send, 429, error_body("too_many_requests"),
                                 {**extra_headers, "retry-after": "1"})
                return
            if fault in {"500", "502", "503"}:
                await _send_json(send, int(fault), error_body("server_error"), extra_headers)
                return
            if fault == "drop":
                await _drop_connection(receive, send)
                return
            if fault == "timeout":
                await asyncio.sleep(settings.slow_seconds)
            if fault == "truncate":
                await self._truncated(scope, receive, send, extra_headers)
                return

        await self.app(scope, receive, self._with_headers(send, extra_headers))

    @staticmethod
    def _with_headers(send: Send, headers: dict[str, str]) -> Send:
        if not headers:
            return send
        encoded = [(k.encode(), v.encode()) for k, v in headers.items()]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in encoded if k not in existing
                ]
            await send(message)

        return wrapped

    async def _truncated(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> None:
        """Run the handler, then answer 200 with the first half of its body."""
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        full = b"".join(chunks) or b'{"truncated": true}'
        cut = full[: max(1, len(full) // 2)]
        hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(cut)).encode())]
        hdrs += [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": 200, "headers": hdrs})
        await send({"type": "http.response.body", "body": cut})

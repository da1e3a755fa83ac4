"""The Starlette application: every route, error handling and the request pipeline."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from arcadia_cloud_sim.api.envelopes import error_response
from arcadia_cloud_sim.api.errors import ApiError
from arcadia_cloud_sim.context import SimContext
from arcadia_cloud_sim.middleware import SimMiddleware
from arcadia_cloud_sim.registry import all_routes

log = logging.getLogger(__name__)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.error_id, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, "not_found")
    if exc.status_code == 405:
        return error_response(405, "method_not_allowed", "Method not allowed.")
    return error_response(exc.status_code, "error", str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "server_error")


def create_app(ctx: SimContext) -> Starlette:
    """The ASGI app for ``ctx`` (reachable from handlers as ``request.app.state.sim``)."""
    app = Starlette(
        routes=all_routes(),
        middleware=[Middleware(SimMiddleware, ctx=ctx)],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.sim = ctx
    return app

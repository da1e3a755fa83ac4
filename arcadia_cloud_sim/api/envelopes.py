"""DigitalOcean JSON bodies: the orjson response, error responses, 204s, stored bodies, request
bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSONResponse
from starlette.responses import Response

from arcadia_cloud_sim.api.errors import bad_request, error_body
from arcadia_cloud_sim.store import ResourceRow


class JSONResponse(_StarletteJSONResponse):
    """A JSON response encoded with orjson (a page of 200 droplets is ~330 KB)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(body: Any, status: int = 200) -> JSONResponse:
    """A JSON response (compact separators, like DO)."""
    return JSONResponse(body, status_code=status)


def error_response(
    status: int,
    error_id: str,
    message: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response with DO's body ``{id, message, request_id}``."""
    return JSONResponse(error_body(error_id, message), status_code=status, headers=headers)


def no_content() -> Response:
    """DO's 204 for deletes and similar: empty body."""
    return Response(status_code=204)


def stored_bodies(rows: Sequence[ResourceRow]) -> list[orjson.Fragment]:
    """Stored bodies that already have DO's shape: spliced in as they are, never re-encoded."""
    return [orjson.Fragment(r.body_json) for r in rows]


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any]:
    """Parse a JSON object body, raising 400 ``bad_request`` like DO when it is not one."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request("error parsing request body")
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request("error parsing request body") from exc
    if not isinstance(body, dict):
        raise bad_request("error parsing request body")
    return body

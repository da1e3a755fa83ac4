"""DigitalOcean errors: the exception handlers raise and DO's body ``{id, message, request_id}``."""

from __future__ import annotations

import uuid

ERROR_MESSAGES: dict[str, str] = {
    "bad_request": "error parsing request body",
    "unauthorized": "Unable to authenticate you.",
    "forbidden": "You do not have permission to perform this action.",
    "not_found": "The resource you requested could not be found.",
    "conflict": "The request could not be completed due to a conflict.",
    "precondition_failed": "The request could not be completed due to a failed precondition.",
    "unprocessable_entity": "request payload validation failed",
    "too_many_requests": "API rate limit exceeded.",
    "server_error": "Unexpected server-side error",
}


class ApiError(Exception):
    """Raise from a handler to answer with DO's error body (turned into a response by the app)."""

    def __init__(self, status: int, error_id: str, message: str | None = None) -> None:
        super().__init__(message or ERROR_MESSAGES.get(error_id, error_id))
        self.status = status
        self.error_id = error_id
        self.message = message or ERROR_MESSAGES.get(error_id, error_id)


def not_found() -> ApiError:
    """The canonical 404 error."""
    return ApiError(404, "not_found")


def bad_request(message: str) -> ApiError:
    """A 400 ``bad_request`` error with a human message."""
    return ApiError(400, "bad_request", message)


def unprocessable(message: str) -> ApiError:
    """A 422 ``unprocessable_entity`` error with a human message."""
    return ApiError(422, "unprocessable_entity", message)


def conflict(message: str) -> ApiError:
    """A 409 ``conflict`` error with a human message."""
    return ApiError(409, "conflict", message)


def error_body(error_id: str, message: str | None = None) -> dict[str, str]:
    """DO's error body ``{id, message, request_id}``."""
    return {
        "id": error_id,
        "message": message or ERROR_MESSAGES.get(error_id, error_id),
        "request_id": str(uuid.uuid4()),
    }


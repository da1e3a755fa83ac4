"""Helpers every API area uses: one object, all pages, a write, a delete."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from arcadia_cloud_core.digitalocean.errors import DONotFoundError, DOParseError
from arcadia_cloud_core.digitalocean.fields import FieldError
from arcadia_cloud_core.digitalocean.listing import Listing
from arcadia_cloud_core.digitalocean.pagination import collect
from arcadia_cloud_core.digitalocean.transport import RequestCounter, Transport, display_path

T = TypeVar("T")


def parse_object(
    body: Mapping[str, Any],
    key: str | None,
    parse: Callable[[Mapping[str, Any]], T],
    *,
    method: str,
    path: str,
) -> T:
    """``parse(body[key])`` (or the bare body when ``key`` is None) or a ``DOParseError``."""
    obj: Any = body if key is None else body.get(key)
    if not isinstance(obj, Mapping):
        problem = "missing" if obj is None else f"expected an object, got {type(obj).__name__}"
        raise DOParseError(problem, field=key or "<body>", method=method, path=path)
    try:
        return parse(obj)
    except FieldError as exc:
        field = f"{key}.{exc.field}" if key else exc.field
        raise DOParseError(exc.reason, field=field, method=method, path=path) from None


class APIBase:
    """State and helpers shared by the area mixins (set up by ``DOClient.__init__``)."""

    _transport: Transport
    _page_concurrency: int

    def _get_one(
        self,
        path: str,
        key: str | None,
        parse: Callable[[Mapping[str, Any]], T],
        *,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        body = self._transport.call("GET", path, params=params)
        return parse_object(body, key, parse, method="GET", path=display_path(path, params))

    def _list(
        self,
        path: str,
        key: str,
        parse: Callable[[Mapping[str, Any]], T],
        *,
        id_field: str | None = "id",
        params: Mapping[str, Any] | None = None,
    ) -> Listing[T]:
        return collect(
            self._transport,
            path=path,
            key=key,
            parse=parse,
            id_field=id_field,
            params=params,
            page_concurrency=self._page_concurrency,
        )

    def list_collection(
        self,
        path: str,
        key: str,
        parse: Callable[[Mapping[str, Any]], T],
        *,
        id_field: str | None = "id",
    ) -> Listing[T]:
        """Every item of the DO collection at ``path`` (envelope ``key``), each ``parse``d.

        What an inventory kind needs from DO when a plain list endpoint is all it has.
        """
        return self._list(path, key, parse, id_field=id_field)

    def _write(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        counter: RequestCounter | None = None,
    ) -> Mapping[str, Any]:
        return self._transport.call(method, path, body=body, idempotent=idempotent, counter=counter)

    def _delete(self, path: str, *, missing_ok: bool) -> bool:
        """DELETE ``path``; True if deleted, False if it was already gone and ``missing_ok``."""
        try:
            self._transport.call("DELETE", path, expect="empty")
        except DONotFoundError:
            if missing_ok:
                return False
            raise
        return True

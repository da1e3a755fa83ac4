"""Endpoints every kind shares: fetch-or-404, the GET of a collection or of one resource, DELETE.

A kind module builds its read routes from these, declaring only what differs: the store kind,
the envelope key, how a page renders (default: stored bodies as they are) and which store
filters a request means.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from arcadia_cloud_sim.api.envelopes import json_response, no_content, stored_bodies
from arcadia_cloud_sim.api.errors import not_found
from arcadia_cloud_sim.api.pagination import paginate
from arcadia_cloud_sim.api.urns import unassign_urn, urn_for
from arcadia_cloud_sim.context import SimContext, sim_context
from arcadia_cloud_sim.store import ResourceRow

Endpoint = Callable[[Request], Awaitable[Response]]
#: Renders a page of rows as DO's objects.
Render = Callable[[SimContext, Sequence[ResourceRow]], list[Any]]
#: ``Store.list_rows`` keyword arguments for a request; may raise (e.g. a 404 for a parent).
Filters = Callable[[Request, SimContext], Mapping[str, Any]]


def as_stored(ctx: SimContext, rows: Sequence[ResourceRow]) -> list[Any]:
    """The default :data:`Render`: stored bodies already have DO's shape."""
    return stored_bodies(rows)


def require(row: ResourceRow | None) -> ResourceRow:
    """``row`` or a 404 ``not_found``."""
    if row is None:
        raise not_found()
    return row


def by_name(request: Request, ctx: SimContext) -> Mapping[str, Any]:
    """The :data:`Filters` of a list with DO's ``?name=`` filter."""
    name = request.query_params.get("name")
    return {"name": name} if name else {}


def parent_id(request: Request, kind: str, param: str) -> str:
    """The id of the ``kind`` named by path parameter ``param`` (404 when there is none)."""
    ident = str(request.path_params[param])
    require(sim_context(request).store.get_row(kind, ident))
    return ident


def list_endpoint(
    kind: str, key: str, *, render: Render = as_stored, filters: Filters | None = None
) -> Endpoint:
    """``GET`` a paginated collection of ``kind`` as ``{key: [...], links, meta}``.

    ``filters`` runs inside the read transaction, so it can check that a parent exists.
    """

    async def endpoint(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction(write=False):
            where = filters(request, ctx) if filters else {}
            return paginate(
                request,
                lambda limit, offset: ctx.store.list_rows(kind, limit=limit, offset=offset,
                                                          **where),
                key,
                render=lambda rows: render(ctx, rows),
            )

    endpoint.__name__ = f"list_{key}"
    return endpoint


def get_endpoint(
    kind: str, key: str, param: str, *, render: Render = as_stored,
    accept: Callable[[Request, ResourceRow], bool] | None = None,
) -> Endpoint:
    """``GET`` one ``kind`` by path parameter ``param`` as ``{key: {...}}``.

    A row that ``accept`` refuses is a 404 as if it did not exist.
    """

    async def endpoint(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction(write=False):
            row = require(ctx.store.get_row(kind, str(request.path_params[param])))
            if accept is not None and not accept(request, row):
                raise not_found()
            return json_response({key: render(ctx, [row])[0]})

    endpoint.__name__ = f"get_{key}"
    return endpoint


def forget(ctx: SimContext, kind: str, row: ResourceRow) -> None:
    """Delete ``row`` (a ``kind``) and drop it from its project."""
    ctx.store.delete(kind, row.id, at=ctx.clock.now())
    resource_urn = urn_for(kind, row)
    if resource_urn is not None:
        unassign_urn(ctx, resource_urn)


def delete_endpoint(kind: str, param: str) -> Endpoint:
    """``DELETE`` one ``kind`` by path parameter ``param`` → 204 (see :func:`forget`)."""

    async def endpoint(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction():
            forget(ctx, kind, require(ctx.store.get_row(kind, str(request.path_params[param]))))
        return no_content()

    endpoint.__name__ = f"delete_{kind}"
    return endpoint


def whole_list_endpoint(
    kind: str, key: str, *, render: Render = as_stored, filters: Filters | None = None
) -> Endpoint:
    """``GET`` a collection DO does not paginate (a database's replicas, an app's alerts) as
    ``{key: [...]}`` with every item and no ``links``/``meta``."""

    async def endpoint(request: Request) -> Response:
        ctx = sim_context(request)
        with ctx.store.transaction(write=False):
            where = filters(request, ctx) if filters else {}
            rows, _ = ctx.store.list_rows(kind, **where)
            return json_response({key: render(ctx, rows)})

    endpoint.__name__ = f"list_all_{key}"
    return endpoint

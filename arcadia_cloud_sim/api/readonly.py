"""Routes of a kind the simulator serves as DO lists it: the collection, one object, a DELETE.

A kind module whose objects are seeded (or created behind the API's back through ``/_sim``)
and only read and deleted through the API declares them with :func:`kind_routes`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.endpoints import (
    Filters,
    Render,
    as_stored,
    delete_endpoint,
    get_endpoint,
    list_endpoint,
)


def kind_routes(
    path: str, kind: str, *, plural: str, singular: str, param: str,
    render: Render = as_stored, filters: Filters | None = None, delete: bool = True,
) -> list[BaseRoute]:
    """``GET path`` (``{plural: [...]}``), ``GET path/{param}`` (``{singular: {...}}``) and,
    unless ``delete`` is False, ``DELETE path/{param}`` → 204."""
    one = f"{path}/{{{param}}}"
    routes: list[BaseRoute] = [
        Route(path, list_endpoint(kind, plural, render=render, filters=filters),
              methods=["GET"]),
        Route(one, get_endpoint(kind, singular, param, render=render), methods=["GET"]),
    ]
    if delete:
        routes.append(Route(one, delete_endpoint(kind, param), methods=["DELETE"]))
    return routes

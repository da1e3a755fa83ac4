"""The registry's route order: no route is shadowed by an earlier one that matches its paths."""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Match, Mount, Route

from arcadia_cloud_sim.registry import all_routes, resource_kinds


def _flat(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    out: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            out += _flat(list(route.routes), prefix + route.path)
        else:
            assert isinstance(route, Route)
            out.append((prefix + route.path, route))
    return out


def _sample(path: str) -> str:
    """A concrete path for a route template (ints for ``:int`` parameters)."""
    return re.sub(r"\{[^}:]+:int\}", "7", re.sub(r"\{[^}:]+\}", "sample", path))


def _first_match(routes: list[tuple[str, Route]], path: str, method: str) -> str:
    for full, route in routes:
        prefix = full[: len(full) - len(route.path)]
        if not path.startswith(prefix):
            continue
        scope = {"type": "http", "path": path[len(prefix) :], "method": method}
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return full
    raise AssertionError(f"no route serves {method} {path}")


ROUTES = _flat(all_routes())


@pytest.mark.parametrize(
    ("path", "method"),
    sorted({(full, m) for full, route in ROUTES for m in route.methods or () if m != "HEAD"}),
)
def test_each_route_serves_its_own_paths(path: str, method: str) -> None:
    assert _first_match(ROUTES, _sample(path), method) == path


def test_every_kind_module_is_registered_once() -> None:
    kinds = resource_kinds()
    assert len(kinds) == len(set(kinds))
    served = {(path, route.endpoint.__name__) for path, route in ROUTES}
    for kind in kinds:
        assert {(r.path, r.endpoint.__name__) for r in kind.routes()} <= served, kind.__name__

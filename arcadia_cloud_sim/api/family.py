"""How the registry lists the routes of its kind modules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from starlette.routing import BaseRoute


class Routed(Protocol):
    """A kind module (or any module) that serves routes."""

    def routes(self) -> list[BaseRoute]: ...


def routes_of(members: Iterable[Routed]) -> list[BaseRoute]:
    """The routes of ``members``, in order (the first route that matches a request wins)."""
    return [route for member in members for route in member.routes()]

"""What DigitalOcean steps use at run time: the app database and a DO client, bound per call.

A step's contract is ``execute(state) -> state`` (see `saga.step`), so run-time services are not
arguments: whoever runs the saga binds them around the engine call::

    with bind_services(StepServices(engine=engine, open_do=do_resource.client)):
        runner.run_step(saga_id, idx)

The DO client is opened on first use only (a saga whose steps never call DO needs no token), and
closed when the binding ends. Tests bind a client they already hold with ``do=client``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.errors import ConfigError

_CURRENT: ContextVar[StepServices | None] = ContextVar("arcadia_saga_step_services", default=None)


@dataclass
class StepServices:
    """The database engine, a lazily opened DO client, and the clock steps poll with."""

    engine: Engine
    open_do: Callable[[], AbstractContextManager[DOClient]] | None = None
    do_client: DOClient | None = None
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def do(self) -> DOClient:
        """The DO client (opened now if it was not yet)."""
        if self.do_client is None:
            if self.open_do is None:
                raise ConfigError("this saga step needs a DigitalOcean client; none was bound")
            self.do_client = self._stack.enter_context(self.open_do())
        return self.do_client

    def close(self) -> None:
        """Close what `do` opened (a client passed in as ``do_client`` stays open)."""
        self._stack.close()


@contextmanager
def bind_services(services: StepServices) -> Iterator[StepServices]:
    """Make ``services`` the current ones for the block; closes what they opened afterwards."""
    token = _CURRENT.set(services)
    try:
        yield services
    finally:
        _CURRENT.reset(token)
        services.close()


def current_services() -> StepServices:
    """The services bound by the caller; `ConfigError` when a step runs without them."""
    services = _CURRENT.get()
    if services is None:
        raise ConfigError(
            "saga step services are not bound: run DO steps inside bind_services(...) "
            "(the saga job factory does this)"
        )
    return services

"""The Dagster resources both code locations share (the only core module that imports Dagster).

Settings come from the environment through `dg.EnvVar`, resolved when a run starts, so no secret
ever lands in run config, metadata or logs. See the README's configuration table.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.errors import ConfigError

PURPOSES = ("sync", "billing", "provisioning")
DEFAULT_DO_BASE_URL = "https://api.digitalocean.com"


def env_setting(*names: str) -> dg.EnvVar | None:
    """An `EnvVar` for the first of `names` that is set (checked by name only), else None.

    Lets an optional setting fall back to another (`DO_API_TOKEN_SYNC` → `DO_API_TOKEN`) while the
    value itself is still read only at run time.
    """
    for name in names:
        if os.environ.get(name, "").strip():
            return dg.EnvVar(name)
    return None


def token_settings(purpose: str) -> tuple[str, str]:
    """The environment variables that may hold the token of `purpose`, most specific first."""
    return (f"DO_API_TOKEN_{purpose.upper()}", "DO_API_TOKEN")


class DatabaseResource(dg.ConfigurableResource):
    """The application database (`ARCADIA_DATABASE_URL`; default: SQLite under the Dagster home)."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means the embedded SQLite file under DAGSTER_HOME.",
    )

    def engine(self) -> Engine:
        """The migrated, ready engine (cached per process)."""
        return open_database(self.url, setting=DATABASE_URL_SETTING)


class DigitalOceanResource(dg.ConfigurableResource):
    """A DigitalOcean API client for one purpose, with that purpose's own token and rate budget."""

    purpose: str = Field(description="sync, billing or provisioning")
    token: str | None = Field(default=None, description="Bearer token (from the environment).")
    base_url: str = Field(default=DEFAULT_DO_BASE_URL, description="DO_API_BASE_URL")
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1)
    page_concurrency: int = Field(default=4, ge=1, le=16)
    requests_per_minute: int = Field(default=250, ge=1)
    requests_per_hour: int = Field(default=5000, ge=1)

    @contextmanager
    def client(self) -> Iterator[DOClient]:
        """An open client; closed when the block ends."""
        if self.purpose not in PURPOSES:
            raise ConfigError(
                f"unknown DigitalOcean purpose {self.purpose!r}; use one of {PURPOSES}"
            )
        if not self.token:
            specific, general = token_settings(self.purpose)
            raise ConfigError(
                f"no DigitalOcean token for purpose {self.purpose!r}: set {specific} or {general} "
                "(`make dev` without a token runs against the simulator)"
            )
        with DOClient(
            token=self.token,
            base_url=self.base_url,
            purpose=self.purpose,
            timeout=self.timeout_seconds,
            max_attempts=self.max_attempts,
            page_concurrency=self.page_concurrency,
            requests_per_minute=self.requests_per_minute,
            requests_per_hour=self.requests_per_hour,
        ) as do:
            yield do


def digitalocean_resource(purpose: str) -> DigitalOceanResource:
    """The resource for `purpose`, wired to its environment variables."""
    base_url = env_setting("DO_API_BASE_URL")
    return DigitalOceanResource(
        purpose=purpose,
        token=env_setting(*token_settings(purpose)),
        base_url=base_url if base_url is not None else DEFAULT_DO_BASE_URL,
    )


def database_resource() -> DatabaseResource:
    """The database resource, wired to `ARCADIA_DATABASE_URL` when it is set."""
    return DatabaseResource(url=env_setting(DATABASE_URL_SETTING))


def shared_resources() -> dict[str, dg.ConfigurableResource]:
    """What every code location wires: `database`, `do_sync`, `do_billing`, `do_provisioning`."""
    resources: dict[str, dg.ConfigurableResource] = {"database": database_resource()}
    for purpose in PURPOSES:
        resources[f"do_{purpose}"] = digitalocean_resource(purpose)
    return resources

"""The Dagster resources both code locations share (the only core module that imports Dagster).

Settings come from the environment through `dg.EnvVar`, resolved when a run starts, so no secret
ever lands in run config, metadata or logs. See the README's configuration table.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.finance import FinanceSettings
from arcadia_cloud_core.db.engine import DATABASE_URL_SETTING, open_database
from arcadia_cloud_core.digitalocean import DOAuthError, DOClient, spaces, token_fingerprint
from arcadia_cloud_core.digitalocean import defaults as do_defaults
from arcadia_cloud_core.errors import ConfigError

PURPOSES = ("sync", "billing", "provisioning")


def do_pool(purpose: str) -> str:
    """The Dagster pool of `purpose`'s DO work: its token's rate budget, shared by every run."""
    return f"do_api_{purpose}"


#: Every DO pool (`make dev` creates them with the instance's default limit).
DO_POOLS = tuple(do_pool(purpose) for purpose in PURPOSES)


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


def token_rejected(purpose: str, error: DOAuthError) -> ConfigError:
    """The error for a token DigitalOcean refused: names the purpose and the settings to fix."""
    specific, general = token_settings(purpose)
    return ConfigError(
        f"DigitalOcean refused the {purpose!r} token (HTTP {error.status} on {error.method} "
        f"{error.path}: {error.message}): set a valid token with the scopes {purpose} needs in "
        f"{specific} or {general}, then restart the code locations"
    )


class DatabaseResource(dg.ConfigurableResource):
    """The application database (`ARCADIA_DATABASE_URL`; default: SQLite under the Dagster home)."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means the embedded SQLite file under DAGSTER_HOME.",
    )

    def engine(self) -> Engine:
        """The migrated, ready engine (cached per process)."""
        return open_database(self.url, setting=DATABASE_URL_SETTING)


#: `DigitalOceanResource.shared_client`'s clients, by configuration; never closed: they live as
#: long as the process.
_SHARED_CLIENTS: dict[tuple[Any, ...], DOClient] = {}
_SHARED_STACK = ExitStack()
_SHARED_LOCK = threading.Lock()


class DigitalOceanResource(dg.ConfigurableResource):
    """A DigitalOcean API client for one purpose, with that purpose's own token and rate budget."""

    purpose: str = Field(description="sync, billing or provisioning")
    token: str | None = Field(default=None, description="Bearer token (from the environment).")
    base_url: str = Field(default=do_defaults.DEFAULT_BASE_URL, description="DO_API_BASE_URL")
    timeout_seconds: float = Field(default=do_defaults.DEFAULT_TIMEOUT_SECONDS, gt=0)
    max_attempts: int = Field(default=do_defaults.DEFAULT_MAX_ATTEMPTS, ge=1)
    page_concurrency: int = Field(default=do_defaults.DEFAULT_PAGE_CONCURRENCY, ge=1, le=16)
    requests_per_minute: int = Field(default=do_defaults.DEFAULT_REQUESTS_PER_MINUTE, ge=1)
    requests_per_hour: int = Field(default=do_defaults.DEFAULT_REQUESTS_PER_HOUR, ge=1)
    endpoint_window_scale: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Shortens DO's endpoint-limit windows (SSH keys "
        "10/60 s, CDN 5/10 s): only for a simulator started with the same scale (tests).",
    )

    @contextmanager
    def client(self) -> Iterator[DOClient]:
        """An open client; closed when the block ends.

        DigitalOcean refusing the token (401/403) anywhere in the block becomes one `ConfigError`
        naming the purpose and the settings to fix, instead of an HTTP error per endpoint.
        """
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
        try:
            with DOClient(
                token=self.token,
                base_url=self.base_url,
                purpose=self.purpose,
                timeout=self.timeout_seconds,
                max_attempts=self.max_attempts,
                page_concurrency=self.page_concurrency,
                requests_per_minute=self.requests_per_minute,
                requests_per_hour=self.requests_per_hour,
                endpoint_window_scale=self.endpoint_window_scale,
            ) as do:
                yield do
        except DOAuthError as exc:
            raise token_rejected(self.purpose, exc) from exc

    @contextmanager
    def shared_client(self) -> Iterator[DOClient]:
        """The process's client for this configuration: opened on first use, then kept open.

        For a run worker whose ops, failure hooks and retries each need a client: they share one
        connection pool instead of paying a TLS context and connections each. (Unlike `client`,
        a refused token surfaces as the client's own `DOAuthError`.)
        """
        key = (
            self.purpose,
            token_fingerprint(self.token or ""),
            self.base_url,
            self.timeout_seconds,
            self.max_attempts,
            self.page_concurrency,
            self.requests_per_minute,
            self.requests_per_hour,
        )
        with _SHARED_LOCK:
            client = _SHARED_CLIENTS.get(key)
            if client is None:
                client = _SHARED_STACK.enter_context(self.client())
                _SHARED_CLIENTS[key] = client
        yield client


class FinanceResource(dg.ConfigurableResource):
    """The finance service invoices are pushed to (`FINANCE_URL`, `FINANCE_JWT_SECRET`).

    Unconfigured (either unset) is a normal state: the push is skipped, never failed.
    """

    url: str | None = Field(default=None, description="FINANCE_URL: the service's base URL.")
    jwt_secret: str | None = Field(
        default=None, description="FINANCE_JWT_SECRET: HS256 signing secret (from the env)."
    )
    timeout_seconds: float = Field(default=30.0, gt=0)

    def settings(self) -> FinanceSettings | None:
        """Push settings, or None when the service is not configured."""
        if not (self.url or "").strip() or not self.jwt_secret:
            return None
        return FinanceSettings(
            base_url=(self.url or "").strip().rstrip("/"),
            jwt_secret=self.jwt_secret,
            timeout_seconds=self.timeout_seconds,
        )


#: The environment variables of the Spaces key pair (a Spaces access key, not the API token).
SPACES_KEY_SETTINGS = ("ARCADIA_SPACES_KEY", "ARCADIA_SPACES_SECRET")


class SpacesResource(dg.ConfigurableResource):
    """DO Spaces through the S3 API (`ARCADIA_SPACES_KEY`, `ARCADIA_SPACES_SECRET`; regions in
    `ARCADIA_SPACES_REGIONS`, endpoint template in `ARCADIA_SPACES_ENDPOINT`).

    Unconfigured (either key unset) is a normal state: the bucket listing is skipped, and buckets
    stay the placeholders project URNs make.
    """

    access_key_id: str | None = Field(default=None, description="ARCADIA_SPACES_KEY (env only).")
    secret_access_key: str | None = Field(
        default=None, description="ARCADIA_SPACES_SECRET (env only)."
    )
    regions: str = Field(
        default=",".join(spaces.DEFAULT_SPACES_REGIONS),
        description="Comma list of the Spaces regions to list.",
    )
    endpoint: str = Field(
        default=spaces.DEFAULT_SPACES_ENDPOINT,
        description="S3 endpoint template, `{region}` replaced (the simulator: <url>/s3/{region}).",
    )
    timeout_seconds: float = Field(default=30.0, gt=0)

    @property
    def configured(self) -> bool:
        """Whether both halves of the key pair are set."""
        return bool(self.access_key_id) and bool(self.secret_access_key)

    def region_list(self) -> list[str]:
        """The configured regions, in order, without blanks or repeats."""
        return list(dict.fromkeys(r.strip() for r in self.regions.split(",") if r.strip()))

    def list_buckets(self) -> tuple[list[spaces.SpacesBucket], int]:
        """Every bucket of the configured regions, and the requests made."""
        if not self.configured:
            raise ConfigError(
                f"no Spaces key pair: set {' and '.join(SPACES_KEY_SETTINGS)} "
                "(a Spaces access key, made under API → Spaces Keys)"
            )
        return spaces.list_buckets(
            access_key_id=self.access_key_id or "",
            secret_access_key=self.secret_access_key or "",
            regions=self.region_list(),
            endpoint_template=self.endpoint,
            timeout_seconds=self.timeout_seconds,
        )


def spaces_resource() -> SpacesResource:
    """The Spaces resource, wired to its environment variables when they are set."""
    key, secret = (env_setting(name) for name in SPACES_KEY_SETTINGS)
    settings: dict[str, Any] = {"access_key_id": key, "secret_access_key": secret}
    for field, name in (
        ("regions", "ARCADIA_SPACES_REGIONS"),
        ("endpoint", "ARCADIA_SPACES_ENDPOINT"),
    ):
        value = env_setting(name)
        if value is not None:
            settings[field] = value
    return SpacesResource(**settings)


def finance_resource() -> FinanceResource:
    """The finance resource, wired to `FINANCE_URL` / `FINANCE_JWT_SECRET` when they are set."""
    return FinanceResource(
        url=env_setting("FINANCE_URL"), jwt_secret=env_setting("FINANCE_JWT_SECRET")
    )


def digitalocean_resource(purpose: str) -> DigitalOceanResource:
    """The resource for `purpose`, wired to its environment variables."""
    base_url = env_setting("DO_API_BASE_URL")
    return DigitalOceanResource(
        purpose=purpose,
        token=env_setting(*token_settings(purpose)),
        base_url=base_url if base_url is not None else do_defaults.DEFAULT_BASE_URL,
    )


def database_resource() -> DatabaseResource:
    """The database resource, wired to `ARCADIA_DATABASE_URL` when it is set."""
    return DatabaseResource(url=env_setting(DATABASE_URL_SETTING))


def shared_resources() -> dict[str, dg.ConfigurableResource]:
    """What every location wires: `database`, `finance`, and `do_<purpose>` per purpose."""
    resources: dict[str, dg.ConfigurableResource] = {
        "database": database_resource(),
        "finance": finance_resource(),
        "spaces": spaces_resource(),
    }
    for purpose in PURPOSES:
        resources[f"do_{purpose}"] = digitalocean_resource(purpose)
    return resources

"""DigitalOcean API v2 client: auth per purpose, pagination, pacing, retries, typed errors.

Typical use::

    with DOClient(token=token, purpose="sync") as do:
        droplets = do.list_droplets()          # Listing[Droplet]: items, skipped, requests, …
        for droplet in droplets:
            ...
"""

from arcadia_cloud_core.digitalocean import models
from arcadia_cloud_core.digitalocean.client import DOClient
from arcadia_cloud_core.digitalocean.defaults import DEFAULT_BASE_URL
from arcadia_cloud_core.digitalocean.errors import (
    DOAuthError,
    DOCurrencyError,
    DOError,
    DONotFoundError,
    DOParseError,
    DORateLimitError,
    DOServerError,
    DOTransportError,
    FieldError,
)
from arcadia_cloud_core.digitalocean.listing import Listing, SkippedItem
from arcadia_cloud_core.digitalocean.models import *  # noqa: F403 (the names of models.__all__)
from arcadia_cloud_core.digitalocean.pacing import RateBudget, token_fingerprint

__all__ = [
    "DEFAULT_BASE_URL",
    "DOAuthError",
    "DOClient",
    "DOCurrencyError",
    "DOError",
    "DONotFoundError",
    "DOParseError",
    "DORateLimitError",
    "DOServerError",
    "DOTransportError",
    "FieldError",
    "Listing",
    "RateBudget",
    "SkippedItem",
    "token_fingerprint",
]
__all__ += models.__all__  # the payload models: listed once, in models/__init__.py

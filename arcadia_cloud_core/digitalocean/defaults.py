"""The DO client's defaults, in one place: ``DOClient`` and ``DigitalOceanResource`` both use them.

The rate budget is DO's published one: 250 requests per minute (burst) and 5,000 per hour.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_BURST_WINDOW_SECONDS",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_RETRY_SECONDS",
    "DEFAULT_PAGE_CONCURRENCY",
    "DEFAULT_REQUESTS_PER_HOUR",
    "DEFAULT_REQUESTS_PER_MINUTE",
    "DEFAULT_TIMEOUT_SECONDS",
]

DEFAULT_BASE_URL = "https://api.digitalocean.com"
#: Per HTTP attempt.
DEFAULT_TIMEOUT_SECONDS = 30.0
#: Attempts per call, the first included; all of them within ``DEFAULT_MAX_RETRY_SECONDS``.
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_MAX_RETRY_SECONDS = 120.0
#: Pages of one listing fetched at once.
DEFAULT_PAGE_CONCURRENCY = 4
DEFAULT_REQUESTS_PER_MINUTE = 250
DEFAULT_REQUESTS_PER_HOUR = 5000
DEFAULT_BURST_WINDOW_SECONDS = 60.0

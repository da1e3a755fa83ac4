"""DigitalOcean API v2 client: auth per purpose, pagination, pacing, retries, typed errors.

Typical use::

    with DOClient(token=token, purpose="sync") as do:
        droplets = do.list_droplets()          # Listing[Droplet]: items, skipped, requests, …
        for droplet in droplets:
            ...
"""

from arcadia_cloud_core.digitalocean.client import DOClient
from arcadia_cloud_core.digitalocean.defaults import DEFAULT_BASE_URL
from arcadia_cloud_core.digitalocean.errors import (
    DOAuthError,
    DOError,
    DONotFoundError,
    DOParseError,
    DORateLimitError,
    DOServerError,
    DOTransportError,
)
from arcadia_cloud_core.digitalocean.listing import Listing, SkippedItem
from arcadia_cloud_core.digitalocean.models import (
    Account,
    Action,
    Balance,
    BillingHistoryEntry,
    Created,
    Domain,
    DomainRecord,
    Droplet,
    Firewall,
    FirewallRule,
    ForwardingRule,
    Image,
    Invoice,
    InvoiceItem,
    InvoiceSummary,
    LoadBalancer,
    Project,
    ProjectResource,
    ReservedIP,
    Snapshot,
    SummaryLine,
    Volume,
    split_urn,
)
from arcadia_cloud_core.digitalocean.pacing import RateBudget, token_fingerprint

__all__ = [
    "DEFAULT_BASE_URL",
    "Account",
    "Action",
    "Balance",
    "BillingHistoryEntry",
    "Created",
    "DOAuthError",
    "DOClient",
    "DOError",
    "DONotFoundError",
    "DOParseError",
    "DORateLimitError",
    "DOServerError",
    "DOTransportError",
    "Domain",
    "DomainRecord",
    "Droplet",
    "Firewall",
    "FirewallRule",
    "ForwardingRule",
    "Image",
    "Invoice",
    "InvoiceItem",
    "InvoiceSummary",
    "Listing",
    "LoadBalancer",
    "Project",
    "ProjectResource",
    "RateBudget",
    "ReservedIP",
    "SkippedItem",
    "Snapshot",
    "SummaryLine",
    "Volume",
    "split_urn",
    "token_fingerprint",
]

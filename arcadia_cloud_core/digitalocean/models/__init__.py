"""Frozen dataclasses parsed from DO payloads; each keeps the payload as ``raw``."""

from arcadia_cloud_core.digitalocean.models.billing import (
    Balance,
    BillingHistoryEntry,
    BillingInsight,
    Invoice,
    InvoiceItem,
    InvoiceSummary,
    SummaryLine,
)
from arcadia_cloud_core.digitalocean.models.compute import Account, Action, Created, Droplet, Image
from arcadia_cloud_core.digitalocean.models.networking import (
    Domain,
    DomainRecord,
    Firewall,
    FirewallRule,
    ForwardingRule,
    LoadBalancer,
    ReservedIP,
)
from arcadia_cloud_core.digitalocean.models.projects import Project, ProjectResource, split_urn
from arcadia_cloud_core.digitalocean.models.storage import Snapshot, Volume

__all__ = [
    "Account",
    "Action",
    "Balance",
    "BillingHistoryEntry",
    "BillingInsight",
    "Created",
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
    "LoadBalancer",
    "Project",
    "ProjectResource",
    "ReservedIP",
    "Snapshot",
    "SummaryLine",
    "Volume",
    "split_urn",
]

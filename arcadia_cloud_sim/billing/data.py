"""Pure invoice generation for the simulator's billing API (no HTTP, no SQLite).

Money is integer cents throughout; prices are integer *centicents* (1/100 of a cent, so a
snapshot's $0.06/GiB/month on 2.41 GiB is exactly 1446). DO bills by the started hour at
``monthly / 672`` per hour (28 days of 24 h), capped at the monthly price; we round half up to
the cent per line, and the invoice amount is the sum of its lines.

A scenario describes its account as a :class:`BillingPlan`: :class:`Billable` things with a
lifetime and a monthly price, a range of months and a tax rule
(:mod:`arcadia_cloud_sim.billing.scenarios` builds them). :func:`build_invoice_history` turns a
plan into monthly :class:`Invoice` objects, :func:`invoice_lines` with ``until`` gives the
month-to-date preview, and :func:`build_billing_history` the invoice and payment entries.

Eras and formats follow docs/do-invoice-formats.md: before :data:`PROJECTS_SINCE` DO had no
projects, so every line's ``project_name`` is empty (and the CSV has no ``category`` column, see
:mod:`~arcadia_cloud_sim.billing.invoice_csv`); ``category`` is per product
(:data:`PAAS_PRODUCTS`); volume and snapshot lines carry region and size
(``pgdata (nyc3) 100GB Volume``, ``web-1-2026-04-01 (nyc3) 4.91GB Droplet Snapshot``).
Account-level lines that are not hourly (credits, bandwidth overage) are :class:`Charge` objects
with no hours. Tax is computed on the subtotal *after* credits (whether DO taxes before or after
credits is unverified; we chose after).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

HOURS_PER_BILLING_MONTH = 672
CATEGORY = "iaas"
SPACES_MONTHLY_CENTICENTS = 50_000
GST_DESCRIPTION = "GST (10%)"
GST_RATE_PERCENT = 10
GST_SINCE = datetime(2017, 7, 1, tzinfo=UTC)
SPACES_SINCE = datetime(2017, 10, 1, tzinfo=UTC)
#: DO projects (and ``project_name`` on invoice lines, ``category`` in the CSV) from here on
#: (inferred: projects launched in late 2018).
PROJECTS_SINCE = datetime(2018, 10, 1, tzinfo=UTC)
#: Per-bucket Spaces lines (docs.digitalocean.com/platform/billing, 1 August 2024).
SPACES_PER_BUCKET_SINCE = datetime(2024, 8, 1, tzinfo=UTC)
#: App Platform and Container Registry (both launched in October 2020).
APP_PLATFORM_SINCE = datetime(2020, 10, 1, tzinfo=UTC)
#: Products DO categorises as ``paas`` (load balancers: godo's invoice example; the others by
#: analogy, inferred); everything else is ``iaas``.
PAAS_PRODUCTS = frozenset({"Load Balancers", "Database Clusters", "Kubernetes Clusters",
                           "App Platform", "Container Registry"})

#: Monthly droplet prices in cents: today's slugs and the pre-2018 "legacy" ones.
DROPLET_MONTHLY_CENTS: dict[str, int] = {
    "s-1vcpu-512mb-10gb": 400, "s-1vcpu-1gb": 600, "s-1vcpu-2gb": 1200, "s-2vcpu-2gb": 1800,
    "s-2vcpu-4gb": 2400, "s-4vcpu-8gb": 4800, "s-8vcpu-16gb": 9600, "g-2vcpu-8gb": 6300,
    "c-2": 4200, "m-2vcpu-16gb": 8400,
    "512mb": 500, "1gb": 1000, "2gb": 2000, "4gb": 4000, "8gb": 8000,
}
BACKUP_PERCENT = 20
VOLUME_CENTICENTS_PER_GIB = 1_000  # $0.10 / GiB / month
SNAPSHOT_CENTICENTS_PER_GIB = 600  # $0.06 / GiB / month
LOAD_BALANCER_MONTHLY_CENTICENTS = 120_000
RESERVED_IP_MONTHLY_CENTICENTS = 50_000  # unassigned reserved / floating IPs
DATABASE_MONTHLY_CENTICENTS = {"db-s-1vcpu-1gb": 150_000, "db-s-1vcpu-2gb": 300_000}
K8S_NODE_MONTHLY_CENTICENTS = 240_000  # an s-2vcpu-4gb node of a DOKS node pool
APP_BASIC_MONTHLY_CENTICENTS = 50_000
REGISTRY_BASIC_MONTHLY_CENTICENTS = 50_000


# -- periods and money --------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """One calendar month, ``label`` ``YYYY-MM``, ``[start, end)`` in UTC."""

    label: str
    start: datetime
    end: datetime

    @property
    def month_name(self) -> str:
        """``April 2026``."""
        return self.start.strftime("%B %Y")


def period(label: str) -> Period:
    """The :class:`Period` for ``YYYY-MM``."""
    year, month = (int(p) for p in label.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return Period(label, start, end)


def month_periods(first: str, last: str) -> list[Period]:
    """Every month from ``first`` to ``last`` inclusive."""
    out = [period(first)]
    while out[-1].label != last:
        out.append(period(out[-1].end.strftime("%Y-%m")))
        if len(out) > 10_000:
            raise ValueError(f"{last!r} is not after {first!r}")
    return out


def next_period(label: str) -> Period:
    """The month after ``label``."""
    return period(period(label).end.strftime("%Y-%m"))


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def prorated_cents(monthly_centicents: int, hours: int) -> int:
    """DO's hourly billing: ``monthly / 672`` per started hour, capped at the monthly price
    (a negative price, a credit, is prorated like its opposite)."""
    if monthly_centicents < 0:
        return -prorated_cents(-monthly_centicents, hours)
    cap = _round_half_up(monthly_centicents, 100)
    return min(cap, _round_half_up(monthly_centicents * hours, HOURS_PER_BILLING_MONTH * 100))


def tax_cents(subtotal_cents: int, rate_percent: int = GST_RATE_PERCENT) -> int:
    """Tax on a subtotal, rounded half up to the cent."""
    return _round_half_up(subtotal_cents * rate_percent, 100)


def category_for(product: str) -> str:
    """The CSV ``category`` DO gives a product's lines: ``paas`` or ``iaas``."""
    return "paas" if product in PAAS_PRODUCTS else CATEGORY


def format_usd(cents: int) -> str:
    """DO's JSON money string: ``"86.92"``, ``"-12.34"``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def format_csv_usd(cents: int) -> str:
    """DO's CSV money: ``$3.11``, ``$1,234.56`` (the caller quotes fields holding a comma)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{frac:02d}"


# -- models --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice line, as both the CSV row and the JSON invoice item."""

    product: str
    group_description: str
    description: str
    hours: int | None
    start: datetime
    end: datetime
    amount_cents: int
    project_name: str
    category: str = CATEGORY
    resource_uuid: str | None = None
    resource_id: str | None = None


@dataclass(frozen=True)
class Invoice:
    """A monthly invoice; ``amount_cents`` is the sum of its lines by construction."""

    invoice_uuid: str
    invoice_id: str
    period: str
    issued_at: datetime
    lines: tuple[InvoiceLine, ...]

    @property
    def amount_cents(self) -> int:
        """Σ line amounts."""
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True)
class BillingHistoryEntry:
    """One ``billing_history`` entry (``Invoice`` or ``Payment``)."""

    date: datetime
    type: str
    description: str
    amount_cents: int
    invoice_uuid: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True)
class Billable:
    """Something billed by the hour over ``[start, end)`` (``end`` None while it runs)."""

    product: str
    description: str
    monthly_centicents: int
    project_name: str
    start: datetime
    end: datetime | None = None
    group_description: str = ""
    resource_uuid: str | None = None
    resource_id: str | None = None

    def line_for(self, month: Period, *, until: datetime | None = None) -> InvoiceLine | None:
        """This billable's line in ``month`` (up to ``until``), or None if it did not run."""
        stop = month.end if until is None else min(month.end, until)
        start = max(self.start, month.start)
        end = stop if self.end is None else min(self.end, stop)
        if end <= start:
            return None
        hours = math.ceil((end - start).total_seconds() / 3600)
        return InvoiceLine(
            product=self.product, group_description=self.group_description,
            description=self.description, hours=hours, start=start, end=end,
            amount_cents=prorated_cents(self.monthly_centicents, hours),
            project_name=self.project_name, category=category_for(self.product),
            resource_uuid=self.resource_uuid, resource_id=self.resource_id,
        )


@dataclass(frozen=True)
class Charge:
    """A one-off line in one month, not billed by the hour (a credit, a bandwidth overage):
    no hours, the whole month as its period, an empty project."""

    product: str
    description: str
    amount_cents: int
    period: str

    def line(self) -> InvoiceLine:
        """This charge as its month's invoice line."""
        month = period(self.period)
        return InvoiceLine(
            product=self.product, group_description="", description=self.description,
            hours=None, start=month.start, end=month.end - timedelta(seconds=1),
            amount_cents=self.amount_cents, project_name="",
            category=category_for(self.product),
        )


@dataclass(frozen=True)
class TaxRule:
    """A percentage tax on each invoice's subtotal from ``since`` on."""

    description: str = GST_DESCRIPTION
    rate_percent: int = GST_RATE_PERCENT
    since: datetime = GST_SINCE


@dataclass(frozen=True)
class BillingPlan:
    """Everything needed to produce a scenario's invoices and its month-to-date preview."""

    billables: tuple[Billable, ...]
    first_period: str
    last_period: str
    tax: TaxRule | None = field(default_factory=TaxRule)
    charges: tuple[Charge, ...] = ()


# -- billable builders (DO's product names and descriptions) -------------------------------------
def droplet_billables(
    *,
    name: str,
    size_slug: str,
    project_name: str,
    start: datetime,
    end: datetime | None = None,
    backups: bool = False,
    droplet_id: str | None = None,
    monthly_cents: int | None = None,
) -> list[Billable]:
    """A droplet's line (``acme-web-1 (s-1vcpu-2gb)``) and its weekly-backups line if enabled."""
    cents = monthly_cents if monthly_cents is not None else droplet_monthly_cents(size_slug)
    ruuid = None if droplet_id is None else resource_uuid_for("droplet", droplet_id)
    out = [Billable("Droplets", f"{name} ({size_slug})", cents * 100, project_name, start, end,
                    resource_uuid=ruuid, resource_id=droplet_id)]
    if backups:
        out.append(Billable("Droplet Backups", f"{name} (Weekly Backup Services)",
                            cents * BACKUP_PERCENT, project_name, start, end,
                            resource_uuid=ruuid, resource_id=droplet_id))
    return out


def volume_description(name: str, region: str, size_gib: int) -> str:
    """``acme-db-data (nyc3) 100GB Volume`` (region and size after the name; wording inferred)."""
    return f"{name} ({region}) {size_gib}GB Volume"


def snapshot_description(name: str, region: str, size_centigib: int, *, volume: bool) -> str:
    """``acme-web-1-2026-04-01 (nyc3) 4.91GB Droplet Snapshot`` (DO's shape, verified for
    droplet snapshots) or ``… Volume Snapshot``."""
    size = f"{size_centigib // 100}.{size_centigib % 100:02d}"
    return f"{name} ({region}) {size}GB {'Volume' if volume else 'Droplet'} Snapshot"


def volume_billable(
    *, name: str, region: str, size_gib: int, project_name: str, start: datetime,
    end: datetime | None = None, volume_id: str | None = None,
) -> Billable:
    """A block-storage volume: ``acme-db-data (nyc3) 100GB Volume``."""
    return Billable("Volumes", volume_description(name, region, size_gib),
                    size_gib * VOLUME_CENTICENTS_PER_GIB, project_name, start, end,
                    resource_uuid=volume_id)


def snapshot_billable(
    *, name: str, region: str, size_centigib: int, volume: bool, project_name: str,
    start: datetime, end: datetime | None = None, snapshot_id: str | None = None,
) -> Billable:
    """A droplet or volume snapshot: ``acme-web-1-2026-04-01 (nyc3) 2.41GB Droplet Snapshot``."""
    ids: dict[str, str | None] = {"resource_uuid": snapshot_id} if volume else {
        "resource_id": snapshot_id,
        "resource_uuid": None if snapshot_id is None else resource_uuid_for("image", snapshot_id),
    }
    return Billable("Volume Snapshots" if volume else "Droplet Snapshots",
                    snapshot_description(name, region, size_centigib, volume=volume),
                    size_centigib * SNAPSHOT_CENTICENTS_PER_GIB // 100, project_name, start, end,
                    **ids)


def droplet_monthly_cents(size_slug: str) -> int:
    """The monthly price of a droplet size (unknown slugs cost like ``s-1vcpu-1gb``)."""
    return DROPLET_MONTHLY_CENTS.get(size_slug, DROPLET_MONTHLY_CENTS["s-1vcpu-1gb"])


def resource_uuid_for(kind: str, resource_id: str) -> str:
    """The stable internal UUID DO's billing reports for a numeric-id resource."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arcadia-sim/{kind}/{resource_id}"))


def spaces_billable(*, start: datetime = SPACES_SINCE) -> Billable:
    """The account-level Spaces subscription (no project)."""
    return Billable("Spaces Subscription", "Spaces Subscription", SPACES_MONTHLY_CENTICENTS, "",
                    start)


def spaces_bucket_billable(
    *, bucket: str, region: str, monthly_centicents: int, project_name: str, start: datetime,
) -> Billable:
    """A Spaces bucket's own line (from 2024-08): ``acme-assets (nyc3)`` (wording inferred)."""
    return Billable("Spaces", f"{bucket} ({region})", monthly_centicents, project_name,
                    max(start, SPACES_PER_BUCKET_SINCE))


def database_billable(
    *, cluster: str, size_slug: str, project_name: str, start: datetime, cluster_uuid: str,
) -> Billable:
    """A managed database cluster: grouped under its name, ``globex-pg (db-s-1vcpu-1gb)``, and
    DO's id of the cluster in the JSON item."""
    return Billable("Database Clusters", f"{cluster} ({size_slug})",
                    DATABASE_MONTHLY_CENTICENTS[size_slug], project_name, start,
                    group_description=cluster, resource_uuid=cluster_uuid)


def k8s_node_billables(
    *, cluster: str, nodes: int, project_name: str, start: datetime, cluster_uuid: str,
) -> list[Billable]:
    """A DOKS node pool: one line per node, the cluster as group and a hash as description
    (as in DO's spec example), the cluster's id in the JSON item."""
    return [
        Billable("Kubernetes Clusters", uuid.uuid5(uuid.NAMESPACE_URL,
                                                   f"arcadia-sim/doks/{cluster_uuid}/{n}").hex,
                 K8S_NODE_MONTHLY_CENTICENTS, project_name, start, group_description=cluster,
                 resource_uuid=cluster_uuid)
        for n in range(nodes)
    ]


def app_billable(*, app: str, project_name: str, start: datetime = APP_PLATFORM_SINCE) -> Billable:
    """An App Platform app on the Basic plan: ``storefront (Basic)`` (wording inferred)."""
    return Billable("App Platform", f"{app} (Basic)", APP_BASIC_MONTHLY_CENTICENTS, project_name,
                    max(start, APP_PLATFORM_SINCE))


def registry_billable(*, start: datetime = APP_PLATFORM_SINCE) -> Billable:
    """The account's Container Registry on the Basic plan (account-level, no project)."""
    return Billable("Container Registry", "Basic", REGISTRY_BASIC_MONTHLY_CENTICENTS, "",
                    max(start, APP_PLATFORM_SINCE))


# -- invoices -----------------------------------------------------------------------------------
_PRODUCT_ORDER = (
    "Droplets", "Droplet Backups", "Droplet Snapshots", "Volumes", "Volume Snapshots",
    "Load Balancers", "Floating IPs", "Reserved IPs", "Database Clusters", "Kubernetes Clusters",
    "App Platform", "Container Registry", "Spaces", "Spaces Subscription", "Bandwidth", "Credits",
)


def _line_order(line: InvoiceLine) -> tuple[int, str, datetime]:
    rank = _PRODUCT_ORDER.index(line.product) if line.product in _PRODUCT_ORDER else 99
    return rank, line.description.lower(), line.start


def invoice_lines(
    billables: Iterable[Billable], month: Period, *, tax: TaxRule | None,
    until: datetime | None = None, charges: Iterable[Charge] = (),
) -> list[InvoiceLine]:
    """The lines of ``month`` (up to ``until``): usage lines and the month's charges by product,
    then the tax line (on the subtotal after credits). Before :data:`PROJECTS_SINCE` no line
    names a project."""
    lines = [ln for b in billables if (ln := b.line_for(month, until=until)) is not None]
    lines += [c.line() for c in charges if c.period == month.label]
    lines.sort(key=_line_order)
    if month.start < PROJECTS_SINCE:
        lines = [replace(ln, project_name="") if ln.project_name else ln for ln in lines]
    subtotal = sum(ln.amount_cents for ln in lines)
    if tax is not None and lines and month.start >= tax.since:
        lines.append(InvoiceLine(
            product="Taxes", group_description="", description=tax.description, hours=None,
            start=month.start, end=month.end - timedelta(seconds=1),
            amount_cents=tax_cents(subtotal, tax.rate_percent), project_name="",
        ))
    return lines


def random_uuid4(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (deterministic for a seeded generator)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_invoice_history(plan: BillingPlan, *, seed: int, scenario: str) -> list[Invoice]:
    """Every monthly invoice of ``plan``, oldest first; uuids and ids drawn from the seed."""
    rng = random.Random(f"billing-ids:{scenario}:{seed}")
    next_invoice_id = rng.randrange(1_000_000, 9_000_000)
    invoices = []
    for month in month_periods(plan.first_period, plan.last_period):
        lines = invoice_lines(plan.billables, month, tax=plan.tax, charges=plan.charges)
        issued = month.end + timedelta(hours=8, seconds=rng.randrange(3600))
        invoices.append(Invoice(random_uuid4(rng), str(next_invoice_id), month.label, issued,
                                tuple(lines)))
        next_invoice_id += rng.randrange(800_000, 1_200_000)
    return invoices


def preview_identity(*, seed: int, scenario: str) -> tuple[str, str]:
    """``(invoice_uuid, invoice_id)`` of the month-to-date preview."""
    rng = random.Random(f"billing-preview:{scenario}:{seed}")
    return random_uuid4(rng), str(rng.randrange(90_000_000, 99_000_000))


def build_billing_history(invoices: Sequence[Invoice], *, seed: int) -> list[BillingHistoryEntry]:
    """Invoice entries plus the card payment of each one except the latest (still open).

    Oldest first, as in the spec's example.
    """
    rng = random.Random(f"billing-history:{seed}")
    out: list[BillingHistoryEntry] = []
    for i, inv in enumerate(invoices):
        out.append(BillingHistoryEntry(
            date=inv.issued_at, type="Invoice",
            description=f"Invoice for {period(inv.period).month_name}",
            amount_cents=inv.amount_cents, invoice_uuid=inv.invoice_uuid,
            invoice_id=inv.invoice_id,
        ))
        if i < len(invoices) - 1 and inv.amount_cents:
            card = "MC 5100" if inv.issued_at.year < 2020 else "Visa 4242"
            out.append(BillingHistoryEntry(
                date=inv.issued_at + timedelta(days=1, seconds=rng.randrange(6 * 3600)),
                type="Payment", description=f"Payment ({card})", amount_cents=-inv.amount_cents,
            ))
    return out


def billing_clock(now: datetime, preview: Period) -> datetime:
    """Map wall-clock ``now`` into the preview month at the same offset into its month.

    The history ends at a fixed month while the simulator runs on the wall clock; month-to-date
    usage advances with real time (and restarts with each real month) inside the preview month.
    """
    real_month = period(now.strftime("%Y-%m"))
    offset = now - real_month.start
    return min(preview.start + offset, preview.end - timedelta(seconds=1))

"""DO's invoice CSV: rendering (exact header, ``$`` amounts, ``+0000`` dates) and a fast
synthetic generator for benchmarks (a million lines in about two seconds).

Format (DO reference §8.5): header
``product,group_description,description,hours,start,end,USD,project_name,category``
(:data:`CSV_HEADER`; invoices before DO had projects, ``data.PROJECTS_SINCE``, have
:data:`LEGACY_CSV_HEADER`, without ``category``); ``hours`` empty on tax and other non-hourly
lines; dates ``YYYY-MM-DD HH:MM:SS +0000``; ``USD`` as ``$3.11`` or ``$1,234.56``;
RFC 4180 quoting only where a field holds a comma, quote or newline (so ``"$1,234.56"``); a
trailing newline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from arcadia_cloud_sim.billing.data import (
    CATEGORY,
    GST_DESCRIPTION,
    GST_RATE_PERCENT,
    HOURS_PER_BILLING_MONTH,
    PROJECTS_SINCE,
    SPACES_MONTHLY_CENTICENTS,
    InvoiceLine,
    category_for,
    period,
    prorated_cents,
    snapshot_description,
    tax_cents,
    volume_description,
)
from arcadia_cloud_sim.billing.scenarios import PROJECT_NAMES

CSV_HEADER = "product,group_description,description,hours,start,end,USD,project_name,category"
#: The header before DO had projects: no ``category`` column (its ``project_name`` is empty).
LEGACY_CSV_HEADER = CSV_HEADER.removesuffix(",category")
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M:%S +0000"


def csv_time(moment: datetime) -> str:
    """``2026-04-01 00:00:00 +0000`` (UTC)."""
    return moment.strftime(CSV_TIME_FORMAT)


def _quote(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _quoted_column(values: Sequence[str]) -> Sequence[str]:
    joined = "\x00".join(values)
    if not any(c in joined for c in ',"\n\r'):
        return values
    cache: dict[str, str] = {}
    out = []
    for v in values:
        q = cache.get(v)
        if q is None:
            q = cache[v] = _quote(v)
        out.append(q)
    return out


_CENTS_SUFFIX = tuple(f".{c:02d}" for c in range(100))


def _usd_column(amount_cents: Sequence[int]) -> list[str]:
    out = []
    for cents in amount_cents:
        sign = "-" if cents < 0 else ""
        whole, frac = divmod(abs(cents), 100)
        if whole >= 1000:
            out.append(f'"{sign}${whole:,}{_CENTS_SUFFIX[frac]}"')
        else:
            out.append(f"{sign}${whole}{_CENTS_SUFFIX[frac]}")
    return out


@dataclass(frozen=True)
class InvoiceColumns:
    """An invoice's lines as columns (``start``/``end`` already in the CSV time format)."""

    product: list[str]
    group_description: list[str]
    description: list[str]
    hours: list[int | None]
    start: list[str]
    end: list[str]
    amount_cents: list[int]
    project_name: list[str]
    category: list[str]

    def __len__(self) -> int:
        return len(self.product)

    @property
    def total_cents(self) -> int:
        """Σ line amounts."""
        return sum(self.amount_cents)


def columns_from_lines(lines: Iterable[InvoiceLine]) -> InvoiceColumns:
    """Turn :class:`InvoiceLine` objects into columns."""
    items = list(lines)
    times: dict[datetime, str] = {}

    def fmt(moment: datetime) -> str:
        text = times.get(moment)
        if text is None:
            text = times[moment] = csv_time(moment)
        return text

    return InvoiceColumns(
        product=[ln.product for ln in items],
        group_description=[ln.group_description for ln in items],
        description=[ln.description for ln in items],
        hours=[ln.hours for ln in items],
        start=[fmt(ln.start) for ln in items],
        end=[fmt(ln.end) for ln in items],
        amount_cents=[ln.amount_cents for ln in items],
        project_name=[ln.project_name for ln in items],
        category=[ln.category for ln in items],
    )


def csv_has_category(period_label: str) -> bool:
    """Does the CSV of the invoice for ``period_label`` (``YYYY-MM``) have a ``category``?"""
    return period(period_label).start >= PROJECTS_SINCE


def render_csv_columns(cols: InvoiceColumns, *, category: bool = True) -> str:
    """The CSV text (header, one row per line, trailing newline); ``category=False``: the
    pre-projects header and rows, without the ``category`` column."""
    hours = ["" if h is None else str(h) for h in cols.hours]
    columns = [
        _quoted_column(cols.product), _quoted_column(cols.group_description),
        _quoted_column(cols.description), hours, cols.start, cols.end,
        _usd_column(cols.amount_cents), _quoted_column(cols.project_name),
    ]
    if category:
        columns.append(_quoted_column(cols.category))
    header = CSV_HEADER if category else LEGACY_CSV_HEADER
    body = "\n".join(map(",".join, zip(*columns, strict=True)))
    return f"{header}\n{body}\n" if body else f"{header}\n"


def render_invoice_csv(lines: Iterable[InvoiceLine], *, period_label: str) -> str:
    """DO's CSV for the lines of the invoice for ``period_label``, in that month's format."""
    return render_csv_columns(columns_from_lines(lines), category=csv_has_category(period_label))


# -- synthetic invoices for benchmarks ------------------------------------------------------------
#: (product, name stem, monthly centicents choices, weight); descriptions read
#: ``<tenant>-<stem>-<n><detail>`` with the detail DO prints for that product and price.
_SYNTH_KINDS: tuple[tuple[str, str, tuple[int, ...], float], ...] = (
    ("Droplets", "node", (60_000, 120_000, 240_000, 480_000), 0.50),
    ("Droplet Backups", "node", (12_000, 24_000, 48_000), 0.10),
    ("Droplet Snapshots", "snap", (600, 3_000, 12_000), 0.12),
    ("Volumes", "vol", (10_000, 100_000, 500_000), 0.14),
    ("Volume Snapshots", "volsnap", (6_000, 60_000), 0.06),
    ("Load Balancers", "lb", (120_000,), 0.03),
    ("Kubernetes Clusters", "", (120_000, 240_000), 0.05),  # description: a hash
)
_K8S = len(_SYNTH_KINDS) - 1
_SIZES_BY_PRICE = {60_000: "s-1vcpu-1gb", 120_000: "s-1vcpu-2gb", 240_000: "s-2vcpu-4gb",
                   480_000: "s-4vcpu-8gb"}
_SYNTH_REGIONS = ("nyc3", "ams3", "fra1", "sgp1", "sfo3")


def _synth_detail(product: str, monthly: int, region: str) -> str:
    """What follows the name in DO's description (the name itself left empty)."""
    if product == "Droplets":
        return f" ({_SIZES_BY_PRICE[monthly]})"
    if product == "Droplet Backups":
        return " (Weekly Backup Services)"
    if product == "Volumes":
        return volume_description("", region, monthly // 1000)
    if product.endswith("Snapshots"):
        volume = product.startswith("Volume")
        return snapshot_description("", region, monthly // 6, volume=volume)
    return " (lb-small)" if product == "Load Balancers" else ""


def synthesize_invoice_columns(
    *, n_lines: int, seed: int = 0, period_label: str = "2026-04"
) -> InvoiceColumns:
    """A DO-format invoice of ``n_lines`` lines (usage lines, Spaces, then GST), vectorised.

    Amounts follow DO's hourly proration and the last line is 10 % GST on the rest, so the
    total is exact. Deterministic for a given ``(n_lines, seed, period_label)``.
    """
    if n_lines < 2:
        raise ValueError("n_lines must be at least 2 (usage lines + Spaces + GST)")
    month = period(period_label)
    month_hours = int((month.end - month.start).total_seconds() // 3600)
    n = n_lines - 2
    rng = np.random.default_rng(seed)
    weights = np.array([k[3] for k in _SYNTH_KINDS])
    kind = rng.choice(len(_SYNTH_KINDS), size=n, p=weights / weights.sum())
    full = rng.random(n) < 0.7
    hours = np.where(full, month_hours, rng.integers(1, month_hours, size=n))
    first_hour = np.where(full, 0, rng.integers(0, month_hours, size=n))
    first_hour = np.minimum(first_hour, month_hours - hours)
    pick = rng.integers(0, 1 << 30, size=n)
    monthly = np.empty(n, dtype=np.int64)
    for k, (_, _, prices, _) in enumerate(_SYNTH_KINDS):
        mask = kind == k
        monthly[mask] = np.array(prices, dtype=np.int64)[pick[mask] % len(prices)]
    cap = (2 * monthly + 100) // 200
    cents = np.minimum(cap, (2 * monthly * hours + HOURS_PER_BILLING_MONTH * 100)
                       // (2 * HOURS_PER_BILLING_MONTH * 100))
    tenants = tuple(PROJECT_NAMES)
    tenant = rng.integers(0, len(tenants), size=n)

    stamps = [csv_time(month.start + timedelta(hours=h)) for h in range(month_hours + 1)]
    products = [k[0] for k in _SYNTH_KINDS]
    categories = [category_for(p) for p in products]
    project_names = [PROJECT_NAMES[t] for t in tenants]
    prefixes = [[f"{t}-{k[1]}-" for k in _SYNTH_KINDS] for t in tenants]
    details = {(k, m, r): _synth_detail(kind_def[0], m, region)
               for k, kind_def in enumerate(_SYNTH_KINDS) for m in kind_def[2]
               for r, region in enumerate(_SYNTH_REGIONS)}
    kind_l, tenant_l, monthly_l = kind.tolist(), tenant.tolist(), monthly.tolist()
    region_l = ((pick >> 8) % len(_SYNTH_REGIONS)).tolist()
    description = [
        f"{prefixes[t][k]}{i}{details[k, m, r]}"
        for i, (t, k, m, r) in enumerate(zip(tenant_l, kind_l, monthly_l, region_l, strict=True))
    ]
    group = [""] * n
    k8s_rows = np.flatnonzero(kind == _K8S).tolist()
    hashes = rng.integers(0, 1 << 63, size=2 * len(k8s_rows)).tolist()
    for j, i in enumerate(k8s_rows):  # DOKS lines: the cluster as group, a hash as description
        description[i] = f"{hashes[2 * j]:016x}{hashes[2 * j + 1]:016x}"
        group[i] = f"{tenants[tenant_l[i]]}-doks-{i % 7}"

    first_l, hours_l = first_hour.tolist(), hours.tolist()
    amounts = cents.tolist()
    spaces = prorated_cents(SPACES_MONTHLY_CENTICENTS, month_hours)
    subtotal = sum(amounts) + spaces
    return InvoiceColumns(
        product=[*(products[k] for k in kind_l), "Spaces Subscription", "Taxes"],
        group_description=[*group, "", ""],
        description=[*description, "Spaces Subscription", GST_DESCRIPTION],
        hours=[*hours_l, month_hours, None],
        start=[*(stamps[f] for f in first_l), stamps[0], stamps[0]],
        end=[stamps[f + h] for f, h in zip(first_l, hours_l, strict=True)]
        + [stamps[-1], csv_time(month.end - timedelta(seconds=1))],
        amount_cents=[*amounts, spaces, tax_cents(subtotal, GST_RATE_PERCENT)],
        project_name=[project_names[t] for t in tenant_l] + ["", ""],
        category=[categories[k] for k in kind_l] + [CATEGORY, CATEGORY],
    )

"""The billing plans of the simulator's scenarios, and the April 2026 invoice spelled out.

The ``default`` scenario's invoices (137 of them, 2014-12 … 2026-04) come from:

- the **live estate** (the scenario's resources), billed from 2026-04-21 00:00 UTC, the day the
  current estate went live, so it appears on the April 2026 invoice (240 h) and in the preview;
- the **legacy fleet**: droplets (with backups and snapshots), volumes and a floating IP that
  lived and died between 2014-12 and 2026-03, drawn from the seed; it names nothing that exists
  in the simulator;
- the **retired droplets**: 11 legacy droplets that were still running on 2026-04-01 and were
  destroyed in the first days of April, so the April invoice names them (hours < 720);
- account-level lines: a Spaces subscription ($5.00/month from 2017-10) and Australian GST
  (10 % of the subtotal from 2017-07, one ``Taxes`` line per invoice).

The April 2026 invoice is spelled out in :data:`APRIL_2026_LINES` (33 lines, $86.92 with $7.90
GST). Three snapshots appear there under a name that differs from the live one, as DO's billing
names them (see :data:`BILLED_SNAPSHOT_NAMES`): the creation epoch appended
(``globex-etl-1-2026-04-01`` → ``globex-etl-1-2026-04-01-1775012400``), case and separators
changed (``platform-ci-1-golden`` → ``Platform CI-1 Golden``) and a truncation
(``globex-warehouse-2026-04-15`` → ``globex-warehouse-2026...``). None of the three matches its
live snapshot by ``(kind, lower(name))``; the JSON invoice items still carry the snapshot's id.

The ``scale`` scenario bills the resources it is given for 12 full months (2025-05 … 2026-04).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from arcadia_cloud_sim.billing.data import (
    LOAD_BALANCER_MONTHLY_CENTICENTS,
    RESERVED_IP_MONTHLY_CENTICENTS,
    Billable,
    BillingPlan,
    droplet_billables,
    period,
    random_uuid4,
    snapshot_billable,
    spaces_billable,
    volume_billable,
)

LIVE_ESTATE_SINCE = datetime(2026, 4, 21, tzinfo=UTC)
DEFAULT_FIRST_PERIOD = "2014-12"
DEFAULT_LAST_PERIOD = "2026-04"
SCALE_FIRST_PERIOD = "2025-05"
SCALE_LAST_PERIOD = "2026-04"
PROJECT_NAMES: dict[str, str] = {
    "acme": "Acme Storefront", "globex": "Globex Analytics", "platform": "Platform",
}


# -- the default scenario -------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveDroplet:
    """A droplet of the live estate (name, size, project, backups)."""

    name: str
    size_slug: str
    project: str
    backups: bool = False


@dataclass(frozen=True)
class LiveSnapshot:
    """A live snapshot that is billed, with its size in 1/100 GiB."""

    name: str
    size_centigib: int
    volume: bool
    project: str


DEFAULT_DROPLETS = (
    LiveDroplet("acme-web-1", "s-1vcpu-2gb", "Acme Storefront"),
    LiveDroplet("acme-web-2", "s-1vcpu-2gb", "Acme Storefront"),
    LiveDroplet("acme-db-1", "s-2vcpu-4gb", "Acme Storefront", backups=True),
    LiveDroplet("globex-etl-1", "s-2vcpu-4gb", "Globex Analytics", backups=True),
    LiveDroplet("platform-ci-1", "s-1vcpu-1gb", "Platform"),
)
#: (name, GiB, project)
DEFAULT_VOLUMES = (
    ("acme-db-data", 100, "Acme Storefront"),
    ("globex-warehouse", 500, "Globex Analytics"),
    ("platform-cache", 50, "Platform"),
)
DEFAULT_LOAD_BALANCER = ("acme-web-lb", "Acme Storefront")
DEFAULT_UNASSIGNED_IP_PROJECT = "Platform"
DEFAULT_BILLED_SNAPSHOTS = (  # sizes as the scenario stores them
    LiveSnapshot("acme-web-1-2026-04-01", 491, False, "Acme Storefront"),
    LiveSnapshot("acme-db-1-pre-upgrade", 761, False, "Acme Storefront"),
    LiveSnapshot("acme-db-1-2026-04-01", 761, False, "Acme Storefront"),
    LiveSnapshot("globex-etl-1-2026-04-01", 761, False, "Globex Analytics"),
    LiveSnapshot("platform-ci-1-golden", 266, False, "Platform"),
    LiveSnapshot("acme-db-data-2026-04-01", 1300, True, "Acme Storefront"),
    LiveSnapshot("globex-warehouse-2026-04-15", 6500, True, "Globex Analytics"),
    LiveSnapshot("platform-cache-seed", 650, True, "Platform"),
)
#: Live snapshot name → the name DO's billing shows for it (the other billed ones match).
BILLED_SNAPSHOT_NAMES: dict[str, str] = {
    "globex-etl-1-2026-04-01": "globex-etl-1-2026-04-01-1775012400",  # epoch suffix
    "platform-ci-1-golden": "Platform CI-1 Golden",  # case and separators
    "globex-warehouse-2026-04-15": "globex-warehouse-2026...",  # truncated to 21 + "..."
}


@dataclass(frozen=True)
class RetiredDroplet:
    """A legacy droplet still running on 2026-04-01 and destroyed in early April."""

    name: str
    size_slug: str
    project: str
    destroyed_at: datetime


def _april(day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(2026, 4, day, hour, minute, second, tzinfo=UTC)


RETIRED_DROPLETS = (
    RetiredDroplet("acme-web-legacy-1", "s-1vcpu-2gb", "Acme Storefront", _april(3, 5, 17, 42)),
    RetiredDroplet("acme-web-legacy-2", "s-1vcpu-2gb", "Acme Storefront", _april(3, 5, 21, 9)),
    RetiredDroplet("acme-db-legacy", "s-2vcpu-4gb", "Acme Storefront", _april(2, 5, 40, 3)),
    RetiredDroplet("acme-worker-1", "s-1vcpu-1gb", "Acme Storefront", _april(4, 2, 8, 55)),
    RetiredDroplet("acme-staging-1", "s-1vcpu-1gb", "Acme Storefront", _april(1, 19, 12, 30)),
    RetiredDroplet("globex-etl-legacy", "s-2vcpu-4gb", "Globex Analytics", _april(2, 19, 3, 11)),
    RetiredDroplet("globex-spark-1", "s-2vcpu-2gb", "Globex Analytics", _april(2, 6, 44, 20)),
    RetiredDroplet("globex-spark-2", "s-2vcpu-2gb", "Globex Analytics", _april(2, 6, 45, 2)),
    RetiredDroplet("globex-jupyter", "s-1vcpu-2gb", "Globex Analytics", _april(3, 11, 30, 0)),
    RetiredDroplet("platform-ci-legacy", "s-1vcpu-1gb", "Platform", _april(4, 23, 1, 16)),
    RetiredDroplet("platform-vpn", "s-1vcpu-512mb-10gb", "Platform", _april(14, 20, 33, 51)),
)


@dataclass(frozen=True)
class ExpectedLine:
    """One line of the April 2026 invoice, as documentation and test oracle.

    ``role``: ``live`` (matches a live resource by kind and lower-cased name), ``renamed``
    (a live snapshot billed under another name), ``retired`` (a droplet destroyed before our
    inventory began), ``spaces`` or ``tax``. ``live_name`` is the live resource's name for
    ``live``/``renamed`` lines (for the reserved IP: its address, unknown until seeding).
    """

    role: str
    product: str
    billed_name: str
    live_name: str | None
    hours: int | None
    amount_cents: int


_RIP = "<unassigned ams3 reserved IP>"

#: The April 2026 invoice, line by line (33 lines; Σ = 8692 cents, of which 790 is GST).
APRIL_2026_LINES: tuple[ExpectedLine, ...] = (
    ExpectedLine("live", "Droplets", "acme-web-1", "acme-web-1", 240, 429),
    ExpectedLine("live", "Droplets", "acme-web-2", "acme-web-2", 240, 429),
    ExpectedLine("live", "Droplets", "acme-db-1", "acme-db-1", 240, 857),
    ExpectedLine("live", "Droplets", "globex-etl-1", "globex-etl-1", 240, 857),
    ExpectedLine("live", "Droplets", "platform-ci-1", "platform-ci-1", 240, 214),
    ExpectedLine("retired", "Droplets", "acme-web-legacy-1", None, 54, 96),
    ExpectedLine("retired", "Droplets", "acme-web-legacy-2", None, 54, 96),
    ExpectedLine("retired", "Droplets", "acme-db-legacy", None, 30, 107),
    ExpectedLine("retired", "Droplets", "acme-worker-1", None, 75, 67),
    ExpectedLine("retired", "Droplets", "acme-staging-1", None, 20, 18),
    ExpectedLine("retired", "Droplets", "globex-etl-legacy", None, 44, 157),
    ExpectedLine("retired", "Droplets", "globex-spark-1", None, 31, 83),
    ExpectedLine("retired", "Droplets", "globex-spark-2", None, 31, 83),
    ExpectedLine("retired", "Droplets", "globex-jupyter", None, 60, 107),
    ExpectedLine("retired", "Droplets", "platform-ci-legacy", None, 96, 86),
    ExpectedLine("retired", "Droplets", "platform-vpn", None, 333, 198),
    ExpectedLine("live", "Droplet Backups", "acme-db-1", "acme-db-1", 240, 171),
    ExpectedLine("live", "Droplet Backups", "globex-etl-1", "globex-etl-1", 240, 171),
    ExpectedLine("live", "Droplet Snapshots", "acme-db-1-2026-04-01", "acme-db-1-2026-04-01",
                 240, 16),
    ExpectedLine("live", "Droplet Snapshots", "acme-db-1-pre-upgrade", "acme-db-1-pre-upgrade",
                 240, 16),
    ExpectedLine("live", "Droplet Snapshots", "acme-web-1-2026-04-01", "acme-web-1-2026-04-01",
                 240, 11),
    ExpectedLine("renamed", "Droplet Snapshots", "globex-etl-1-2026-04-01-1775012400",
                 "globex-etl-1-2026-04-01", 240, 16),
    ExpectedLine("renamed", "Droplet Snapshots", "Platform CI-1 Golden", "platform-ci-1-golden",
                 240, 6),
    ExpectedLine("live", "Volumes", "acme-db-data", "acme-db-data", 240, 357),
    ExpectedLine("live", "Volumes", "globex-warehouse", "globex-warehouse", 240, 1786),
    ExpectedLine("live", "Volumes", "platform-cache", "platform-cache", 240, 179),
    ExpectedLine("live", "Volume Snapshots", "acme-db-data-2026-04-01", "acme-db-data-2026-04-01",
                 240, 28),
    ExpectedLine("renamed", "Volume Snapshots", "globex-warehouse-2026...",
                 "globex-warehouse-2026-04-15", 240, 139),
    ExpectedLine("live", "Volume Snapshots", "platform-cache-seed", "platform-cache-seed", 240, 14),
    ExpectedLine("live", "Load Balancers", "acme-web-lb", "acme-web-lb", 240, 429),
    ExpectedLine("live", "Reserved IPs", _RIP, _RIP, 240, 179),
    ExpectedLine("spaces", "Spaces Subscription", "", None, 720, 500),
    ExpectedLine("tax", "Taxes", "", None, None, 790),
)
APRIL_2026_PERIOD = "2026-04"
APRIL_2026_TOTAL_CENTS = 8692
APRIL_2026_TAX_CENTS = 790
APRIL_2026_COMPOSITION: dict[str, int] = {
    "lines": 33, "live": 17, "retired": 11, "renamed": 3, "spaces": 1, "tax": 1,
}


@dataclass(frozen=True)
class LiveIds:
    """Ids of the default scenario's live resources, looked up by name in the store."""

    droplets: Mapping[str, str]
    volumes: Mapping[str, str]
    snapshots: Mapping[str, str]
    load_balancers: Mapping[str, str]
    unassigned_reserved_ip: str


def _require(ids: Mapping[str, str], name: str, kind: str) -> str:
    try:
        return ids[name]
    except KeyError:
        raise LookupError(f"default scenario: no live {kind} named {name!r} to bill") from None


def default_live_billables(ids: LiveIds) -> list[Billable]:
    """The live estate of the ``default`` scenario, billed from :data:`LIVE_ESTATE_SINCE`."""
    since = LIVE_ESTATE_SINCE
    out: list[Billable] = []
    for d in DEFAULT_DROPLETS:
        out += droplet_billables(name=d.name, size_slug=d.size_slug, project_name=d.project,
                                 start=since, backups=d.backups,
                                 droplet_id=_require(ids.droplets, d.name, "droplet"))
    for name, gib, project in DEFAULT_VOLUMES:
        out.append(volume_billable(name=name, size_gib=gib, project_name=project, start=since,
                                   volume_id=_require(ids.volumes, name, "volume")))
    for s in DEFAULT_BILLED_SNAPSHOTS:
        out.append(snapshot_billable(
            name=BILLED_SNAPSHOT_NAMES.get(s.name, s.name), size_centigib=s.size_centigib,
            volume=s.volume, project_name=s.project, start=since,
            snapshot_id=_require(ids.snapshots, s.name, "snapshot"),
        ))
    lb_name, lb_project = DEFAULT_LOAD_BALANCER
    out.append(Billable("Load Balancers", f"{lb_name} (lb-small)",
                        LOAD_BALANCER_MONTHLY_CENTICENTS, lb_project, since,
                        resource_uuid=_require(ids.load_balancers, lb_name, "load balancer")))
    out.append(Billable("Reserved IPs", f"Unused Reserved IP - {ids.unassigned_reserved_ip}",
                        RESERVED_IP_MONTHLY_CENTICENTS, DEFAULT_UNASSIGNED_IP_PROJECT, since))
    out.append(spaces_billable())
    return out


_LEGACY_ROLES = ("web", "api", "worker", "cache", "db", "mq", "search", "bastion", "cron",
                 "mail", "etl", "spark", "jupyter", "ci", "vpn", "build", "monitor")
_LEGACY_SLUGS_OLD = ("512mb", "1gb", "1gb", "2gb", "4gb")
_LEGACY_SLUGS_NEW = ("s-1vcpu-1gb", "s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb")
_SLUG_SWITCH = datetime(2018, 1, 1, tzinfo=UTC)
_APRIL_2026 = datetime(2026, 4, 1, tzinfo=UTC)


def _random_instant(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(max(1, span)))


def legacy_fleet(*, seed: int, reserved_names: Iterable[str]) -> list[Billable]:
    """The seeded legacy fleet of the ``default`` scenario: droplets (some with backups and
    snapshots), volumes and a floating IP, all gone before 2026-04-01, plus the
    :data:`RETIRED_DROPLETS` (running since a seeded date, destroyed in April 2026)."""
    rng = random.Random(f"billing-fleet:{seed}")
    taken = {n.lower() for n in reserved_names}
    taken |= {d.name for d in RETIRED_DROPLETS}
    first = period(DEFAULT_FIRST_PERIOD).start
    out: list[Billable] = []

    def add_droplet(name: str, slug: str, project: str, start: datetime, end: datetime, *,
                    backups: bool, droplet_id: str | None = None) -> None:
        did = droplet_id or str(rng.randrange(3_000_000, 400_000_000))
        out.extend(droplet_billables(name=name, size_slug=slug, project_name=project,
                                     start=start, end=end, backups=backups, droplet_id=did))
        for _ in range(rng.choice((0, 0, 1, 2))):
            snap_start = _random_instant(rng, start, min(end, _APRIL_2026))
            snap_end = min(snap_start + timedelta(days=rng.randrange(20, 400)), _APRIL_2026)
            out.append(snapshot_billable(
                name=f"{name}-{snap_start:%Y-%m-%d}", size_centigib=rng.randrange(100, 2500),
                volume=False, project_name=project, start=snap_start, end=snap_end,
                snapshot_id=str(rng.randrange(20_000_000, 150_000_000)),
            ))

    # a droplet from the very first month, so the first invoice is not empty
    add_droplet("acme-wordpress", "512mb", PROJECT_NAMES["acme"],
                first + timedelta(days=8, hours=14, minutes=3), datetime(2018, 2, 14, tzinfo=UTC),
                backups=True)
    for _ in range(rng.randrange(30, 40)):
        tenant = rng.choice(tuple(PROJECT_NAMES))
        name = ""
        while not name or name in taken:
            name = f"{tenant}-{rng.choice(_LEGACY_ROLES)}-{rng.randrange(1, 9)}"
        taken.add(name)
        start = _random_instant(rng, first, datetime(2025, 12, 1, tzinfo=UTC))
        end = min(start + timedelta(days=rng.randrange(20, 1500)),
                  _APRIL_2026 - timedelta(hours=rng.randrange(1, 200)))
        slugs = _LEGACY_SLUGS_OLD if start < _SLUG_SWITCH else _LEGACY_SLUGS_NEW
        add_droplet(name, rng.choice(slugs), PROJECT_NAMES[tenant], start, end,
                    backups=rng.random() < 0.35)
    for i, r in enumerate(RETIRED_DROPLETS):
        start = _random_instant(rng, _SLUG_SWITCH, datetime(2025, 12, 1, tzinfo=UTC))
        add_droplet(r.name, r.size_slug, r.project, start, r.destroyed_at, backups=False,
                    droplet_id=str(310_000_101 + i))
    for tenant, stem in (("acme", "uploads"), ("globex", "scratch"), ("platform", "artifacts")):
        start = _random_instant(rng, datetime(2016, 7, 1, tzinfo=UTC),
                                datetime(2023, 1, 1, tzinfo=UTC))
        end = min(start + timedelta(days=rng.randrange(90, 1200)), _APRIL_2026)
        out.append(volume_billable(name=f"{tenant}-{stem}-old", size_gib=rng.choice((10, 20, 50)),
                                   project_name=PROJECT_NAMES[tenant], start=start, end=end,
                                   volume_id=random_uuid4(rng)))
    fip_start = datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
    out.append(Billable("Floating IPs", "Unused Floating IP - 198.51.100.23",
                        RESERVED_IP_MONTHLY_CENTICENTS, PROJECT_NAMES["platform"], fip_start,
                        fip_start + timedelta(days=rng.randrange(30, 200))))
    return out


def default_plan(ids: LiveIds, *, seed: int) -> BillingPlan:
    """The ``default`` scenario: live estate + legacy fleet + retired droplets + Spaces + GST."""
    live = default_live_billables(ids)
    reserved = [d.name for d in DEFAULT_DROPLETS] + [v[0] for v in DEFAULT_VOLUMES]
    billables = legacy_fleet(seed=seed, reserved_names=reserved) + live
    return BillingPlan(tuple(billables), DEFAULT_FIRST_PERIOD, DEFAULT_LAST_PERIOD)


@dataclass(frozen=True)
class ScaleResource:
    """A resource of the ``scale`` scenario to bill (droplet or volume)."""

    kind: str
    id: str
    name: str
    project_name: str
    size_slug: str = ""
    size_gib: int = 0


def scale_plan(resources: Sequence[ScaleResource]) -> BillingPlan:
    """The ``scale`` scenario: 12 full months (2025-05 … 2026-04) of the given resources."""
    start = period(SCALE_FIRST_PERIOD).start
    billables: list[Billable] = []
    for r in resources:
        if r.kind == "droplet":
            billables += droplet_billables(name=r.name, size_slug=r.size_slug,
                                           project_name=r.project_name, start=start,
                                           droplet_id=r.id)
        elif r.kind == "volume":
            billables.append(volume_billable(name=r.name, size_gib=r.size_gib,
                                             project_name=r.project_name, start=start,
                                             volume_id=r.id))
    billables.append(spaces_billable(start=start))
    return BillingPlan(tuple(billables), SCALE_FIRST_PERIOD, SCALE_LAST_PERIOD)

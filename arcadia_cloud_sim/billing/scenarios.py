"""The billing plans of the simulator's scenarios, and the April 2026 invoice spelled out.

The ``default`` scenario's invoices (137 of them, 2014-12 … 2026-04) come from:

- the **live estate** (the scenario's resources), billed from 2026-04-21 00:00 UTC, the day the
  current estate went live, so it appears on the April 2026 invoice (240 h) and in the preview;
- the **legacy fleet**: droplets (with backups and snapshots), volumes and a floating IP that
  lived and died between 2014-12 and 2026-03, drawn from the seed; it names nothing that exists
  in the simulator;
- the **retired droplets**: 11 legacy droplets that were still running on 2026-04-01 and were
  destroyed in the first days of April, so the April invoice names them (hours < 720);
- the **services** the scenario's projects hold (:data:`DEFAULT_SPACES_BUCKETS`, the
  :data:`DEFAULT_DATABASE` cluster, the :data:`DEFAULT_K8S` cluster's node pool), billed from
  :data:`SERVICES_SINCE` (when the scenario assigns them to projects; bucket lines only exist
  from 2024-08, DO's first per-bucket invoices), and an App Platform app from 2020-10 that
  inventory does not track;
- account-level lines: a Spaces subscription ($5.00/month from 2017-10), a Container Registry
  (from 2020-10), a few bandwidth overages and one promotional credit (:data:`DEFAULT_CHARGES`),
  and Australian GST (10 % of the subtotal after credits from 2017-07, one ``Taxes`` line per
  invoice).

Invoices before 2018-10 name no project (DO had none; their CSV has no ``category`` column).

The April 2026 invoice is spelled out in :data:`APRIL_2026_LINES` (44 lines, $174.04 with
$15.82 GST). Three snapshots appear there under a name that differs from the live one, as DO's
billing names them (see :data:`BILLED_SNAPSHOT_NAMES`): the creation epoch appended
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
    Charge,
    app_billable,
    database_billable,
    droplet_billables,
    k8s_node_billables,
    period,
    random_uuid4,
    registry_billable,
    snapshot_billable,
    spaces_billable,
    spaces_bucket_billable,
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
    """A live snapshot that is billed, with its size in 1/100 GiB and its region."""

    name: str
    size_centigib: int
    volume: bool
    project: str
    region: str


DEFAULT_DROPLETS = (
    LiveDroplet("acme-web-1", "s-1vcpu-2gb", "Acme Storefront"),
    LiveDroplet("acme-web-2", "s-1vcpu-2gb", "Acme Storefront"),
    LiveDroplet("acme-db-1", "s-2vcpu-4gb", "Acme Storefront", backups=True),
    LiveDroplet("globex-etl-1", "s-2vcpu-4gb", "Globex Analytics", backups=True),
    LiveDroplet("platform-ci-1", "s-1vcpu-1gb", "Platform"),
)
#: (name, GiB, project, region)
DEFAULT_VOLUMES = (
    ("acme-db-data", 100, "Acme Storefront", "nyc3"),
    ("globex-warehouse", 500, "Globex Analytics", "ams3"),
    ("platform-cache", 50, "Platform", "ams3"),
)
DEFAULT_LOAD_BALANCER = ("acme-web-lb", "Acme Storefront")
DEFAULT_UNASSIGNED_IP_PROJECT = "Platform"
DEFAULT_BILLED_SNAPSHOTS = (  # sizes as the scenario stores them
    LiveSnapshot("acme-web-1-2026-04-01", 491, False, "Acme Storefront", "nyc3"),
    LiveSnapshot("acme-db-1-pre-upgrade", 761, False, "Acme Storefront", "nyc3"),
    LiveSnapshot("acme-db-1-2026-04-01", 761, False, "Acme Storefront", "nyc3"),
    LiveSnapshot("globex-etl-1-2026-04-01", 761, False, "Globex Analytics", "ams3"),
    LiveSnapshot("platform-ci-1-golden", 266, False, "Platform", "ams3"),
    LiveSnapshot("acme-db-data-2026-04-01", 1300, True, "Acme Storefront", "nyc3"),
    LiveSnapshot("globex-warehouse-2026-04-15", 6500, True, "Globex Analytics", "ams3"),
    LiveSnapshot("platform-cache-seed", 650, True, "Platform", "ams3"),
)
#: When the scenario assigns its Spaces buckets, database and Kubernetes cluster to projects.
SERVICES_SINCE = datetime(2025, 4, 25, tzinfo=UTC)
#: (bucket, region, project, monthly centicents): the scenario's six buckets.
DEFAULT_SPACES_BUCKETS = (
    ("acme-assets", "nyc3", "Acme Storefront", 4_000),
    ("acme-backups", "nyc3", "Acme Storefront", 12_000),
    ("globex-raw", "ams3", "Globex Analytics", 30_000),
    ("globex-curated", "ams3", "Globex Analytics", 8_000),
    ("platform-artifacts", "ams3", "Platform", 6_000),
    ("platform-logs", "ams3", "Platform", 2_000),
)
#: (cluster name, size, project): the ``dbaas`` resource of Globex's project.
DEFAULT_DATABASE = ("globex-pg", "db-s-1vcpu-1gb", "Globex Analytics")
#: (cluster name, nodes, project): the ``kubernetes`` resource of the Platform project.
DEFAULT_K8S = ("platform-doks", 2, "Platform")
#: (app, project): an App Platform app (a kind inventory does not track).
DEFAULT_APP = ("acme-storefront", "Acme Storefront")
#: One-off account-level lines: a promotional credit and some bandwidth overages.
DEFAULT_CHARGES = (
    Charge("Credits", "Promotional Credit from Referral 60 day expiration", -1000, "2019-11"),
    Charge("Bandwidth", "Droplet bandwidth overage", 137, "2016-03"),
    Charge("Bandwidth", "Droplet bandwidth overage", 42, "2019-12"),
    Charge("Bandwidth", "Droplet bandwidth overage", 215, "2023-07"),
    Charge("Bandwidth", "Droplet bandwidth overage", 88, "2025-11"),
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
    inventory began), ``service`` (a bucket, database or Kubernetes cluster the projects hold,
    known to inventory only through its project URN), ``app`` (App Platform: not inventoried),
    ``account`` (subscriptions) or ``tax``. ``live_name`` is the live resource's name for
    ``live``/``renamed``/``service`` lines (for the reserved IP its address, for the clusters
    their URN's uuid, unknown until seeding).
    """

    role: str
    product: str
    billed_name: str
    live_name: str | None
    hours: int | None
    amount_cents: int


_RIP = "<unassigned ams3 reserved IP>"

#: The April 2026 invoice, line by line (44 lines; Σ = 17404 cents, of which 1582 is GST).
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
    ExpectedLine("service", "Database Clusters", "globex-pg", "<dbaas uuid>", 720, 1500),
    ExpectedLine("service", "Kubernetes Clusters", "platform-doks", "<kubernetes uuid>", 720,
                 2400),
    ExpectedLine("service", "Kubernetes Clusters", "platform-doks", "<kubernetes uuid>", 720,
                 2400),
    ExpectedLine("app", "App Platform", "acme-storefront", None, 720, 500),
    ExpectedLine("account", "Container Registry", "", None, 720, 500),
    ExpectedLine("service", "Spaces", "acme-assets", "acme-assets", 720, 40),
    ExpectedLine("service", "Spaces", "acme-backups", "acme-backups", 720, 120),
    ExpectedLine("service", "Spaces", "globex-curated", "globex-curated", 720, 80),
    ExpectedLine("service", "Spaces", "globex-raw", "globex-raw", 720, 300),
    ExpectedLine("service", "Spaces", "platform-artifacts", "platform-artifacts", 720, 60),
    ExpectedLine("service", "Spaces", "platform-logs", "platform-logs", 720, 20),
    ExpectedLine("account", "Spaces Subscription", "", None, 720, 500),
    ExpectedLine("tax", "Taxes", "", None, None, 1582),
)
APRIL_2026_PERIOD = "2026-04"
APRIL_2026_TOTAL_CENTS = 17404
APRIL_2026_TAX_CENTS = 1582
APRIL_2026_COMPOSITION: dict[str, int] = {
    "lines": 44, "live": 17, "retired": 11, "renamed": 3, "service": 9, "app": 1,
    "account": 2, "tax": 1,
}


@dataclass(frozen=True)
class LiveIds:
    """Ids of the default scenario's live resources, looked up by name in the store."""

    droplets: Mapping[str, str]
    volumes: Mapping[str, str]
    snapshots: Mapping[str, str]
    load_balancers: Mapping[str, str]
    unassigned_reserved_ip: str
    database_uuid: str
    k8s_uuid: str


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
    for name, gib, project, region in DEFAULT_VOLUMES:
        out.append(volume_billable(name=name, region=region, size_gib=gib, project_name=project,
                                   start=since, volume_id=_require(ids.volumes, name, "volume")))
    for s in DEFAULT_BILLED_SNAPSHOTS:
        out.append(snapshot_billable(
            name=BILLED_SNAPSHOT_NAMES.get(s.name, s.name), region=s.region,
            size_centigib=s.size_centigib, volume=s.volume, project_name=s.project, start=since,
            snapshot_id=_require(ids.snapshots, s.name, "snapshot"),
        ))
    lb_name, lb_project = DEFAULT_LOAD_BALANCER
    out.append(Billable("Load Balancers", f"{lb_name} (lb-small)",
                        LOAD_BALANCER_MONTHLY_CENTICENTS, lb_project, since,
                        resource_uuid=_require(ids.load_balancers, lb_name, "load balancer")))
    out.append(Billable("Reserved IPs", f"Unused Reserved IP - {ids.unassigned_reserved_ip}",
                        RESERVED_IP_MONTHLY_CENTICENTS, DEFAULT_UNASSIGNED_IP_PROJECT, since))
    out.append(spaces_billable())
    return out + default_service_billables(ids)


def default_service_billables(ids: LiveIds) -> list[Billable]:
    """The buckets, database and Kubernetes cluster of the ``default`` scenario's projects
    (from :data:`SERVICES_SINCE`), its App Platform app and Container Registry."""
    since = SERVICES_SINCE
    out = [spaces_bucket_billable(bucket=b, region=r, monthly_centicents=price, project_name=p,
                                  start=since) for b, r, p, price in DEFAULT_SPACES_BUCKETS]
    cluster, size, project = DEFAULT_DATABASE
    out.append(database_billable(cluster=cluster, size_slug=size, project_name=project,
                                 start=since, cluster_uuid=ids.database_uuid))
    cluster, nodes, project = DEFAULT_K8S
    out += k8s_node_billables(cluster=cluster, nodes=nodes, project_name=project, start=since,
                              cluster_uuid=ids.k8s_uuid)
    app, project = DEFAULT_APP
    out += [app_billable(app=app, project_name=project), registry_billable()]
    return out


_LEGACY_ROLES = ("web", "api", "worker", "cache", "db", "mq", "search", "bastion", "cron",
                 "mail", "etl", "spark", "jupyter", "ci", "vpn", "build", "monitor")
_LEGACY_SLUGS_OLD = ("512mb", "1gb", "1gb", "2gb", "4gb")
_LEGACY_SLUGS_NEW = ("s-1vcpu-1gb", "s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb")
_SLUG_SWITCH = datetime(2018, 1, 1, tzinfo=UTC)
_APRIL_2026 = datetime(2026, 4, 1, tzinfo=UTC)
#: DO regions and when they opened (approximate): the legacy fleet's volumes and snapshots
#: take one open at the time.
_REGIONS_SINCE = (("nyc1", 2012), ("ams2", 2013), ("sfo1", 2013), ("nyc2", 2013),
                  ("sgp1", 2014), ("lon1", 2014), ("nyc3", 2014), ("ams3", 2014),
                  ("fra1", 2015), ("tor1", 2016), ("blr1", 2016), ("sfo2", 2017),
                  ("sfo3", 2020), ("syd1", 2022))


def _region_at(rng: random.Random, moment: datetime) -> str:
    return rng.choice([r for r, year in _REGIONS_SINCE if year < moment.year])


def _random_instant(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(max(1, span)))


def legacy_fleet(*, seed: int, reserved_names: Iterable[str]) -> list[Billable]:
    """The seeded legacy fleet of the ``default`` scenario: droplets (some with backups and
    snapshots), volumes and a floating IP, all gone before 2026-04-01, plus the
    :data:`RETIRED_DROPLETS` (running since a seeded date, destroyed in April 2026)."""
    rng = random.Random(f"billing-fleet:{seed}")
    regions = random.Random(f"billing-regions:{seed}")  # its own stream: the fleet stays as it was
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
                name=f"{name}-{snap_start:%Y-%m-%d}", region=_region_at(regions, snap_start),
                size_centigib=rng.randrange(100, 2500), volume=False, project_name=project,
                start=snap_start, end=snap_end,
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
        out.append(volume_billable(name=f"{tenant}-{stem}-old", region=_region_at(regions, start),
                                   size_gib=rng.choice((10, 20, 50)),
                                   project_name=PROJECT_NAMES[tenant], start=start, end=end,
                                   volume_id=random_uuid4(rng)))
    fip_start = datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
    out.append(Billable("Floating IPs", "Unused Floating IP - 198.51.100.23",
                        RESERVED_IP_MONTHLY_CENTICENTS, PROJECT_NAMES["platform"], fip_start,
                        fip_start + timedelta(days=rng.randrange(30, 200))))
    return out


def default_plan(ids: LiveIds, *, seed: int) -> BillingPlan:
    """The ``default`` scenario: live estate and services + legacy fleet + retired droplets +
    account-level lines + GST."""
    live = default_live_billables(ids)
    reserved = [d.name for d in DEFAULT_DROPLETS] + [v[0] for v in DEFAULT_VOLUMES]
    billables = legacy_fleet(seed=seed, reserved_names=reserved) + live
    return BillingPlan(tuple(billables), DEFAULT_FIRST_PERIOD, DEFAULT_LAST_PERIOD,
                       charges=DEFAULT_CHARGES)


@dataclass(frozen=True)
class ScaleResource:
    """A resource of the ``scale`` scenario to bill (droplet or volume)."""

    kind: str
    id: str
    name: str
    project_name: str
    size_slug: str = ""
    size_gib: int = 0
    region: str = ""


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
            billables.append(volume_billable(name=r.name, region=r.region, size_gib=r.size_gib,
                                             project_name=r.project_name, start=start,
                                             volume_id=r.id))
    billables.append(spaces_billable(start=start))
    return BillingPlan(tuple(billables), SCALE_FIRST_PERIOD, SCALE_LAST_PERIOD)

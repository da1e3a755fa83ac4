"""What a full inventory sync asks DO, kind by kind, for `inventory_sync.py`.

- `sync_everything`: the product's full sync — every `KindSpec` through `sync_kind`, then the
  droplet backups (one call per droplet with backups on) — with a report per asset.
- `minimum_requests`: the fewest requests DO can answer that sync with, from what the account
  holds (the simulator's list totals, read with another token, so not counted): one request
  per 200 items of each list endpoint (at least one), plus the per-resource calls DO's API
  leaves no way around (each uptime check's state, each backed-up droplet's backups, each
  app's alerts, each PostgreSQL/MySQL cluster's replicas and pools, each VPC's members, the
  registry before its repositories, the size catalogue with the node pools).
- `budget_view`: the full sync of a realistic 1,000-resource account against DO's own limits
  (5,000/hour, 250/minute, SSH keys 10 GET / 60 s, CDN 5 / 10 s), per kind and per cadence,
  and the share of the hourly budget its schedules use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from _common import print_table

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.digitalocean.pacing import DO_ENDPOINT_LIMITS
from arcadia_cloud_core.inventory.kinds import EVERY_15_MIN, HOURLY, KIND_CADENCE, KINDS
from arcadia_cloud_core.inventory.platform_listings import POOL_ENGINES, REPLICA_ENGINES
from arcadia_cloud_core.inventory.sync import (
    KindSyncReport,
    live_droplets_with_backups,
    sync_droplet_backups,
    sync_kind,
    sync_project_resources,
    sync_projects_from_do,
)
from arcadia_cloud_sim.launcher import running_simulator

PAGE = 200  # DO's largest per_page
BACKUPS = "droplet_backups"
#: DO's hourly budget per token.
HOURLY_BUDGET = 5000
BUDGET_GOAL = 0.25
#: A realistic 1,000-resource account: the scale scenario's flags.
ACCOUNT_1000 = {
    "droplets": 250,
    "volumes": 100,
    "snapshots": 200,
    "domains": 50,
    "account-kinds": 230,
    "platform-kinds": 70,
}
#: Assets whose listing makes a call per resource (per droplet, check, app, cluster, VPC).
PER_RESOURCE = (
    "droplet_backups",
    "uptime_checks",
    "app_alerts",
    "database_replicas",
    "database_pools",
    "vpcs",
)


def sync_everything(
    engine: sa.Engine, do: DOClient, *, workers: int = 1
) -> dict[str, KindSyncReport]:
    """Every kind asset's sync ({asset name: report}), at most `workers` kinds at once; the
    droplet backups last (they read the droplets just written)."""
    if workers == 1:
        reports = {spec.name: sync_kind(engine, do, spec) for spec in KINDS}
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kind") as pool:
            done = pool.map(lambda spec: sync_kind(engine, do, spec), KINDS)
            reports = {spec.name: report for spec, report in zip(KINDS, done, strict=True)}
    reports[BACKUPS] = sync_droplet_backups(engine, do)
    return reports


class Totals:
    """`meta.total` of DO list endpoints, read with a token of its own (uncounted)."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(
            base_url=base_url, timeout=120, headers={"Authorization": "Bearer bench-minimum"}
        )

    def _first(self, path: str, **params: str) -> dict[str, Any]:
        response = self._http.get(path, params={"per_page": 1, **params})
        response.raise_for_status()
        return response.json()

    def total(self, path: str, **params: str) -> int:
        body = self._first(path, **params)
        if "meta" in body:
            return int(body["meta"]["total"])
        return sum(len(v) for v in body.values() if isinstance(v, list))  # sent whole

    def pages(self, path: str, **params: str) -> int:
        if "meta" not in self._first(path, **params):
            return 1  # a list DO sends whole, in one response
        return max(1, math.ceil(self.total(path, **params) / PAGE))

    def items(self, path: str, key: str) -> list[dict[str, Any]]:
        """Every item of a list endpoint (paged or whole)."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self._http.get(path, params={"per_page": PAGE, "page": page})
            response.raise_for_status()
            body = response.json()
            found += body[key]
            if "meta" not in body or len(found) >= body["meta"]["total"]:
                return found
            page += 1

    def registry(self) -> str | None:
        response = self._http.get("/v2/registry")
        return None if response.status_code == 404 else response.json()["registry"]["name"]

    def close(self) -> None:
        self._http.close()


def _repositories(t: Totals) -> int:
    name = t.registry()
    return 1 + (t.pages(f"/v2/registry/{name}/repositoriesV2") if name else 0)


def _vpcs(t: Totals) -> int:  # the VPCs, then each one's members
    vpcs = t.items("/v2/vpcs", "vpcs")
    return t.pages("/v2/vpcs") + sum(t.pages(f"/v2/vpcs/{v['id']}/members") for v in vpcs)


def _databases_of(engines: frozenset[str]) -> Callable[[Totals], int]:
    def rule(t: Totals) -> int:  # the (unpaged) cluster list, then one call per such cluster
        return 1 + sum(db["engine"] in engines for db in t.items("/v2/databases", "databases"))

    return rule


#: Kinds that take more than the pages of their own path (the rest: `Totals.pages(spec.path)`).
RULES: dict[str, Callable[[Totals], int]] = {
    "reserved_ips": lambda t: t.pages("/v2/reserved_ips") + t.pages("/v2/floating_ips"),
    "container_registry": lambda t: 1,
    "container_repositories": _repositories,  # the registry, then its repositories
    "custom_images": lambda t: t.pages("/v2/images", private="true"),  # + snapshots, backups
    "uptime_checks": lambda t: t.pages("/v2/uptime/checks") + t.total("/v2/uptime/checks"),
    "app_alerts": lambda t: t.pages("/v2/apps") + t.total("/v2/apps"),  # one call per app
    "databases": lambda t: 1,  # DO lists clusters unpaged
    "database_replicas": _databases_of(REPLICA_ENGINES),
    "database_pools": _databases_of(POOL_ENGINES),
    "kubernetes_node_pools": lambda t: t.pages("/v2/kubernetes/clusters") + t.pages("/v2/sizes"),
    "vpcs": _vpcs,
}


def minimum_requests(base_url: str, engine: sa.Engine) -> dict[str, int]:
    """The fewest requests for `sync_everything` per asset name (see the module docstring)."""
    t = Totals(base_url)
    try:
        out = {
            spec.name: RULES.get(spec.name, lambda t, s=spec: t.pages(s.path))(t) for spec in KINDS
        }
    finally:
        t.close()
    out[BACKUPS] = len(live_droplets_with_backups(engine))  # each one page (DO keeps ≤ 11)
    return out


def cadence_of(name: str) -> timedelta:
    """How often an asset of `sync_everything` (or `projects`, `attribution`) runs."""
    specs = {spec.name: spec.cadence for spec in KINDS}
    return specs.get(name) or (KIND_CADENCE["droplet_backup"] if name == BACKUPS else EVERY_15_MIN)


def budget_view(tmp: Path) -> dict[str, Any]:
    """Full sync of `ACCOUNT_1000` under DO's own limits; prints the view, returns figures."""
    args = [a for name, n in ACCOUNT_1000.items() for a in (f"--{name}", str(n))]
    with running_simulator(
        state_path=tmp / "budget-sim.db",
        scenario="scale",
        extra_args=[*args, "--latency-ms", "0"],
        startup_timeout=120,
    ) as sim:
        engine = open_database(f"sqlite:///{tmp / 'budget.sqlite3'}")
        with DOClient(token="bench-budget", base_url=sim.base_url) as do:
            _, project_requests = sync_projects_from_do(engine, do)
            reports = sync_everything(engine, do)
            _, attribution_requests, _ = sync_project_resources(engine, do)
            waited = do.rate_budget.waited_seconds
        minimum = minimum_requests(sim.base_url, engine)
    requests = {
        "projects": project_requests,
        **{name: r.requests for name, r in reports.items()},
        "attribution": attribution_requests,
    }
    items = {name: r.result.rows_written for name, r in reports.items()}
    resources = sum(items.values())
    per_sync = {EVERY_15_MIN: 0, HOURLY: 0}
    for name, n in requests.items():
        per_sync[cadence_of(name)] += n
    per_hour = sum(n * round(HOURLY / cadence) for cadence, n in per_sync.items())
    share = per_hour / HOURLY_BUDGET
    # the bound: every kind, the hourly ones too, every 15 minutes
    everything_share = 4 * sum(per_sync.values()) / HOURLY_BUDGET
    endpoint = {
        limit.name: (requests[limit.name], limit.per_window, limit.window)
        for limit in DO_ENDPOINT_LIMITS
    }

    print(
        f"\nreal-DO budget view: a {resources:,}-resource account (scale scenario "
        f"{ACCOUNT_1000}), DO's limits"
    )
    print_table(
        [
            ("asset", "cadence", "resources", "requests / sync", "minimum"),
            *(
                (
                    name,
                    _label(cadence_of(name)),
                    str(items.get(name, "-")),
                    str(n),
                    str(minimum.get(name, "-")),
                )
                for name, n in sorted(requests.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        ]
    )
    print(
        f"one 15-minute sync: {per_sync[EVERY_15_MIN]} requests; the hourly kinds: "
        f"{per_sync[HOURLY]}; per hour {per_hour} = {share:.1%} of DO's {HOURLY_BUDGET:,}/h "
        f"(goal <= {BUDGET_GOAL:.0%}); every kind every 15 min would use "
        f"{everything_share:.1%}; the client waited {waited:.1f} s for the budget"
    )
    for name, (n, limit, window) in endpoint.items():
        print(
            f"  {name}: {n} request(s) per sync; DO allows {limit} per {window:g} s: "
            f"{'fits, no wait' if n <= limit else 'paced by the client'}"
        )
    return {
        "budget_resources": resources,
        "budget_requests_15min_sync": per_sync[EVERY_15_MIN],
        "budget_requests_hourly_kinds": per_sync[HOURLY],
        "budget_requests_per_hour": per_hour,
        "budget_share_of_hourly": round(share, 4),
        "budget_share_all_kinds_every_15min": round(everything_share, 4),
        "budget_min_requests_kinds": sum(minimum.values()),
        "budget_requests_kinds": sum(r.requests for r in reports.values()),
        "budget_ssh_key_requests": endpoint["ssh_keys"][0],
        "budget_cdn_requests": endpoint["cdn_endpoints"][0],
    }


def _label(cadence: timedelta) -> str:
    return "15 min" if cadence == EVERY_15_MIN else "hourly"

"""Inventory sync at scale: ours (bulk chokepoint) vs a naive per-row ORM upsert, into Postgres.

The simulator's `scale` scenario (zero latency): 20k droplets (8k backups), 5k volumes, 20k
snapshots, 2k domains, and 50k resources spread over the new kinds: 45k over the account-level
ones (`--account-kinds`, `arcadia_cloud_sim.scale_kinds`), 5k over the platform ones
(`--platform-kinds`, `arcadia_cloud_sim.scale_platform`). Ours syncs end to end the way the
product does it: every kind asset is one `sync_kind` call (list → normalise → chokepoint), the
kinds one after another as the in-process executor runs them, then the droplet backups (one
call per droplet with backups on); also printed: `SYNC_POOL_LIMIT` kinds at once, as two
inventory runs at once sync them within the `do_api_sync` pool (limit 2 runs).
Printed side by side:
- requests made by the first sync vs the minimum, per kind (`_inventory_plan.minimum_requests`:
  pages of 200 plus the per-resource calls DO's API requires);
- full first sync: resources/s (goal ≥ 10,000/s), kinds one after another and two at once;
- the write alone: ours and the naive loop write the same normalised listing into an empty
  database (the naive loop a 10 % sample, its rate extrapolated and labelled so), and the naive
  full sync = listing + naive write, with the ratio (goal ≥ 10x);
- a second sync with no change: rows written (goal 0) and seconds;
- the real-DO budget view (`_inventory_plan.budget_view`): a 1,000-resource account's full sync
  under DO's limits, per kind and cadence, and the share of 5,000 requests/hour it uses
  (goal ≤ 25 %), SSH keys and CDN endpoints within their own limits.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import UNLIMITED_RATE, Timer, emit, fresh_postgres, print_table
from _inventory_plan import PER_RESOURCE, budget_view, minimum_requests, sync_everything
from sqlalchemy.orm import Session, registry

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.db.schema import cloud_resource_events, cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory.kinds import KINDS
from arcadia_cloud_core.inventory.upsert import jsonable, upsert_resources
from arcadia_cloud_sim.launcher import running_simulator

SIZES = {
    "droplets": 20_000,  # every fifth with backups on (two each: one call per droplet)
    "volumes": 5_000,
    "snapshots": 20_000,
    "domains": 2_000,
    "account-kinds": 45_000,  # arcadia_cloud_sim.scale_kinds.SHARES
    "platform-kinds": 5_000,  # arcadia_cloud_sim.scale_platform.SHARES
}
#: The DO endpoint limits' windows × this (same flag for the simulator and the client): the
#: pacing stays on, at a pace that never holds a benchmark up (the budget view uses DO's own).
ENDPOINT_WINDOW_SCALE = 0.001
SCALE_ARGS = [arg for name, n in SIZES.items() for arg in (f"--{name}", str(n))]
#: Kinds synced at once: the `do_api_sync` pool's default limit (dagster.yaml: 2 runs at once).
SYNC_POOL_LIMIT = 2


class Resource:
    """ORM mapping for the naive baseline."""


class Event:
    """ORM mapping for the naive baseline."""


_mapper = registry()
_mapper.map_imperatively(Resource, cloud_resources)
_mapper.map_imperatively(Event, cloud_resource_events)


def naive_upsert(engine: sa.Engine, batches: dict[str, list]) -> int:
    """The textbook loop: per resource, SELECT it, then INSERT or UPDATE it, with its event."""
    now = datetime.now(UTC)
    written = 0
    with Session(engine) as session:
        for kind, resources in batches.items():
            for r in resources:
                row = session.execute(
                    sa.select(Resource).where(
                        Resource.provider == "digitalocean",
                        Resource.kind == kind,
                        Resource.provider_id == r.provider_id,
                    )
                ).scalar_one_or_none()
                if row is None:
                    row = Resource(
                        provider="digitalocean",
                        provider_id=r.provider_id,
                        kind=kind,
                        first_seen_at=now,
                        stale_strike_count=0,
                    )
                    session.add(row)
                row.name, row.region, row.status = r.name, r.region, r.status
                row.attrs, row.last_seen_at = jsonable(r.attrs), now
                session.flush()
                session.add(
                    Event(resource_id=row.id, type="discovered", payload={}, occurred_at=now)
                )
                written += 1
        session.commit()
    return written


NAIVE_SAMPLE = 0.1  # the naive loop writes this share of the listing; its rate is reported


def list_all(do: DOClient) -> dict[str, list]:
    """Every kind's listing, normalised ({kind: resources}), one kind after another, then the
    backups of each droplet with backups on: what `sync_everything` lists."""
    batches = {
        spec.kind: normalize.normalize_all(spec.kind, spec.list(do).items, spec.convert).resources
        for spec in KINDS
    }
    backed_up = [d for d in batches["droplet"] if "backups" in (d.attrs.get("features") or [])]
    batches["droplet_backup"] = [
        normalize.droplet_backup(image, droplet_id=d.provider_id, droplet_name=d.name)
        for d in backed_up
        for image in do.list_droplet_backups(d.provider_id).items
    ]
    return batches


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figures = scale_run(Path(tmp))
        figures.update(budget_view(Path(tmp)))
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(f"load average (1 min) at the end: {figures['load_average_1m']}")
    emit(figures)


def scale_run(tmp: Path) -> dict[str, object]:
    """The scale scenario: ours (one kind after another, two at once), the write alone, the
    naive loop, the no-change re-sync; prints the table and returns the figures."""
    with running_simulator(
        state_path=tmp / "sim.db",
        scenario="scale",
        extra_args=[
            *SCALE_ARGS,
            "--latency-ms",
            "0",
            *UNLIMITED_RATE,
            "--endpoint-window-scale",
            str(ENDPOINT_WINDOW_SCALE),
        ],
        startup_timeout=300,
    ) as sim:
        client_options = {
            "token": "bench-token",
            "base_url": sim.base_url,
            "requests_per_minute": 10**8,
            "requests_per_hour": 10**9,
            "endpoint_window_scale": ENDPOINT_WINDOW_SCALE,
        }
        with (
            fresh_postgres("arcadia_bench_inv") as ours_url,
            fresh_postgres("arcadia_bench_two") as concurrent_url,
            fresh_postgres("arcadia_bench_write") as write_url,
            fresh_postgres("arcadia_bench_naive") as naive_url,
        ):
            ours_engine, naive_engine = open_database(ours_url), open_database(naive_url)
            concurrent_engine = open_database(concurrent_url)
            write_engine = open_database(write_url)

            # First sync, end to end, the product's way: one kind after another in one process.
            with DOClient(**client_options) as do, Timer() as first:
                reports = sync_everything(ours_engine, do)
                requests = do.requests_made
            written = sum(r.result.rows_written for r in reports.values())
            minimum = minimum_requests(sim.base_url, ours_engine)

            # The same first sync with two kinds at once (another empty database).
            with DOClient(**client_options) as do, Timer() as concurrent:
                concurrent_reports = sync_everything(concurrent_engine, do, workers=SYNC_POOL_LIMIT)
            concurrent_written = sum(r.result.rows_written for r in concurrent_reports.values())

            # The listing alone, normalised: the naive contender's input (and ours, write only).
            with DOClient(**client_options) as do, Timer() as listing:
                batches = list_all(do)
            total_resources = sum(len(batch) for batch in batches.values())
            with Timer() as ours_write:
                write_only = sum(
                    upsert_resources(
                        write_engine, kind=kind, resources=batch, complete=True
                    ).rows_written
                    for kind, batch in batches.items()
                )

            # Second sync, end to end through sync_kind: nothing changed, nothing written.
            with DOClient(**client_options) as do, Timer() as second:
                again = sync_everything(ours_engine, do)
            rewritten = sum(r.result.rows_written for r in again.values())

            sample = {
                kind: batch[: max(1, int(len(batch) * NAIVE_SAMPLE))]
                for kind, batch in batches.items()
            }
            with Timer() as naive_write:
                naive_written = naive_upsert(naive_engine, sample)

    if not written == concurrent_written == write_only == total_resources:
        raise SystemExit(
            f"first syncs wrote {written} / {concurrent_written} / {write_only} "
            f"rows, not all {total_resources}"
        )
    first_s = first.seconds
    ours_rate = written / first_s
    ours_write_rate = write_only / ours_write.seconds
    naive_write_rate = naive_written / naive_write.seconds
    naive_first_s = listing.seconds + total_resources / naive_write_rate
    ratio_write = ours_write_rate / naive_write_rate
    ratio_e2e = naive_first_s / first_s
    min_total = sum(minimum.values())
    print(
        f"scale scenario {SIZES}: {total_resources:,} resources over {len(reports)} kind "
        f"assets; Postgres; zero latency"
    )
    print_table(
        [
            ("asset", "resources", "requests", "minimum", "seconds"),
            *(
                (
                    name,
                    str(r.result.rows_written),
                    str(r.requests),
                    str(minimum[name]),
                    f"{r.seconds:.2f}",
                )
                for name, r in reports.items()
            ),
        ]
    )
    per_resource = sum(minimum[name] for name in PER_RESOURCE)
    print(
        f"requests (first sync): {requests} (minimum {min_total}; {per_resource} of them by "
        f"the assets that call per resource: {', '.join(PER_RESOURCE)})"
    )
    print_table(
        [
            ("step", "rows written", "seconds", "resources/s"),
            (
                "ours: full first sync (kinds one after another, in process)",
                str(written),
                f"{first_s:.2f}",
                f"{ours_rate:,.0f}",
            ),
            (
                f"ours: full first sync ({SYNC_POOL_LIMIT} kinds at once, as the pool allows)",
                str(concurrent_written),
                f"{concurrent.seconds:.2f}",
                f"{concurrent_written / concurrent.seconds:,.0f}",
            ),
            (
                "listing alone (our client, both contenders)",
                "-",
                f"{listing.seconds:.2f}",
                f"{total_resources / listing.seconds:,.0f}",
            ),
            (
                "ours: write alone (bulk chokepoint)",
                str(write_only),
                f"{ours_write.seconds:.2f}",
                f"{ours_write_rate:,.0f}",
            ),
            (
                f"naive per-row ORM upsert ({NAIVE_SAMPLE:.0%} sample)",
                str(naive_written),
                f"{naive_write.seconds:.2f}",
                f"{naive_write_rate:,.0f}",
            ),
            (
                "naive: full first sync (listing + write, extrapolated)",
                str(total_resources),
                f"{naive_first_s:.2f}",
                f"{total_resources / naive_first_s:,.0f}",
            ),
            ("ours: second sync, no change", str(rewritten), f"{second.seconds:.2f}", "-"),
        ]
    )
    print(f"write ratio ours/naive: {ratio_write:.1f}x; full first sync ratio: {ratio_e2e:.1f}x")
    return {
        "bench": "inventory_sync",
        "resources": total_resources,
        "kinds": len(reports),
        "requests": requests,
        "min_requests": min_total,
        "per_resource_requests": per_resource,
        "sync_pool_limit": SYNC_POOL_LIMIT,
        "listing_s": round(listing.seconds, 2),
        "ours_write_s": round(ours_write.seconds, 2),
        "ours_s": round(first_s, 2),
        "ours_resources_per_s": round(ours_rate),
        "ours_two_at_once_s": round(concurrent.seconds, 2),
        "ours_two_at_once_resources_per_s": round(concurrent_written / concurrent.seconds),
        "ours_write_resources_per_s": round(ours_write_rate),
        "naive_write_resources_per_s": round(naive_write_rate),
        "ratio": round(ratio_write, 1),
        "ratio_full_sync": round(ratio_e2e, 1),
        "second_sync_rows_written": rewritten,
        "second_sync_s": round(second.seconds, 2),
    }


if __name__ == "__main__":
    main()

"""Inventory sync at scale: ours (bulk chokepoint) vs a naive per-row ORM upsert, into Postgres.

The simulator's `scale` scenario (20k droplets, 5k volumes, 20k snapshots, 2k domains, zero
latency). Ours syncs end to end the way the product does it: each kind is one `sync_kind` call
(list → normalise → chokepoint), the kinds one after another, as the in-process executor runs the
kind assets of `inventory_sync_job`; also printed: `SYNC_POOL_LIMIT` kinds at once, as two
inventory runs at once sync them within the `do_api_sync` pool (limit 2 runs).
Printed side by side:
- requests made by the first sync vs the minimum Σ ceil(N/200);
- full first sync: resources/s (goal ≥ 10,000/s), kinds one after another and two at once;
- the write alone: ours and the naive loop write the same normalised listing into an empty
  database (the naive loop a 10 % sample, its rate extrapolated and labelled so), and the naive
  full sync = listing + naive write, with the ratio (goal ≥ 10x);
- a second sync with no change: rows written (goal 0) and seconds.
"""

from __future__ import annotations

import math
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import UNLIMITED_RATE, Timer, emit, fresh_postgres, print_table
from sqlalchemy.orm import Session, registry

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.db.schema import cloud_resource_events, cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory.kinds import KIND_SPECS
from arcadia_cloud_core.inventory.sync import KindSyncReport, sync_kind
from arcadia_cloud_core.inventory.upsert import jsonable, upsert_resources
from arcadia_cloud_sim.launcher import running_simulator

SIZES = {"droplets": 20_000, "volumes": 5_000, "snapshots": 20_000, "domains": 2_000}
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


def list_all(do: DOClient, *, workers: int) -> dict[str, list]:
    """Every kind's listing, normalised ({kind: resources}), at most `workers` kinds at once."""

    def one(name: str) -> tuple[str, list]:
        spec = KIND_SPECS[name]
        listing = spec.list(do)
        return spec.kind, normalize.normalize_all(spec.kind, listing.items, spec.convert).resources

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="list") as pool:
        return dict(pool.map(one, SIZES))


def sync_all(engine: sa.Engine, do: DOClient, *, workers: int) -> list[KindSyncReport]:
    """Every kind through `sync_kind`, at most `workers` at once (the product's own path)."""
    specs = [KIND_SPECS[name] for name in SIZES]
    if workers == 1:
        return [sync_kind(engine, do, spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kind") as pool:
        return list(pool.map(lambda spec: sync_kind(engine, do, spec), specs))


def main() -> None:
    minimum = sum(math.ceil(n / 200) for n in SIZES.values())
    total_resources = sum(SIZES.values())
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_simulator(
            state_path=Path(tmp) / "sim.db",
            scenario="scale",
            extra_args=[*SCALE_ARGS, "--latency-ms", "0", *UNLIMITED_RATE],
            startup_timeout=300,
        ) as sim,
    ):
        client_options = {
            "token": "bench-token",
            "base_url": sim.base_url,
            "requests_per_minute": 10**8,
            "requests_per_hour": 10**9,
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
                reports = sync_all(ours_engine, do, workers=1)
                requests = do.requests_made
            written = sum(r.result.rows_written for r in reports)

            # The same first sync with two kinds at once (another empty database).
            with DOClient(**client_options) as do, Timer() as concurrent:
                concurrent_reports = sync_all(concurrent_engine, do, workers=SYNC_POOL_LIMIT)
            concurrent_written = sum(r.result.rows_written for r in concurrent_reports)

            # The listing alone, normalised: the naive contender's input (and ours, write only).
            with DOClient(**client_options) as do, Timer() as listing:
                batches = list_all(do, workers=1)
            with Timer() as ours_write:
                write_only = sum(
                    upsert_resources(
                        write_engine, kind=kind, resources=batch, complete=True
                    ).rows_written
                    for kind, batch in batches.items()
                )

            # Second sync, end to end through sync_kind: nothing changed, nothing written.
            with DOClient(**client_options) as do, Timer() as second:
                again = sync_all(ours_engine, do, workers=1)
            rewritten = sum(r.result.rows_written for r in again)

            sample = {
                kind: batch[: max(1, int(len(batch) * NAIVE_SAMPLE))]
                for kind, batch in batches.items()
            }
            with Timer() as naive_write:
                naive_written = naive_upsert(naive_engine, sample)

    if written != total_resources or concurrent_written != total_resources:
        raise SystemExit(f"first sync wrote {written} / {concurrent_written} rows, not all")
    first_s = first.seconds
    ours_rate = written / first_s
    ours_write_rate = write_only / ours_write.seconds
    naive_write_rate = naive_written / naive_write.seconds
    naive_first_s = listing.seconds + total_resources / naive_write_rate
    ratio_write = ours_write_rate / naive_write_rate
    ratio_e2e = naive_first_s / first_s
    print(f"scale scenario: {SIZES} = {total_resources} resources; Postgres; zero latency")
    print(f"requests (first sync): {requests} (minimum {minimum})")
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
    emit(
        {
            "bench": "inventory_sync",
            "resources": total_resources,
            "requests": requests,
            "min_requests": minimum,
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
    )


if __name__ == "__main__":
    main()

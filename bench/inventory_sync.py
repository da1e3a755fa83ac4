"""Inventory sync at scale: ours (bulk chokepoint) vs a naive per-row ORM upsert, into Postgres.

The simulator's `scale` scenario (20k droplets, 5k volumes, 20k snapshots, 2k domains, zero
latency) is listed once per contender with our client; then each writes the same listing:
- requests made vs the minimum Σ ceil(N/200);
- full first sync: resources/s (goal ≥ 10,000/s) and the naive baseline with the ratio (≥ 10x);
- a second sync with no change: rows written (goal 0) and seconds.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import UNLIMITED_RATE, Timer, emit, fresh_postgres, print_table
from sqlalchemy.orm import Session, registry

from arcadia_cloud_core.db.engine import open_database
from arcadia_cloud_core.db.schema import cloud_resource_events, cloud_resources
from arcadia_cloud_core.digitalocean import DOClient
from arcadia_cloud_core.inventory import normalize
from arcadia_cloud_core.inventory.sync import KIND_SPECS, sync_kind
from arcadia_cloud_sim.launcher import running_simulator

SIZES = {"droplets": 20_000, "volumes": 5_000, "snapshots": 20_000, "domains": 2_000}
SCALE_ARGS = [arg for name, n in SIZES.items() for arg in (f"--{name}", str(n))]


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
                row.attrs, row.last_seen_at = normalize_attrs(r.attrs), now
                session.flush()
                session.add(
                    Event(resource_id=row.id, type="discovered", payload={}, occurred_at=now)
                )
                written += 1
        session.commit()
    return written


def normalize_attrs(attrs: dict) -> dict:
    from arcadia_cloud_core.inventory.upsert import jsonable

    return jsonable(attrs)


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
            fresh_postgres("arcadia_bench_naive") as naive_url,
        ):
            ours_engine, naive_engine = open_database(ours_url), open_database(naive_url)

            with DOClient(**client_options) as do, Timer() as first:
                reports = [sync_kind(ours_engine, do, KIND_SPECS[name]) for name in SIZES]
            requests = sum(r.requests for r in reports)
            written = sum(r.result.rows_written for r in reports)

            with DOClient(**client_options) as do, Timer() as second:
                again = [sync_kind(ours_engine, do, KIND_SPECS[name]) for name in SIZES]
            rewritten = sum(r.result.rows_written for r in again)

            # The naive contender lists with the same client, then writes row by row.
            with DOClient(**client_options) as do, Timer() as naive:
                batches: dict[str, list] = {}
                for name in SIZES:
                    spec = KIND_SPECS[name]
                    listing = spec.list(do)
                    batches[spec.kind] = normalize.normalize_all(
                        spec.kind, listing.items, spec.convert
                    ).resources
                naive_written = naive_upsert(naive_engine, batches)

    ours_rate = written / first.seconds
    naive_rate = naive_written / naive.seconds
    ratio = naive.seconds / first.seconds
    print(f"scale scenario: {SIZES} ({total_resources} resources), Postgres, zero latency")
    print_table(
        [
            ("contender", "requests", "min", "rows", "seconds", "resources/s"),
            (
                "ours: first sync",
                str(requests),
                str(minimum),
                str(written),
                f"{first.seconds:.2f}",
                f"{ours_rate:,.0f}",
            ),
            (
                "ours: second sync (no change)",
                str(sum(r.requests for r in again)),
                str(minimum),
                str(rewritten),
                f"{second.seconds:.2f}",
                "-",
            ),
            (
                "naive per-row ORM upsert",
                str(requests),
                str(minimum),
                str(naive_written),
                f"{naive.seconds:.2f}",
                f"{naive_rate:,.0f}",
            ),
        ]
    )
    print(f"ratio (naive / ours, first sync, both listing with our client): {ratio:.1f}x")
    emit(
        {
            "bench": "inventory_sync",
            "resources": total_resources,
            "requests": requests,
            "min_requests": minimum,
            "ours_s": round(first.seconds, 2),
            "ours_resources_per_s": round(ours_rate),
            "second_sync_rows_written": rewritten,
            "second_sync_s": round(second.seconds, 2),
            "naive_s": round(naive.seconds, 2),
            "naive_resources_per_s": round(naive_rate),
            "ratio": round(ratio, 1),
        }
    )


if __name__ == "__main__":
    main()

"""DO's billing insights: ``GET /v2/billing/{account_urn}/insights/{start_date}/{end_date}``.

Daily amounts per SKU, region and description, derived from the invoices so that a month's
days add up to its invoice, to the cent: each invoice line (the month-to-date preview's, for
the current month) is split over the days it ran, in proportion to its time on each day;
the cents left by rounding down go to the days with the largest remainders (ties: the earlier
day). Tax and subscription lines run all month, so they spread over every day. Lines of one
day with the same SKU, region, description and group are one data point.

- ``account_urn``: ``do:team:<the account's team uuid>``; any other account is DO's 404.
- Dates ``YYYY-MM-DD``, ``start_date`` ≤ ``end_date``, at most :data:`MAX_DAYS` days (both
  included); anything else is a 400 ``bad_request``. Days with no usage (before the first
  invoice, after the billing clock) have no data points.
- Pagination: ``page``/``per_page`` as elsewhere (20 by default, 200 at most), but the
  envelope is this endpoint's own: ``{data_points, total_items, total_pages, current_page}``.
- SKUs: the spec shows two (``1-DO-DROP-0109``, ``1-KS-K8SWN-00109``); the rest of
  :data:`SKU_BY_PRODUCT` follows the same ``1-<service>-<family>-<nnnn>`` shape.
- Region: the stored region of the droplet, volume or load balancer a line names; else one
  drawn from the description (stable); ``global`` for lines of no resource (tax, Spaces).

Spend spikes (for anomaly benchmarks; none by default): ``POST /_sim/billing/spikes
{"spikes": [{"day", "description", "extra_cents"}]}`` adds ``extra_cents`` to the data point
of that description on that day (it must bill that day, else 400); ``GET`` lists the injected
spikes (the ground truth), ``DELETE`` removes them all. Spikes change the daily series only:
invoices, the preview and the balance stay as they were, so a month with spikes adds up to
its invoice plus exactly the spikes' cents.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.envelopes import JSONResponse, json_response, no_content, read_json
from arcadia_cloud_sim.api.errors import bad_request, not_found
from arcadia_cloud_sim.api.kinds import DROPLET, LOAD_BALANCER, VOLUME
from arcadia_cloud_sim.api.pagination import page_params
from arcadia_cloud_sim.billing import store as db
from arcadia_cloud_sim.billing.data import InvoiceLine, format_usd, month_periods
from arcadia_cloud_sim.billing.endpoints import preview_document
from arcadia_cloud_sim.context import SimContext, sim_context

MAX_DAYS = 31
SPIKES_KEY = "billing_spikes"
#: Product → SKU (DO's own codes where the spec shows them).
SKU_BY_PRODUCT: dict[str, str] = {
    "Droplets": "1-DO-DROP-0109",
    "Droplet Backups": "1-DO-BKUP-0001",
    "Droplet Snapshots": "1-DO-SNAP-0001",
    "Volumes": "1-BS-VOL-0001",
    "Volume Snapshots": "1-BS-SNAP-0001",
    "Load Balancers": "1-LB-SMALL-0001",
    "Floating IPs": "1-NW-FIP-0001",
    "Reserved IPs": "1-NW-RIP-0001",
    "Spaces Subscription": "1-SP-SUB-0001",
    "Spaces": "1-SP-STOR-0001",
    "Bandwidth": "1-NW-BW-0001",
    "Kubernetes": "1-KS-K8SWN-00109",
    "Kubernetes Clusters": "1-KS-K8SWN-00109",
    "Database Clusters": "1-DB-CLUSTER-0001",
    "Managed Databases": "1-DB-CLUSTER-0001",
    "Container Registry": "1-CR-REG-0001",
    "App Platform": "1-AP-APP-0001",
    "Credits": "1-PROMO-CREDIT-0001",
    "Taxes": "1-TX-TAX-0001",
}
_OTHER_SKU = "1-XX-OTHER-0001"
_REGIONS = ("nyc3", "ams3", "sfo3", "fra1", "sgp1")
_NO_RESOURCE_PRODUCTS = frozenset({"Taxes", "Spaces Subscription"})


@dataclass(frozen=True, slots=True)
class DataPoint:
    """One day's amount for one SKU, region, description and group."""

    day: date
    sku: str
    region: str
    description: str
    group_description: str
    amount_cents: int


# -- splitting lines over days ----------------------------------------------------------------
def split_by_day(amount_cents: int, start: datetime, end: datetime) -> list[tuple[date, int]]:
    """``amount_cents`` over the UTC days of ``[start, end)`` by time run each day; the
    parts add up to the amount exactly (largest remainder, ties to the earlier day; a credit
    is split like its absolute value). A line with no duration falls on its start day."""
    days: list[tuple[date, int]] = []
    day = start.date()
    while True:
        lo = max(start, datetime(day.year, day.month, day.day, tzinfo=UTC))
        hi = min(end, datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1))
        if hi > lo:
            days.append((day, (hi - lo) // timedelta(microseconds=1)))
        day += timedelta(days=1)
        if datetime(day.year, day.month, day.day, tzinfo=UTC) >= end:
            break
    total = sum(run for _, run in days)
    if total == 0:
        return [(start.date(), amount_cents)]
    sign, cents = (-1 if amount_cents < 0 else 1), abs(amount_cents)
    shares = [(cents * run) // total for _, run in days]
    left = cents - sum(shares)
    by_remainder = sorted(range(len(days)), key=lambda i: (-((cents * days[i][1]) % total), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return [(d, sign * share) for (d, _), share in zip(days, shares, strict=True)]


def _region(ctx: SimContext, line: InvoiceLine) -> str:
    if line.product in _NO_RESOURCE_PRODUCTS:
        return "global"
    for kind, ident in ((DROPLET, line.resource_id), (VOLUME, line.resource_uuid),
                        (LOAD_BALANCER, line.resource_uuid)):
        body = ctx.store.get(kind, ident) if ident else None
        if body is not None and isinstance(body.get("region"), str):
            return str(body["region"])
    return _REGIONS[zlib.crc32(line.description.encode()) % len(_REGIONS)]


def _month_lines(ctx: SimContext, label: str) -> list[InvoiceLine]:
    """The lines of month ``label``: its invoice's, the preview's, or none."""
    preview = preview_document(ctx)
    if label == preview.period:
        return preview.lines(ctx.store)
    invoices, _ = db.list_invoices(ctx.store, limit=-1, offset=0)
    for invoice in invoices:
        if invoice.period == label:
            return db.read_invoice_lines(ctx.store, invoice.invoice_uuid)
    return []


def daily_points(ctx: SimContext, first: date, last: date) -> list[DataPoint]:
    """Every data point of the days ``first``..``last`` (spikes included), by day, SKU and
    description."""
    amounts: dict[tuple[date, str, str, str, str], int] = {}
    for month in month_periods(first.strftime("%Y-%m"), last.strftime("%Y-%m")):
        for line in _month_lines(ctx, month.label):
            key = (SKU_BY_PRODUCT.get(line.product, _OTHER_SKU), _region(ctx, line),
                   line.description, line.group_description)
            for day, cents in split_by_day(line.amount_cents, line.start, line.end):
                if first <= day <= last:
                    amounts[(day, *key)] = amounts.get((day, *key), 0) + cents
    for spike in read_spikes(ctx):
        day = date.fromisoformat(spike["day"])
        for key in [k for k in amounts if k[0] == day and k[3] == spike["description"]][:1]:
            amounts[key] += int(spike["extra_cents"])
    return [DataPoint(*key, cents) for key, cents in
            sorted(amounts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3], kv[0][2]))]


# -- spikes -------------------------------------------------------------------------------------
def read_spikes(ctx: SimContext) -> list[dict[str, Any]]:
    """The injected spikes, in injection order."""
    raw = ctx.store.meta_get(SPIKES_KEY)
    return [] if raw is None else list(json.loads(raw))


def _spike(ctx: SimContext, raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_request(f"{where}: expected an object")
    try:
        day = date.fromisoformat(str(raw.get("day")))
    except ValueError:
        raise bad_request(f"{where}.day: expected YYYY-MM-DD") from None
    description, extra = raw.get("description"), raw.get("extra_cents")
    if not isinstance(description, str) or not description:
        raise bad_request(f"{where}.description: expected the description of a billed line")
    if not isinstance(extra, int) or isinstance(extra, bool) or extra <= 0:
        raise bad_request(f"{where}.extra_cents: expected a positive integer")
    if not any(p.description == description for p in daily_points(ctx, day, day)):
        raise bad_request(f"{where}: no line {description!r} bills on {day.isoformat()}")
    return {"day": day.isoformat(), "description": description, "extra_cents": extra}


async def add_spikes(request: Request) -> Response:
    """POST /_sim/billing/spikes ``{"spikes": [...]}``: inject spikes (appended)."""
    ctx = sim_context(request)
    payload = await read_json(request)
    spikes = payload.get("spikes")
    if not isinstance(spikes, list):
        raise bad_request("spikes: expected an array")
    db.ensure_schema(ctx.store)
    with ctx.store.transaction():
        new = [_spike(ctx, raw, f"spikes[{i}]") for i, raw in enumerate(spikes)]
        ctx.store.meta_set(SPIKES_KEY, json.dumps(read_spikes(ctx) + new))
    return JSONResponse({"spikes": read_spikes(ctx)})


async def list_spikes(request: Request) -> Response:
    """GET /_sim/billing/spikes: the injected spikes (ground truth for benchmarks)."""
    return JSONResponse({"spikes": read_spikes(sim_context(request))})


async def clear_spikes(request: Request) -> Response:
    """DELETE /_sim/billing/spikes: no spikes any more."""
    sim_context(request).store.meta_set(SPIKES_KEY, "[]")
    return no_content()


# -- the endpoint -------------------------------------------------------------------------------
def _date_param(request: Request, name: str) -> date:
    raw = request.path_params[name]
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"invalid {name}: {raw!r} is not a YYYY-MM-DD date") from None


def _team_urn(ctx: SimContext) -> str | None:
    raw = ctx.store.meta_get("account")
    team = json.loads(raw).get("team") if raw else None
    return f"do:team:{team['uuid']}" if isinstance(team, dict) and team.get("uuid") else None


def point_json(point: DataPoint, team_urn: str) -> dict[str, str]:
    """One ``data_points`` entry."""
    return {
        "usage_team_urn": team_urn,
        "start_date": point.day.isoformat(),
        "total_amount": format_usd(point.amount_cents),
        "region": point.region,
        "sku": point.sku,
        "description": point.description,
        "group_description": point.group_description,
    }


async def list_billing_insights(request: Request) -> Response:
    """GET /v2/billing/{account_urn}/insights/{start_date}/{end_date}."""
    ctx = sim_context(request)
    team_urn = _team_urn(ctx)
    if team_urn is None or request.path_params["account_urn"] != team_urn:
        raise not_found()
    first, last = _date_param(request, "start_date"), _date_param(request, "end_date")
    if last < first:
        raise bad_request("end_date is before start_date")
    if (last - first).days + 1 > MAX_DAYS:
        raise bad_request(f"end_date must be within {MAX_DAYS} days of start_date")
    page, per_page = page_params(request)
    db.ensure_schema(ctx.store)
    with ctx.store.transaction(write=False):
        points = daily_points(ctx, first, last)
    chunk = points[(page - 1) * per_page: page * per_page]
    return json_response({
        "data_points": [point_json(p, team_urn) for p in chunk],
        "total_items": len(points),
        "total_pages": max(1, math.ceil(len(points) / per_page)),
        "current_page": page,
    })


def routes() -> list[BaseRoute]:
    """The insights route and the spike knob (admin)."""
    return [
        Route("/v2/billing/{account_urn}/insights/{start_date}/{end_date}",
              list_billing_insights, methods=["GET"]),
        Route("/_sim/billing/spikes", list_spikes, methods=["GET"]),
        Route("/_sim/billing/spikes", add_spikes, methods=["POST"]),
        Route("/_sim/billing/spikes", clear_spikes, methods=["DELETE"]),
    ]

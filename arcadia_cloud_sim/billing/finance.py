"""A stand-in for the finance service's cloud-invoice import API (mounted under ``/api/v1``).

``POST /api/v1/integrations/cloud/import-invoice`` takes a bearer JWT (HS256, secret from
``ARCADIA_SIM_FINANCE_JWT_SECRET`` read when the app is built, default :data:`DEFAULT_SECRET`)
that must carry ``exp``, ``tenant_id`` and ``roles`` containing ``admin``, and whose
``tenant_id`` is the body's. The body::

    {tenant_id, source, external_id, invoice_period: "YYYY-MM", currency: "USD",
     gross_cents, tax_cents, net_cents, lines: [{...}, ...]}

is validated (422 naming the field; ``gross_cents`` must equal ``net_cents + tax_cents``) and
upserted on ``(tenant_id, source, external_id)`` in one transaction: 201
``{"status": "created", "invoice_id"}`` the first time, 200 ``{"status": "updated",
"invoice_id"}`` (same id) after that.

``GET /api/v1/integrations/cloud/invoices`` (optional ``source``, ``external_id``,
``invoice_period`` filters) lists the token tenant's imports without their lines, with
``import_count`` (how many times each was pushed);
``GET /api/v1/integrations/cloud/invoices/{invoice_id}`` returns one with its lines. Reading
needs a valid token (any role); it only ever shows the token's own tenant.

Errors are this service's own JSON: ``{"error": "<code>", "message": "...", "field"?: "..."}``
with 400 (body not a JSON object), 401 (no/invalid/expired token), 403 (no ``admin`` role,
other tenant), 404 and 422.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from arcadia_cloud_sim.api.envelopes import JSONResponse
from arcadia_cloud_sim.context import sim_context
from arcadia_cloud_sim.store import Store, iso

SECRET_ENV = "ARCADIA_SIM_FINANCE_JWT_SECRET"
#: 32+ bytes, as RFC 7518 asks of HS256 keys (PyJWT warns below that).
DEFAULT_SECRET = "arcadia-sim-finance-secret-local-dev-only"
REQUIRED_CLAIMS = ("exp", "tenant_id", "roles")
ADMIN_ROLE = "admin"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS finance_invoices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    invoice_period TEXT NOT NULL,
    currency TEXT NOT NULL,
    gross_cents INTEGER NOT NULL,
    tax_cents INTEGER NOT NULL,
    net_cents INTEGER NOT NULL,
    lines TEXT NOT NULL,
    line_count INTEGER NOT NULL,
    import_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, source, external_id)
)
"""
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_LIST_FILTERS = ("source", "external_id", "invoice_period")
log = logging.getLogger(__name__)


class FinanceError(Exception):
    """An error answered with the finance service's JSON body."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        """The JSON error response."""
        body = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        headers = {"www-authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def _invalid(field: str, message: str) -> FinanceError:
    return FinanceError(422, "validation_error", message, field=field)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the verified token's tenant and roles."""

    tenant_id: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class InvoiceImport:
    """A validated import request."""

    tenant_id: str
    source: str
    external_id: str
    invoice_period: str
    currency: str
    gross_cents: int
    tax_cents: int
    net_cents: int
    lines: tuple[Mapping[str, Any], ...]


def authenticate(request: Request, secret: str) -> Principal:
    """Verify the bearer JWT (HS256, ``exp``/``tenant_id``/``roles`` required); 401 otherwise."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise FinanceError(401, "unauthorized", "missing bearer token")
    try:
        with warnings.catch_warnings():  # the default dev secret is short; said once at start
            warnings.simplefilter("ignore", InsecureKeyLengthWarning)
            claims = jwt.decode(token.strip(), secret, algorithms=["HS256"],
                                options={"require": list(REQUIRED_CLAIMS)})
    except jwt.ExpiredSignatureError as exc:
        raise FinanceError(401, "unauthorized", "token expired") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise FinanceError(401, "unauthorized", f"token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidTokenError as exc:
        raise FinanceError(401, "unauthorized", f"invalid token: {exc}") from exc
    tenant, roles = claims["tenant_id"], claims["roles"]
    if not isinstance(tenant, str) or not tenant:
        raise FinanceError(401, "unauthorized", "token tenant_id must be a non-empty string")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise FinanceError(401, "unauthorized", "token roles must be a list of strings")
    return Principal(tenant, tuple(roles))


def _require_admin(principal: Principal) -> None:
    if ADMIN_ROLE not in principal.roles:
        raise FinanceError(403, "forbidden", f"the {ADMIN_ROLE!r} role is required")


def _string(body: Mapping[str, Any], field: str, pattern: re.Pattern[str] | None = None,
            hint: str = "") -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, f"{field} is required and must be a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise _invalid(field, f"{field} must be {hint}, got {value!r}")
    return value


def _integer(body: Mapping[str, Any], field: str) -> int:
    value = body.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(field, f"{field} is required and must be an integer (cents)")
    return value


def validate_import(body: Mapping[str, Any]) -> InvoiceImport:
    """Check an import body field by field; 422 naming the first bad field."""
    tenant = _string(body, "tenant_id")
    source = _string(body, "source")
    external_id = _string(body, "external_id")
    invoice_period = _string(body, "invoice_period", _PERIOD_RE, "YYYY-MM")
    currency = _string(body, "currency", _CURRENCY_RE, "an ISO 4217 code like 'USD'")
    gross, tax, net = (_integer(body, f) for f in ("gross_cents", "tax_cents", "net_cents"))
    if gross != net + tax:
        raise _invalid("gross_cents",
                       f"gross_cents ({gross}) must equal net_cents + tax_cents ({net + tax})")
    lines = body.get("lines")
    if not isinstance(lines, list):
        raise _invalid("lines", "lines is required and must be a list of objects")
    for n, line in enumerate(lines):
        if not isinstance(line, dict):
            raise _invalid(f"lines[{n}]", f"lines[{n}] must be an object")
        amount = line.get("amount_cents")
        if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
            raise _invalid(f"lines[{n}].amount_cents",
                           f"lines[{n}].amount_cents must be an integer (cents)")
    return InvoiceImport(tenant, source, external_id, invoice_period, currency, gross, tax, net,
                         tuple(lines))


def ensure_schema(store: Store) -> None:
    """Create the finance table if it is missing."""
    store.execute(_SCHEMA)


def upsert_invoice(store: Store, item: InvoiceImport, *, now: float) -> tuple[bool, str]:
    """Insert or update on ``(tenant_id, source, external_id)``; ``(created, invoice_id)``."""
    values = (item.invoice_period, item.currency, item.gross_cents, item.tax_cents,
              item.net_cents, json.dumps(list(item.lines), separators=(",", ":")),
              len(item.lines), iso(now))
    key = (item.tenant_id, item.source, item.external_id)
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT invoice_id FROM finance_invoices"
            " WHERE tenant_id = ? AND source = ? AND external_id = ?", key,
        ).fetchone()
        if row is not None:
            conn.execute(
                "UPDATE finance_invoices SET invoice_period = ?, currency = ?, gross_cents = ?,"
                " tax_cents = ?, net_cents = ?, lines = ?, line_count = ?, updated_at = ?,"
                " import_count = import_count + 1 WHERE invoice_id = ?",
                (*values, row[0]),
            )
            return False, str(row[0])
        invoice_id = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO finance_invoices (invoice_id, tenant_id, source, external_id,"
            " invoice_period, currency, gross_cents, tax_cents, net_cents, lines, line_count,"
            " updated_at, created_at, import_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, 1)",
            (invoice_id, *key, *values, iso(now)),
        )
        return True, invoice_id


_COLUMNS = ("invoice_id", "tenant_id", "source", "external_id", "invoice_period", "currency",
            "gross_cents", "tax_cents", "net_cents", "line_count", "import_count", "created_at",
            "updated_at")


def list_invoices(
    store: Store, tenant_id: str, *, filters: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The tenant's imports (oldest first), without lines."""
    where = ["tenant_id = ?"]
    params = [tenant_id]
    for field in _LIST_FILTERS:
        if field in filters:
            where.append(f"{field} = ?")
            params.append(filters[field])
    with store.transaction(write=False) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM finance_invoices WHERE {' AND '.join(where)}"
            " ORDER BY seq", params,
        ).fetchall()
    return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]


def get_invoice(store: Store, tenant_id: str, *, invoice_id: str) -> dict[str, Any] | None:
    """One of the tenant's imports with its lines."""
    with store.transaction(write=False) as conn:
        row = conn.execute(
            f"SELECT {', '.join(_COLUMNS)}, lines FROM finance_invoices"
            " WHERE tenant_id = ? AND invoice_id = ?", (tenant_id, invoice_id),
        ).fetchone()
    if row is None:
        return None
    out = dict(zip(_COLUMNS, row[:-1], strict=True))
    out["lines"] = json.loads(row[-1])
    return out


Handler = Callable[[Request, str], Any]


def _guarded(fn: Handler, secret: str) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request, secret)
        except FinanceError as exc:
            return exc.response()

    endpoint.__name__ = fn.__name__
    endpoint.__doc__ = fn.__doc__
    return endpoint


async def import_invoice(request: Request, secret: str) -> Response:
    """POST /api/v1/integrations/cloud/import-invoice → 201 created / 200 updated."""
    principal = authenticate(request, secret)
    _require_admin(principal)
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError as exc:
        raise FinanceError(400, "bad_request", "body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise FinanceError(400, "bad_request", "body must be a JSON object")
    item = validate_import(body)
    if item.tenant_id != principal.tenant_id:
        raise FinanceError(403, "forbidden",
                           f"token for tenant {principal.tenant_id!r} cannot import for "
                           f"tenant {item.tenant_id!r}", field="tenant_id")
    ctx = sim_context(request)
    ensure_schema(ctx.store)
    created, invoice_id = upsert_invoice(ctx.store, item, now=ctx.clock.now())
    return JSONResponse({"status": "created" if created else "updated", "invoice_id": invoice_id},
                        status_code=201 if created else 200)


async def list_imported(request: Request, secret: str) -> Response:
    """GET /api/v1/integrations/cloud/invoices → the token tenant's imports."""
    principal = authenticate(request, secret)
    ctx = sim_context(request)
    ensure_schema(ctx.store)
    filters = {k: v for k, v in request.query_params.items() if k in _LIST_FILTERS}
    items = list_invoices(ctx.store, principal.tenant_id, filters=filters)
    return JSONResponse({"invoices": items, "total": len(items)})


async def get_imported(request: Request, secret: str) -> Response:
    """GET /api/v1/integrations/cloud/invoices/{invoice_id} → one import with its lines."""
    principal = authenticate(request, secret)
    ctx = sim_context(request)
    ensure_schema(ctx.store)
    item = get_invoice(ctx.store, principal.tenant_id,
                       invoice_id=request.path_params["invoice_id"])
    if item is None:
        raise FinanceError(404, "not_found", "no such invoice for this tenant")
    return JSONResponse(item)


def finance_routes(*, secret: str | None = None) -> list[BaseRoute]:
    """The finance routes, relative to their ``/api/v1`` mount.

    The JWT secret is ``secret`` or, when None, ``ARCADIA_SIM_FINANCE_JWT_SECRET`` (read now,
    i.e. when the app is built) or :data:`DEFAULT_SECRET`.
    """
    key = secret if secret is not None else os.environ.get(SECRET_ENV, DEFAULT_SECRET)
    if len(key.encode()) < 32:
        log.warning("finance JWT secret is shorter than 32 bytes: fine for a simulator only")
    return [
        Route("/integrations/cloud/import-invoice", _guarded(import_invoice, key),
              methods=["POST"]),
        Route("/integrations/cloud/invoices", _guarded(list_imported, key), methods=["GET"]),
        Route("/integrations/cloud/invoices/{invoice_id}", _guarded(get_imported, key),
              methods=["GET"]),
    ]

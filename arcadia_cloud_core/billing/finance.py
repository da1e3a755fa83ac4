"""Push an ingested invoice to the finance service (``POST …/integrations/cloud/import-invoice``).

Payload: ``{tenant_id, source: "digitalocean", external_id: invoice_uuid, invoice_period,
currency, gross_cents, tax_cents, net_cents, lines}`` where gross = Σ lines, tax = Σ tax lines
(kind ``tax``: the product or, failing any other product rule, the description says GST/tax; see
:mod:`kinds`), net = gross - tax. Auth: a short-lived HS256 JWT (PyJWT) for the identity
``{tenant_id: "platform-admin", roles: ["admin"]}``. Finance answers 201 ``{"status":
"created", "invoice_id"}`` or 200 ``{"status": "updated", …}``; we then record
``pushed_to_finance_at`` and ``finance_invoice_id``. 5xx, 429, timeouts and connection errors
raise :class:`FinanceRetryableError` and record nothing; other 4xx raise
:class:`FinancePushError`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing.attribution import (
    RESOURCE_PROJECT_COLUMNS,
    attribute_line,
    join_resource_project,
    project_tenants,
)
from arcadia_cloud_core.billing.errors import FinancePushError, FinanceRetryableError
from arcadia_cloud_core.billing.invoices import get_invoice
from arcadia_cloud_core.billing.kinds import TAX_KIND
from arcadia_cloud_core.db.schema import PROVIDER, cloud_cost_lines, cloud_invoices, cloud_resources

IMPORT_PATH = "/api/v1/integrations/cloud/import-invoice"
SOURCE = "digitalocean"
CURRENCY = "USD"
PLATFORM_TENANT = "platform-admin"
URL_SETTING = "FINANCE_URL"
SECRET_SETTING = "FINANCE_JWT_SECRET"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinanceSettings:
    """Where and as whom to push (the secret signs the JWT; never logged)."""

    base_url: str
    jwt_secret: str
    tenant_id: str = PLATFORM_TENANT
    roles: tuple[str, ...] = ("admin",)
    token_ttl: timedelta = timedelta(minutes=5)
    timeout_seconds: float = 30.0

    def __repr__(self) -> str:
        return f"FinanceSettings(base_url={self.base_url!r}, tenant_id={self.tenant_id!r})"


def finance_settings_from_env(environ: Mapping[str, str]) -> FinanceSettings | None:
    """Settings from ``FINANCE_URL`` and ``FINANCE_JWT_SECRET``; None when either is unset
    (the push is then skipped, not failed)."""
    url = (environ.get(URL_SETTING) or "").strip()
    secret = environ.get(SECRET_SETTING) or ""
    if not url or not secret:
        return None
    return FinanceSettings(base_url=url.rstrip("/"), jwt_secret=secret)


@dataclass(frozen=True)
class FinanceLine:
    """One invoice line as finance receives it."""

    line_no: int
    product: str
    description: str | None
    kind: str | None
    amount_cents: int
    is_tax: bool
    project_name: str | None
    tenant_id: str | None
    resource_id: str | None
    resource_name: str | None
    period_start: str | None
    period_end: str | None


@dataclass(frozen=True)
class FinancePayload:
    """The import body (``to_json()`` gives the dict that is POSTed)."""

    tenant_id: str
    source: str
    external_id: str
    invoice_period: str
    currency: str
    gross_cents: int
    tax_cents: int
    net_cents: int
    lines: tuple[FinanceLine, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON body."""
        body = asdict(self)
        body["lines"] = [asdict(line) for line in self.lines]
        return body


@dataclass(frozen=True)
class FinancePushResult:
    """Finance's answer, as recorded on the invoice."""

    status: str  # created | updated
    finance_invoice_id: str
    http_status: int
    pushed_at: datetime


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_finance_payload(
    engine: Engine | sa.Connection,
    *,
    invoice_uuid: str,
    tenant_id: str = PLATFORM_TENANT,
    require_reconciled: bool = True,
) -> FinancePayload:
    """The payload for an ingested invoice; refuses one that is not ingested or whose lines do
    not add up to DO's invoice amount (unless ``require_reconciled=False``)."""
    if isinstance(engine, sa.Connection):
        return _payload(engine, invoice_uuid, tenant_id, require_reconciled)
    with engine.connect() as connection:
        return _payload(connection, invoice_uuid, tenant_id, require_reconciled)


def _payload(
    connection: sa.Connection, invoice_uuid: str, tenant_id: str, require_reconciled: bool
) -> FinancePayload:
    invoice = get_invoice(connection, invoice_uuid)
    if invoice.ingest_status != "ingested":
        raise FinancePushError(
            f"not ingested (status {invoice.ingest_status!r})", invoice_uuid=invoice_uuid
        )
    line, res = cloud_cost_lines.c, cloud_resources.c
    rows = connection.execute(
        sa.select(
            line.line_no,
            line.product,
            line.description,
            line.kind,
            line.amount_cents,
            line.project_name,
            line.period_start,
            line.period_end,
            res.provider_id,
            res.name,
            res.tenant_id,
            *RESOURCE_PROJECT_COLUMNS,
        )
        .select_from(
            join_resource_project(
                cloud_cost_lines.outerjoin(cloud_resources, res.id == line.resource_id)
            )
        )
        .where(line.invoice_id == invoice.id)
        .order_by(line.line_no)
    ).all()
    by_project = project_tenants(connection)
    lines = []
    for r in rows:
        project, tenant = attribute_line(
            project_name=r.project_name,
            resource_tenant=r.tenant_id,
            resource_project=r.resource_project,
            resource_project_tenant=r.resource_project_tenant,
            by_project=by_project,
        )
        lines.append(
            FinanceLine(
                line_no=r.line_no,
                product=r.product,
                description=r.description,
                kind=r.kind,
                amount_cents=int(r.amount_cents),
                is_tax=r.kind == TAX_KIND,
                project_name=project,
                tenant_id=tenant,
                resource_id=r.provider_id,
                resource_name=r.name,
                period_start=_iso(r.period_start),
                period_end=_iso(r.period_end),
            )
        )
    gross = sum(item.amount_cents for item in lines)
    tax = sum(item.amount_cents for item in lines if item.is_tax)
    if require_reconciled and gross != invoice.amount_cents:
        raise FinancePushError(
            f"lines add up to {gross} cents but DO's invoice amount is {invoice.amount_cents}",
            invoice_uuid=invoice_uuid,
        )
    return FinancePayload(
        tenant_id=tenant_id,
        source=SOURCE,
        external_id=invoice_uuid,
        invoice_period=invoice.invoice_period,
        currency=CURRENCY,
        gross_cents=gross,
        tax_cents=tax,
        net_cents=gross - tax,
        lines=tuple(lines),
    )


def finance_token(settings: FinanceSettings, *, now: datetime | None = None) -> str:
    """A short-lived HS256 JWT for the platform identity."""
    issued = now if now is not None else datetime.now(UTC)
    claims = {
        "tenant_id": settings.tenant_id,
        "roles": list(settings.roles),
        "iat": int(issued.timestamp()),
        "exp": int((issued + settings.token_ttl).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def push_invoice_to_finance(
    engine: Engine,
    *,
    invoice_uuid: str,
    settings: FinanceSettings,
    client: httpx.Client | None = None,
    now: datetime | None = None,
    require_reconciled: bool = True,
) -> FinancePushResult:
    """POST the invoice to finance and record ``pushed_to_finance_at``/``finance_invoice_id``."""
    payload = build_finance_payload(
        engine,
        invoice_uuid=invoice_uuid,
        tenant_id=settings.tenant_id,
        require_reconciled=require_reconciled,
    )
    response = _post(payload, settings, client, invoice_uuid)
    status, finance_id = _accepted(response, invoice_uuid)
    pushed_at = now if now is not None else datetime.now(UTC)
    c = cloud_invoices.c
    with engine.begin() as connection:
        connection.execute(
            cloud_invoices.update()
            .where(c.provider == PROVIDER, c.invoice_uuid == invoice_uuid)
            .values(
                pushed_to_finance_at=pushed_at, finance_invoice_id=finance_id, updated_at=pushed_at
            )
        )
    log.info("invoice %s pushed to finance: %s as %s", invoice_uuid, status, finance_id)
    return FinancePushResult(status, finance_id, response.status_code, pushed_at)


def _post(
    payload: FinancePayload,
    settings: FinanceSettings,
    client: httpx.Client | None,
    invoice_uuid: str,
) -> httpx.Response:
    url = settings.base_url.rstrip("/") + IMPORT_PATH
    headers = {"Authorization": f"Bearer {finance_token(settings)}"}
    own = client is None
    http = client or httpx.Client(timeout=settings.timeout_seconds)
    try:
        response = http.post(url, json=payload.to_json(), headers=headers)
    except httpx.TimeoutException as exc:
        raise FinanceRetryableError(
            f"timed out ({type(exc).__name__})", invoice_uuid=invoice_uuid
        ) from exc
    except httpx.TransportError as exc:
        raise FinanceRetryableError(f"connection failed: {exc}", invoice_uuid=invoice_uuid) from exc
    finally:
        if own:
            http.close()
    if response.status_code >= 500 or response.status_code == 429:
        raise FinanceRetryableError(
            f"finance answered {response.status_code}",
            invoice_uuid=invoice_uuid,
            status_code=response.status_code,
        )
    return response


def _accepted(response: httpx.Response, invoice_uuid: str) -> tuple[str, str]:
    """(status, finance invoice id) of a 200/201 answer; anything else is a push error."""
    if response.status_code not in (200, 201):
        raise FinancePushError(
            f"finance refused the import with {response.status_code}: {_error_text(response)}",
            invoice_uuid=invoice_uuid,
            status_code=response.status_code,
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    expected = "created" if response.status_code == 201 else "updated"
    if (
        not isinstance(body, dict)
        or body.get("status") != expected
        or not isinstance(body.get("invoice_id"), str | int)
    ):
        raise FinancePushError(
            f"unexpected answer to a {response.status_code}: {response.text[:200]!r}",
            invoice_uuid=invoice_uuid,
            status_code=response.status_code,
        )
    return expected, str(body["invoice_id"])


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("error", "message", "field") if body.get(k)]
        return "; ".join(parts) or response.text[:200]
    return response.text[:200]

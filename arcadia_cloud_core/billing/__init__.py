"""Billing core: DO invoice CSV → typed lines → kind and name → matched resources → storage,
per-invoice summaries, monthly cost roll-ups, FOCUS 1.2 rows and the finance push.

Modules (one concern each): ``money`` (exact cents), ``invoice_csv`` (parse), ``kinds`` (the
kind table), ``names`` (resource names), ``matching`` (the four match stages), ``sources``
(resources and DO's items as frames), ``pipeline`` (parse → derive → match, one public
function per step), ``columns`` (text and label columns),
``invoices`` (headers, ingest status), ``cost_lines`` (atomic line-set replacement), ``ingest``
(the unit of work), ``summary``, ``attribution`` (tenants), ``monthly_costs``, ``tag_costs``
(cost by DO tag), ``focus`` (FOCUS rows), ``focus_rules`` (the FinOps Foundation's FOCUS rule
model, evaluated), ``finance``; ``daily_costs`` (DO's billing insights per day, matched like
invoice lines), ``forecast`` and ``anomalies`` (over the daily series).
"""

from arcadia_cloud_core.billing.cost_lines import StoredLines, load_lines, replace_invoice_lines
from arcadia_cloud_core.billing.daily_costs import (
    DailyCostsError,
    DailyCostsResult,
    ingest_daily_costs,
    load_daily_costs,
)
from arcadia_cloud_core.billing.errors import (
    BillingError,
    FinancePushError,
    FinanceRetryableError,
    InvoiceParseError,
    UnknownInvoiceError,
)
from arcadia_cloud_core.billing.finance import (
    FinancePayload,
    FinancePushResult,
    FinanceSettings,
    build_finance_payload,
    finance_settings_from_env,
    finance_token,
    push_invoice_to_finance,
)
from arcadia_cloud_core.billing.focus import (
    FOCUS_COLUMNS,
    BillingAccount,
    FocusWrite,
    focus_frame,
    replace_focus_lines,
    write_focus_parquet,
)
from arcadia_cloud_core.billing.focus_rules import FocusValidation, validate_focus
from arcadia_cloud_core.billing.ingest import ingest_invoice, ingest_invoice_from_do
from arcadia_cloud_core.billing.invoice_csv import DO_CSV_HEADER, parse_invoice_csv
from arcadia_cloud_core.billing.invoices import (
    InvoiceUpsert,
    get_invoice,
    ingest_attempt,
    invoices_to_ingest,
    invoices_to_push,
    mark_failed,
    mark_ingesting,
    upsert_invoices,
)
from arcadia_cloud_core.billing.kinds import KIND_RULES, derive_kinds
from arcadia_cloud_core.billing.matching import MATCH_METHODS, UNMATCHED_REASONS, match_lines
from arcadia_cloud_core.billing.money import cents_of
from arcadia_cloud_core.billing.monthly_costs import (
    MonthlyCostsRefresh,
    monthly_costs_frame,
    refresh_monthly_costs,
    stored_monthly_costs,
)
from arcadia_cloud_core.billing.names import extract_names, normalise_names
from arcadia_cloud_core.billing.outlook import SpendOutlook, anomalies_on, spend_outlook
from arcadia_cloud_core.billing.pipeline import annotate_lines, prepare_invoice_lines
from arcadia_cloud_core.billing.sources import items_frame, load_resources, resources_frame
from arcadia_cloud_core.billing.summary import InvoiceIngestSummary, invoice_summary
from arcadia_cloud_core.billing.tag_costs import costs_by_tag_frame, daily_costs_by_tag_frame

__all__ = [
    "DO_CSV_HEADER",
    "FOCUS_COLUMNS",
    "KIND_RULES",
    "MATCH_METHODS",
    "UNMATCHED_REASONS",
    "BillingAccount",
    "BillingError",
    "DailyCostsError",
    "DailyCostsResult",
    "FinancePayload",
    "FinancePushError",
    "FinancePushResult",
    "FinanceRetryableError",
    "FinanceSettings",
    "FocusValidation",
    "FocusWrite",
    "InvoiceIngestSummary",
    "InvoiceParseError",
    "InvoiceUpsert",
    "MonthlyCostsRefresh",
    "SpendOutlook",
    "StoredLines",
    "UnknownInvoiceError",
    "annotate_lines",
    "anomalies_on",
    "build_finance_payload",
    "cents_of",
    "costs_by_tag_frame",
    "daily_costs_by_tag_frame",
    "derive_kinds",
    "extract_names",
    "finance_settings_from_env",
    "finance_token",
    "focus_frame",
    "get_invoice",
    "ingest_attempt",
    "ingest_daily_costs",
    "ingest_invoice",
    "ingest_invoice_from_do",
    "invoice_summary",
    "invoices_to_ingest",
    "invoices_to_push",
    "items_frame",
    "load_daily_costs",
    "load_lines",
    "load_resources",
    "mark_failed",
    "mark_ingesting",
    "match_lines",
    "monthly_costs_frame",
    "normalise_names",
    "parse_invoice_csv",
    "prepare_invoice_lines",
    "push_invoice_to_finance",
    "refresh_monthly_costs",
    "replace_focus_lines",
    "replace_invoice_lines",
    "resources_frame",
    "spend_outlook",
    "stored_monthly_costs",
    "upsert_invoices",
    "validate_focus",
    "write_focus_parquet",
]

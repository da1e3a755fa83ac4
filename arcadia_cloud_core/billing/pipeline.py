"""The pure invoice pipeline, one public function per step: CSV → typed lines
(:func:`~arcadia_cloud_core.billing.invoice_csv.parse_invoice_csv`) → kind and name
(:func:`annotate_lines`) → matched to resources (:func:`~.matching.match_lines`).

No database access: resources come in as a frame (``sources.load_resources``), so the benchmark
and the ingest run exactly this code."""

from __future__ import annotations

import pandas as pd

from arcadia_cloud_core.billing.invoice_csv import CsvInput, parse_invoice_csv
from arcadia_cloud_core.billing.kinds import derive_kinds
from arcadia_cloud_core.billing.matching import match_lines
from arcadia_cloud_core.billing.names import extract_names


def annotate_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` plus ``kind`` (categorical; missing if no rule matches) and ``parsed_name``."""
    descriptions = lines["description"].astype("category")  # both read its distinct values
    out = lines.copy(deep=False)
    out["kind"] = derive_kinds(lines["product"], descriptions)
    out["parsed_name"] = extract_names(out["kind"], descriptions, lines["group_description"])
    return out


def prepare_invoice_lines(
    csv_data: CsvInput,
    *,
    invoice_uuid: str,
    resources: pd.DataFrame,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Parse, derive and match one invoice's CSV (raises ``InvoiceParseError`` on bad input).

    ``csv_data``: the CSV's text or bytes, or the path of a file holding them; ``items``: DO's
    JSON invoice items (``sources.items_frame``), whose resource ids match first."""
    lines = annotate_lines(parse_invoice_csv(csv_data, invoice_uuid=invoice_uuid))
    return match_lines(lines, resources, items=items)

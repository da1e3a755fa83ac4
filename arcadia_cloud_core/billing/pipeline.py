"""The pure invoice pipeline: CSV → typed lines + kind and name → matched to resources.

No database access: resources come in as a frame (see ``matching.load_resources``), so the
benchmark and the ingest share exactly this code. Typing the columns (cents, dates, hours) and
deriving kinds and names read the same string columns independently, so
:func:`prepare_invoice_lines` runs them on two threads (pyarrow releases the GIL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa

from arcadia_cloud_core.billing.arrow_utils import StringInput, string_series, strings
from arcadia_cloud_core.billing.invoice_csv import read_invoice_csv, typed_lines
from arcadia_cloud_core.billing.kinds import derive_kinds
from arcadia_cloud_core.billing.matching import match_lines
from arcadia_cloud_core.billing.names import extract_names


def line_annotations(
    products: StringInput, descriptions: StringInput, group_descriptions: StringInput
) -> tuple[pa.Array, pa.Array]:
    """(kind, parsed name) of each line."""
    descriptions = strings(descriptions)
    kinds = derive_kinds(products, descriptions)
    return kinds, extract_names(kinds, descriptions, group_descriptions)


def _with_annotations(lines: pd.DataFrame, kinds: pa.Array, names: pa.Array) -> pd.DataFrame:
    out = lines.copy(deep=False)
    out["kind"] = string_series(kinds).set_axis(lines.index)
    out["parsed_name"] = string_series(names).set_axis(lines.index)
    return out


def annotate_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` plus ``kind`` (our vocabulary, null if unknown) and ``parsed_name``."""
    kinds, names = line_annotations(
        lines["product"], lines["description"], lines["group_description"]
    )
    return _with_annotations(lines, kinds, names)


def prepare_invoice_lines(
    csv_data: bytes | str,
    *,
    invoice_uuid: str,
    resources: pd.DataFrame,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Parse, derive and match one invoice's CSV (raises ``InvoiceParseError`` on bad input)."""
    raw = read_invoice_csv(csv_data, invoice_uuid=invoice_uuid)
    cols = raw.columns
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="invoice") as pool:
        annotations = pool.submit(
            line_annotations, cols["product"], cols["description"], cols["group_description"]
        )
        lines = typed_lines(raw)
        kinds, names = annotations.result()
    return match_lines(_with_annotations(lines, kinds, names), resources, items=items)

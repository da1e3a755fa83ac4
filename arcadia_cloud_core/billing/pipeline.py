"""The pure invoice pipeline: CSV → typed lines + kind and name → matched to resources.

No database access: resources come in as a frame (see ``matching.load_resources``), so the
benchmark and the ingest share exactly this code.

:func:`prepare_invoice_lines` works on distinct values: each text column is dictionary-encoded
once, kinds and names are derived per distinct product/description, names are looked up per
distinct name, and per line only integer positions travel (numpy). The work runs on two threads
(pyarrow compute and most numpy releases the GIL): after the CSV is read (its two halves at
once), one thread encodes the descriptions and looks their base names up while the other
builds the resource tables, types the amounts, hours and dates and then derives kinds and
per-line names; the matching runs while the other thread builds the kind and name columns.
The frame is built once, its text columns sharing the CSV reader's buffers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from arcadia_cloud_core.billing.arrow_utils import (
    Encoded,
    StringInput,
    categorical_series,
    decode,
    encode,
    encode_many,
    string_series,
    strings,
)
from arcadia_cloud_core.billing.errors import InvoiceParseError
from arcadia_cloud_core.billing.invoice_csv import (
    CsvInput,
    RawInvoice,
    lines_frame,
    read_invoice_csv,
    repeated_header,
    typed_values,
)
from arcadia_cloud_core.billing.kinds import KIND_VOCABULARY, kind_codes
from arcadia_cloud_core.billing.matching import (
    LineKeys,
    match_codes,
    name_keys,
    name_positions,
    resource_index,
)
from arcadia_cloud_core.billing.names import base_names, name_codes
from arcadia_cloud_core.billing.resource_index import KINDS, ResourceIndex

_SNAPSHOT = KINDS.index("snapshot")


def _annotations(
    products: Encoded, descriptions: Encoded, group_descriptions: StringInput
) -> tuple[Encoded, Encoded]:
    kinds = kind_codes(products, descriptions)
    names = name_codes(kinds, descriptions, strings(group_descriptions))
    return Encoded(KIND_VOCABULARY, kinds), names


def annotate_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` plus ``kind`` (categorical: our vocabulary, missing if unknown) and
    ``parsed_name`` (text)."""
    kinds, names = _annotations(
        encode(lines["product"]), encode_many(lines["description"]), lines["group_description"]
    )
    out = lines.copy(deep=False)
    out["kind"] = categorical_series(kinds).set_axis(lines.index)
    out["parsed_name"] = _name_column(names).set_axis(lines.index)
    return out


def prepare_invoice_lines(
    csv_data: CsvInput,
    *,
    invoice_uuid: str,
    resources: pd.DataFrame,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Parse, derive and match one invoice's CSV (raises ``InvoiceParseError`` on bad input).

    ``csv_data``: the CSV's text or bytes, or the path of a file holding them."""
    index = resource_index(resources)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice") as worker:
        # After the read, the worker encodes the descriptions, derives their base names, looks
        # those up and builds the snapshot tables, while this thread builds the name tables (the
        # lookup waits for them) and types amounts, hours and dates, then derives kinds (once
        # the descriptions are encoded) and per-line names (once the base names are there). The
        # worker builds the kind and name columns while this thread matches.
        raw = read_invoice_csv(csv_data, invoice_uuid=invoice_uuid)
        cols = raw.columns
        described = worker.submit(encode_many, cols["description"])
        based = worker.submit(lambda: base_names(described.result().dictionary))
        looked_up = worker.submit(lambda: name_positions(based.result(), index))
        worker.submit(_prebuild_snapshots, index)  # needed last, by the matching's last stage
        products = encode(cols["product"])
        header = repeated_header(raw, products)
        _prebuild(index, ids=items is not None and len(items) > 0)
        values = _typed_or_error(raw, header)
        line_start = _naive_utc(values["period_start"])
        if not described.done():  # rather than wait, build what the worker would build later
            _prebuild_snapshots(index)
        descriptions = described.result()
        codes = kind_codes(products, descriptions)
        line_kinds = Encoded(KIND_VOCABULARY, codes)
        line_names = name_codes(codes, descriptions, cols["group_description"], based.result())
        known = looked_up.result()
        labels = worker.submit(lambda: (categorical_series(line_kinds), _name_column(line_names)))
        keys = LineKeys(
            line_kinds,
            line_names,
            line_start,
            cols["project_name"],
            name_keys(line_kinds, line_names, index, known),
        )
        matches = match_codes(keys, index, _typed_frame(raw, values, items), items=items)
        methods = worker.submit(matches.method_labels)
        reasons = matches.reason_labels()
        kind, parsed_name = labels.result()
        extra = {
            "kind": kind,
            "parsed_name": parsed_name,
            "resource_id": matches.resource_ids,
            "match_method": methods.result(),
            "unmatched_reason": reasons,
        }
    return lines_frame(raw, values, extra)


def _name_column(names: Encoded) -> pd.Series:
    """The ``parsed_name`` column, as text: names are nearly as many as lines (one per
    resource), so a categorical's sorted, de-duplicated categories cost more than the text."""
    return string_series(decode(names))


def _prebuild(index: ResourceIndex, *, ids: bool) -> None:
    """Build the resource tables the matching will need first (names; ids if asked)."""
    index.names  # noqa: B018 - first: the worker's lookup of base names waits for it
    if ids:
        index.ids  # noqa: B018


def _prebuild_snapshots(index: ResourceIndex) -> None:
    """Build the snapshot stage's tables if there are snapshots (the matching's last stage)."""
    if (index.kind == _SNAPSHOT).any():
        index.snapshots  # noqa: B018


def _typed_or_error(
    raw: RawInvoice, header: InvoiceParseError | None
) -> dict[str, np.ndarray | pd.Series]:
    """The typed columns; a repeated header row is reported before any bad value."""
    if header is not None:
        raise header
    return typed_values(raw)


def _typed_frame(
    raw: RawInvoice, values: dict[str, np.ndarray | pd.Series], items: pd.DataFrame | None
) -> pd.DataFrame:
    """The typed lines, needed only to pair the lines with DO's JSON items."""
    return lines_frame(raw, values) if items is not None else pd.DataFrame()


def _naive_utc(stamps: np.ndarray | pd.Series) -> np.ndarray:
    """Aware UTC timestamps as naive ``datetime64[us]`` (UTC)."""
    return pd.Series(stamps).to_numpy(dtype="datetime64[us]")

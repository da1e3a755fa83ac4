"""The pure invoice pipeline: CSV → typed lines + kind and name → matched to resources.

No database access: resources come in as a frame (see ``matching.load_resources``), so the
benchmark and the ingest share exactly this code.

:func:`prepare_invoice_lines` works on distinct values: each text column is dictionary-encoded
once, kinds and names are derived per distinct product/description, names are looked up per
distinct name, and per line only integer positions travel (numpy). Typing the columns (cents,
dates, hours) and deriving kinds and names read different columns, so they run on two threads
(pyarrow compute releases the GIL), as do the matching and the spelling out of the kind and name
columns; the frame is built once, its text columns sharing the CSV reader's buffers.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from arcadia_cloud_core.billing.arrow_utils import (
    Encoded,
    StringInput,
    decode,
    encode,
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
from arcadia_cloud_core.billing.matching import LineKeys, match_codes, name_keys, resource_index
from arcadia_cloud_core.billing.names import name_codes
from arcadia_cloud_core.billing.resource_index import KINDS, ResourceIndex

_SNAPSHOT = KINDS.index("snapshot")


def line_annotations(
    products: StringInput, descriptions: StringInput, group_descriptions: StringInput
) -> tuple[pa.Array, pa.Array]:
    """(kind, parsed name) of each line."""
    kinds, names = _annotations(encode(products), encode(descriptions), group_descriptions)
    return decode(kinds), decode(names)


def _annotations(
    products: Encoded, descriptions: Encoded, group_descriptions: StringInput
) -> tuple[Encoded, Encoded]:
    kinds = kind_codes(products, descriptions)
    names = name_codes(kinds, descriptions, strings(group_descriptions))
    return Encoded(KIND_VOCABULARY, kinds), names


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
    csv_data: CsvInput,
    *,
    invoice_uuid: str,
    resources: pd.DataFrame,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Parse, derive and match one invoice's CSV (raises ``InvoiceParseError`` on bad input).

    ``csv_data``: the CSV's text or bytes, or the path of a file holding them."""
    raw = read_invoice_csv(csv_data, invoice_uuid=invoice_uuid)
    cols = raw.columns
    index = resource_index(resources)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice") as worker:
        # Worker: descriptions → kinds and names → their keys. Main: products, typed columns,
        # the resources' name stage (the worker's keys wait for it).
        descriptions = worker.submit(encode, cols["description"])
        products = encode(cols["product"])
        annotated = worker.submit(
            _annotate, products, descriptions, cols["group_description"], index
        )
        values = _typed_or_error(raw, repeated_header(raw, products))
        index.names  # noqa: B018 - built here, while the worker derives names
        kinds, names, keys_by_name = annotated.result()
        if (index.kind == _SNAPSHOT).any():
            worker.submit(lambda: index.snapshots)  # ready when matching reaches stage 4
        spelled = worker.submit(lambda: (decode(kinds), decode(names)))
        start = _naive_utc(values["period_start"])
        keys = LineKeys(kinds, names, start, cols["project_name"], keys_by_name)
        matches = match_codes(keys, index, _typed_frame(raw, values, items), items=items)
        methods = worker.submit(matches.method_labels)
        reasons = matches.reason_labels()
        kind_text, name_text = spelled.result()
        extra = {
            "kind": string_series(kind_text),
            "parsed_name": string_series(name_text),
            "resource_id": matches.resource_ids,
            "match_method": methods.result(),
            "unmatched_reason": reasons,
        }
    return lines_frame(raw, values, extra)


def _annotate(
    products: Encoded,
    descriptions: Future[Encoded],
    group_descriptions: pa.ChunkedArray,
    index: ResourceIndex,
) -> tuple[Encoded, Encoded, np.ndarray]:
    """Kinds and names (encoded), and each line's key in ``index``'s name stage."""
    kinds, names = _annotations(products, descriptions.result(), group_descriptions)
    return kinds, names, name_keys(kinds, names, index)


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

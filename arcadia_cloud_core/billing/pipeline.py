"""The pure invoice pipeline: CSV → typed lines + kind and name → matched to resources.

No database access: resources come in as a frame (see ``matching.load_resources``), so the
benchmark and the ingest share exactly this code.

:func:`prepare_invoice_lines` works on distinct values: each text column is dictionary-encoded
once, kinds and names are derived per distinct product/description, names are looked up per
distinct name, and per line only integer positions travel (numpy). The steps, from reading the
file's two halves to the label columns, run as a task graph on two threads
(:mod:`~arcadia_cloud_core.billing.task_graph`; pyarrow compute and most numpy release the
GIL): each thread takes the next step whose inputs are ready, the longest chain first (the
read, descriptions → base names → lookup → keys → matching), so a step slowed by a busy host
does not leave the other thread idle. The frame is built once, its text columns sharing the
CSV reader's buffers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

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
from arcadia_cloud_core.billing.invoice_csv import (
    TYPED_COLUMNS,
    CsvInput,
    RawInvoice,
    TypedColumns,
    checked_values,
    lines_frame,
    read_tasks,
    repeated_header,
    split_invoice_csv,
    typed_column_or_error,
)
from arcadia_cloud_core.billing.kinds import KIND_VOCABULARY, kind_codes
from arcadia_cloud_core.billing.matching import (
    LineKeys,
    Matches,
    match_codes,
    name_keys,
    name_positions,
    resource_index,
)
from arcadia_cloud_core.billing.names import base_names, name_codes
from arcadia_cloud_core.billing.resource_index import KINDS, ResourceIndex
from arcadia_cloud_core.billing.task_graph import Task, run_tasks

_SNAPSHOT = KINDS.index("snapshot")
_TABLES = ("snapshot_tables", "id_tables")  # resource tables the matching reads, built ahead


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
    parts = split_invoice_csv(csv_data, invoice_uuid=invoice_uuid)
    index = resource_index(resources)
    with_ids = items is not None and len(items) > 0

    def line_names(
        raw: RawInvoice, kinds: np.ndarray, descriptions: Encoded, base: pa.Array
    ) -> Encoded:
        return name_codes(kinds, descriptions, raw.columns["group_description"], base)

    def line_keys(
        raw: RawInvoice, kinds: np.ndarray, names: Encoded, known: np.ndarray, values: TypedColumns
    ) -> LineKeys:
        encoded_kinds = Encoded(KIND_VOCABULARY, kinds)
        keys = name_keys(encoded_kinds, names, index, known)
        starts = _naive_utc(values["period_start"])
        return LineKeys(encoded_kinds, names, starts, raw.columns["project_name"], keys)

    def line_matches(
        raw: RawInvoice, keys: LineKeys, values: TypedColumns, *_tables: object
    ) -> Matches:
        return match_codes(keys, index, _typed_frame(raw, values, items), items=items)

    def typed(name: str) -> Task:
        return Task(name, lambda raw: typed_column_or_error(raw, name), ("raw",))

    done = run_tasks(
        [  # the longest chain first: the read, descriptions → base names → lookup → matching
            *read_tasks(parts),
            Task("descriptions", lambda raw: encode_many(raw.columns["description"]), ("raw",)),
            Task("products", lambda raw: encode(raw.columns["product"]), ("raw",)),
            # needed soon after the read: a thread done with its half first builds them
            Task("name_tables", lambda: index.names),
            Task("base", lambda d: base_names(d.dictionary), ("descriptions",)),
            Task("known", lambda b, _: name_positions(b, index), ("base", "name_tables")),
            Task("kinds", kind_codes, ("products", "descriptions")),
            Task("names", line_names, ("raw", "kinds", "descriptions", "base")),
            Task("header", repeated_header, ("raw", "products")),
            *(typed(name) for name in TYPED_COLUMNS),
            Task("values", lambda h, *cols: checked_values(h, cols), ("header", *TYPED_COLUMNS)),
            Task("keys", line_keys, ("raw", "kinds", "names", "known", "values")),
            Task("snapshot_tables", lambda: _snapshot_tables(index)),
            Task("id_tables", lambda: index.ids if with_ids else None),
            Task("matches", line_matches, ("raw", "keys", "values", *_TABLES)),
            Task("kind", lambda k: categorical_series(Encoded(KIND_VOCABULARY, k)), ("kinds",)),
            Task("parsed_name", _name_column, ("names",)),
            Task("match_method", lambda m: m.method_labels(), ("matches",)),
            Task("unmatched_reason", lambda m: m.reason_labels(), ("matches",)),
        ]
    )
    extra = {
        "kind": done["kind"],
        "parsed_name": done["parsed_name"],
        "resource_id": done["matches"].resource_ids,
        "match_method": done["match_method"],
        "unmatched_reason": done["unmatched_reason"],
    }
    return lines_frame(done["raw"], done["values"], extra)


def _name_column(names: Encoded) -> pd.Series:
    """The ``parsed_name`` column, as text: names are nearly as many as lines (one per
    resource), so a categorical's sorted, de-duplicated categories cost more than the text."""
    return string_series(decode(names))


def _snapshot_tables(index: ResourceIndex) -> None:
    """Build the snapshot stage's tables if there are snapshots (the matching's last stage)."""
    if (index.kind == _SNAPSHOT).any():
        index.snapshots  # noqa: B018


def _typed_frame(raw: RawInvoice, values: TypedColumns, items: pd.DataFrame | None) -> pd.DataFrame:
    """The typed lines, needed only to pair the lines with DO's JSON items."""
    return lines_frame(raw, values) if items is not None else pd.DataFrame()


def _naive_utc(stamps: np.ndarray | pd.Series) -> np.ndarray:
    """Aware UTC timestamps as naive ``datetime64[us]`` (UTC)."""
    return pd.Series(stamps).to_numpy(dtype="datetime64[us]")

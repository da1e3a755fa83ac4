"""DO's invoice CSV → a typed DataFrame of lines, or one :class:`InvoiceParseError`.

Columns are found by name, case-insensitively: :data:`REQUIRED_COLUMNS` must be there, the rest
of :data:`DO_CSV_HEADER` is null when absent (older invoices have no ``category``). Fields are
read as text (:data:`NA_VALUES` null), then each distinct value of a typed column is parsed once:
exact cents, strict UTC stamps (``YYYY-MM-DD HH:MM:SS +0000``), hours. UTF-8, BOM or not, LF/CRLF.

Rejected, naming the invoice, the CSV line (header: 1) and the column, in this order: an empty,
HTML or JSON body, missing or duplicated columns, a row of the wrong width, a truncated last
line, text that is not UTF-8, a repeated header row, bad amounts, hours or dates.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from arcadia_cloud_core.billing.columns import STRING, distinct
from arcadia_cloud_core.billing.errors import InvoiceParseError
from arcadia_cloud_core.billing.money import cents_of

DO_CSV_HEADER = "product,group_description,description,hours,start,end,USD,project_name,category"
CSV_COLUMNS: tuple[str, ...] = tuple(DO_CSV_HEADER.split(","))
REQUIRED_COLUMNS: tuple[str, ...] = ("product", "description", "hours", "start", "end", "USD")
#: Columns of the parsed frame (one row per CSV line, in file order).
LINE_COLUMNS = ("line_no", "product", "group_description", "description", "hours")
LINE_COLUMNS += ("period_start", "period_end", "amount_cents", "project_name", "category")
#: Field values read as missing (null): the strings pandas' CSV readers treat as NA by default.
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND")
NA_VALUES += ("1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
#: An invoice CSV: its text, its bytes, or the path of a file holding them.
CsvInput = bytes | bytearray | memoryview | str | os.PathLike[str]

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-](0\d|1[0-4])[0-5]\d")
_HOURS = re.compile(r"\s*\d{1,9}(\.\d{1,4})?\s*")
_BOM = b"\xef\xbb\xbf"


def parse_invoice_csv(data: CsvInput, *, invoice_uuid: str) -> pd.DataFrame:
    """Parse one invoice's CSV into a frame with :data:`LINE_COLUMNS`.

    ``line_no`` numbers the data rows from 1; an error's ``line`` is the file's line (header 1).
    """
    body = _body(data, invoice_uuid)
    written = _header(body, invoice_uuid)
    if not body.endswith(b"\n"):
        reason = "truncated last line: the file does not end with a line break"
        raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=body.count(b"\n") + 1)
    raw = _read(body, written, invoice_uuid)
    rows = len(raw["product"])
    fail = _failer(body, rows, invoice_uuid)
    cents = _cents(raw, fail)  # the typed columns, their errors in this order
    hours = _typed(raw["hours"], "hours", _hours, fail, np.float64)
    start, end = _stamps(raw["start"], "start", fail), _stamps(raw["end"], "end", fail)
    typed = {"hours": hours, "period_start": start, "period_end": end, "amount_cents": cents}
    line_no = np.arange(1, rows + 1, dtype=np.int64)
    return pd.DataFrame({"line_no": line_no, **raw, **typed}, columns=list(LINE_COLUMNS))


# -- the body, its header and its rows ------------------------------------------------------------
def _body(data: CsvInput, invoice_uuid: str) -> bytes:
    """The file's bytes without a BOM; an empty, HTML or JSON body is an error."""
    if isinstance(data, os.PathLike):
        data = Path(data).read_bytes()
    if isinstance(data, str):  # a lone surrogate stays invalid UTF-8, reported with its line
        data = data.encode("utf-8", "surrogatepass")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"invoice CSV must be bytes, str or a path, not {type(data).__name__}")
    body = bytes(data).removeprefix(_BOM)
    if not body or (body[:512].isspace() and body.isspace()):
        raise InvoiceParseError("empty body: no header and no lines", invoice_uuid=invoice_uuid)
    head = body[:512].lstrip().lower()
    reason = "body is HTML, not CSV (an error page instead of the invoice?)"
    if head.startswith((b"<", b"{", b"[")):
        reason = reason if head.startswith(b"<") else "body is JSON, not CSV"
        raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=1)
    return body


def _header(body: bytes, invoice_uuid: str) -> list[str]:
    """The header's column names as written; missing or duplicated columns are errors."""
    end = body.find(b"\n")
    try:
        text = body[: end if end >= 0 else len(body)].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        reason = "header is not UTF-8 text"
        raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=1) from None
    written = next(csv.reader([text]), [])
    seen = [name.strip().lower() for name in written]
    for index, name in enumerate(seen):
        if name in seen[:index]:
            reason, column = "duplicated column in the header", written[index].strip()
            raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=1, column=column)
    missing = [col for col in REQUIRED_COLUMNS if col.lower() not in seen]
    if missing:
        reason = f"missing required column{'s' * (len(missing) > 1)} (the header is {text[:200]!r})"
        column = ", ".join(missing)
        raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=1, column=column)
    return written


def _read(body: bytes, written: list[str], invoice_uuid: str) -> dict[str, pd.Series]:
    """Every row as text, one column per :data:`CSV_COLUMNS` (absent ones all null).

    pyarrow reads the file on every core when no value holds a line break; a file with blank
    lines or multi-line values (rows + header != line breaks) is read again, serially, with
    line breaks allowed inside quotes. A file neither read accepts is diagnosed."""
    read = pv.ReadOptions(column_names=written, skip_rows=1)
    convert = pv.ConvertOptions(
        column_types=dict.fromkeys(written, pa.string()),
        null_values=list(NA_VALUES),
        strings_can_be_null=True,
    )
    table = None
    for newlines_in_values in (False, True):
        parse = pv.ParseOptions(newlines_in_values=newlines_in_values)
        try:
            table = pv.read_csv(pa.py_buffer(body), read, parse, convert)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            if newlines_in_values:
                _diagnose(body, len(written), invoice_uuid, exc)
            continue
        if table.num_rows + 1 == body.count(b"\n") or newlines_in_values:
            break
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    by_name = {name.strip().lower(): name for name in written}
    absent = pd.Series([None] * len(frame), dtype=STRING)
    return {col: frame.get(by_name.get(col.lower()), absent) for col in CSV_COLUMNS}


def _records(body: bytes, invoice_uuid: str) -> Iterator[tuple[int, list[str]]]:
    """Each data record and the file line it starts on, read by the standard library's
    reader (for error messages: the line of a record whose fields hold line breaks)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        raise InvoiceParseError("text is not UTF-8", invoice_uuid=invoice_uuid, line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        for index, row in enumerate(reader):
            start, end = end + 1, reader.line_num
            if index and row:
                yield start, row
    except csv.Error as err:
        raise InvoiceParseError(
            f"malformed CSV: {err}", invoice_uuid=invoice_uuid, line=reader.line_num
        ) from None


def _diagnose(body: bytes, width: int, invoice_uuid: str, exc: Exception) -> None:
    """Find why pyarrow could not read the file; raise an :class:`InvoiceParseError` with the
    line at fault."""
    for line, row in _records(body, invoice_uuid):
        if len(row) != width:
            reason = f"expected {width} fields, found {len(row)}"
            raise InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=line)
    reason = str(exc).strip().splitlines()[0]
    raise InvoiceParseError(f"malformed CSV: {reason}", invoice_uuid=invoice_uuid) from exc


Fail = Callable[[int, str, str], InvoiceParseError]


def _failer(body: bytes, rows: int, invoice_uuid: str) -> Fail:
    """``fail(row, column, reason)``: the error for a bad value, naming the row's file line."""

    def fail(row: int, column: str, reason: str) -> InvoiceParseError:
        simple = body.count(b"\n") == rows + 1  # no blank lines, no line breaks inside fields
        line = row + 2 if simple else [start for start, _ in _records(body, invoice_uuid)][row]
        return InvoiceParseError(reason, invoice_uuid=invoice_uuid, line=line, column=column)

    return fail


# -- typed columns: each distinct value parsed once -----------------------------------------------
_DATE = "not a date like '2026-04-01 00:00:00 +0000': {!r}"
#: Why a value of a typed column is bad (None: the field is empty).
_REASONS: dict[str, Callable[[str | None], str]] = {
    "USD": lambda value: f"not an amount: {value!r}" if value else "empty amount",
    "hours": lambda value: f"not a number of hours: {value!r}",
    "start": lambda value: _DATE.format(value) if value else "empty date",
    "end": lambda value: _DATE.format(value) if value else "empty date",
}


def _typed(
    values: pd.Series, column: str, parse: Callable[[str | None], Any], fail: Fail, dtype: type
) -> np.ndarray:
    """``parse`` of each row's value, run once per distinct value; the first row it returns
    None for fails."""
    codes, uniques = distinct(values)
    parsed = [parse(value if isinstance(value, str) else None) for value in uniques.tolist()]
    parsed.append(parse(None))  # code -1 (null): the last
    codes = np.where(codes < 0, len(parsed) - 1, codes)
    bad = np.array([value is None for value in parsed])[codes]
    if bad.any():
        row = int(np.argmax(bad))
        value = values.iloc[row]
        raise fail(row, column, _REASONS[column](value if isinstance(value, str) else None))
    return np.array([0 if value is None else value for value in parsed], dtype=dtype)[codes]


def _cents(raw: dict[str, pd.Series], fail: Fail) -> np.ndarray:
    """The ``USD`` column in exact cents. A repeated header row is reported before any bad
    amount (its ``USD`` is never an amount, so it is looked for only when one is bad)."""
    try:
        return _typed(raw["USD"], "USD", cents_of, fail, np.int64)
    except InvoiceParseError:
        header = (raw["product"].str.strip().str.lower() == "product") & (
            raw["USD"].str.strip().str.lower() == "usd"
        )
        header = header.to_numpy(dtype=bool, na_value=False)
        if header.any():
            raise fail(int(np.argmax(header)), "product", "repeated header row") from None
        raise


def _hours(text: str | None) -> float | None:
    """Hours as a float (nan when blank), or None when not a number of hours."""
    if text is None or not text.strip():
        return float("nan")
    return float(text) if _HOURS.fullmatch(text) else None


def _micros(text: str | None) -> int | None:
    """A strict ``YYYY-MM-DD HH:MM:SS ±HHMM`` as UTC epoch microseconds; None if it is not one."""
    text = text.strip() if text else ""
    if not _STAMP.fullmatch(text):
        return None
    try:
        stamp = datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:  # 04-31, 24:00, :60 ...
        return None
    return int(stamp.timestamp()) * 1_000_000


def _stamps(values: pd.Series, column: str, fail: Fail) -> pd.Series:
    micros = _typed(values, column, _micros, fail, np.int64)
    return pd.Series(pd.DatetimeIndex(micros.view("datetime64[us]")).tz_localize(UTC))

"""DO's invoice CSV → a typed DataFrame of lines, or one :class:`InvoiceParseError`.

Header-keyed: columns are found by name (case-insensitive), so their order and any extra columns
do not matter. DO's header is :data:`DO_CSV_HEADER`; :data:`REQUIRED_COLUMNS` must be present,
the others are optional (null when absent). Parsing is vectorised (pyarrow's CSV reader,
two halves of the file at once, into string columns, then pyarrow compute on distinct values):
amounts become exact integer cents, ``start``/``end`` (``YYYY-MM-DD HH:MM:SS +0000``) become
aware UTC timestamps, empty ``hours`` stay null. UTF-8 with or without a BOM, LF or CRLF line
ends. Fields reading :data:`NA_VALUES` are missing (null), as with pandas.

Rejected, each with the invoice uuid, the CSV line (the header is line 1) and the column: an
empty body, an HTML/JSON body, missing or duplicated columns, a row with the wrong number of
fields, a truncated last line (DO's files end with a line break), a repeated header row, text
that is not UTF-8, and unparseable amounts, hours or dates.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from arcadia_cloud_core.billing.arrow_utils import POOL, Encoded, encode, string_series, strings
from arcadia_cloud_core.billing.errors import InvoiceParseError
from arcadia_cloud_core.billing.money import parse_amounts
from arcadia_cloud_core.billing.task_graph import Task, run_tasks

DO_CSV_HEADER = "product,group_description,description,hours,start,end,USD,project_name,category"
CSV_COLUMNS: tuple[str, ...] = tuple(DO_CSV_HEADER.split(","))
REQUIRED_COLUMNS: tuple[str, ...] = ("product", "description", "hours", "start", "end", "USD")
TEXT_COLUMNS = ("product", "group_description", "description", "project_name", "category")

#: Columns of the parsed frame (one row per CSV line, in file order).
LINE_COLUMNS = (
    "line_no",
    "product",
    "group_description",
    "description",
    "hours",
    "period_start",
    "period_end",
    "amount_cents",
    "project_name",
    "category",
)

_WALL_FORMAT = "%Y-%m-%d %H:%M:%S"
_STAMP_PATTERN = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-](0\d|1[0-4])[0-5]\d$"
_HOURS_PATTERN = r"^\s*\d{1,9}(\.\d{1,4})?\s*$"
_BOM = b"\xef\xbb\xbf"
#: An invoice CSV: its text, its bytes, or the path of a file holding them.
CsvInput = bytes | bytearray | memoryview | str | os.PathLike[str]
#: Field values read as missing (null): the strings pandas' CSV readers treat as NA by default.
NA_VALUES: tuple[str, ...] = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)


#: Read dictionary-encoded (few distinct values, never part of the frame as text).
_ENCODED = frozenset({"start", "end", "hours"})


def _convert_options(*, check_utf8: bool, encoded: Sequence[str]) -> pv.ConvertOptions:
    return pv.ConvertOptions(
        column_types={name: pa.dictionary(pa.int32(), pa.string()) for name in encoded},
        default_column_type=pa.string(),
        null_values=list(NA_VALUES),
        strings_can_be_null=True,
        check_utf8=check_utf8,
    )


@dataclass(frozen=True)
class RawInvoice:
    """An invoice CSV read into string columns (header and shape checked), not yet typed.

    ``columns`` holds every column of :data:`CSV_COLUMNS` as a chunked ``pa.string()`` array,
    ``start``, ``end`` and ``hours`` possibly dictionary-encoded (optional columns the file
    lacks are all-null; extra columns are dropped).
    """

    invoice_uuid: str
    body: bytes | mmap.mmap  # the file's bytes (a read-only map when read from a path)
    columns: Mapping[str, pa.ChunkedArray]

    def __len__(self) -> int:
        return len(self.columns["product"])


@dataclass(frozen=True)
class CsvParts:
    """An invoice CSV checked (body, header, last line break) and cut in two at a record
    boundary, so that its halves can be read at once (:func:`read_part`, :func:`join_parts`)."""

    invoice_uuid: str
    body: bytes | mmap.mmap
    names: list[str]  # the header's columns, canonical names
    written: list[str]  # the same, as written
    bounds: tuple[tuple[int, int], tuple[int, int]]  # byte ranges; the first holds the header


def read_invoice_csv(data: CsvInput, *, invoice_uuid: str) -> RawInvoice:
    """Check the body and header and read the rows as strings (pyarrow's CSV reader), the
    file's two halves at once.

    ``data`` is the CSV's text or bytes, or the path of a file holding them (memory-mapped)."""
    return run_tasks(read_tasks(split_invoice_csv(data, invoice_uuid=invoice_uuid)))["raw"]


def read_tasks(parts: CsvParts) -> list[Task]:
    """The read as tasks for :func:`~arcadia_cloud_core.billing.task_graph.run_tasks`: the two
    halves (``part 0``, ``part 1``), then ``raw``, the :class:`RawInvoice`."""
    return [
        Task("part 0", lambda: read_part(parts, 0)),
        Task("part 1", lambda: read_part(parts, 1)),
        Task("raw", lambda first, rest: join_parts(parts, [first, rest]), ("part 0", "part 1")),
    ]


def split_invoice_csv(data: CsvInput, *, invoice_uuid: str) -> CsvParts:
    """Check the body, its header and its last line break, and cut it in two between records."""
    body = _to_bytes(data, invoice_uuid)
    names, written = _check_header(body, invoice_uuid)
    if body[-1:] != b"\n":
        raise InvoiceParseError(
            "truncated last line: the file does not end with a line break",
            invoice_uuid=invoice_uuid,
            line=_as_bytes(body).count(b"\n") + 1,
        )
    end = len(body)
    cut = _record_boundary(body, end // 2) or end
    return CsvParts(invoice_uuid, body, names, written, ((0, cut), (cut, end)))


def read_part(parts: CsvParts, index: int) -> pa.Table | Exception | None:
    """Read one part's rows (a streaming reader on this thread, which reuses its block buffers
    where the threaded whole-file reader keeps every parsed block alive). A parse error is
    returned, not raised: :func:`join_parts` finds its line. None: the part is empty."""
    start, stop = parts.bounds[index]
    if start >= stop:
        return None
    body = parts.body
    # Low-cardinality columns only ever typed are read dictionary-encoded: pyarrow's reader
    # encodes them per block, and their text is never materialised.
    encoded = [w for w, name in zip(parts.written, parts.names, strict=True) if name in _ENCODED]
    convert = _convert_options(check_utf8=not _is_ascii(body, start, stop), encoded=encoded)
    skip = int(start == 0)  # the header
    options = pv.ReadOptions(column_names=parts.written, skip_rows=skip, use_threads=False)
    piece = pa.py_buffer(body).slice(start, stop - start)
    try:
        reader = pv.open_csv(piece, read_options=options, convert_options=convert, memory_pool=POOL)
        return reader.read_all()
    except Exception as exc:  # pyarrow parse errors
        return exc


def join_parts(parts: CsvParts, tables: Sequence[pa.Table | Exception | None]) -> RawInvoice:
    """The invoice from its parts as :func:`read_part` gave them; a part that failed to parse
    raises an :class:`InvoiceParseError` with the line at fault."""
    body, names, invoice_uuid = parts.body, parts.names, parts.invoice_uuid
    for table in tables:
        if isinstance(table, Exception):
            _diagnose(body, names, invoice_uuid, table)
    read = [t for t in tables if isinstance(t, pa.Table)]
    if any(t.num_columns != len(names) for t in read):
        _diagnose(body, names, invoice_uuid, None)
    try:
        table = pa.concat_tables(read)
    except Exception as exc:  # the halves disagree on their columns' types
        _diagnose(body, names, invoice_uuid, exc)
        raise  # pragma: no cover - _diagnose always raises
    table = table.rename_columns(list(names))
    n = table.num_rows
    columns = {
        col: table.column(col) if col in names else strings(pa.nulls(n, pa.string()))
        for col in CSV_COLUMNS
    }
    return RawInvoice(invoice_uuid=invoice_uuid, body=body, columns=columns)


def _is_ascii(body: bytes | mmap.mmap, start: int, stop: int) -> bool:
    """Whether ``body[start:stop]`` is pure ASCII (then valid UTF-8: pyarrow need not check
    each field)."""
    return start >= stop or int(np.frombuffer(body, dtype=np.uint8)[start:stop].max()) < 0x80


def _record_boundary(body: bytes | mmap.mmap, near: int, tries: int = 64) -> int | None:
    """The start of the first record after ``near`` past the header (a line break outside
    quotes: an even number of ``"`` before it; ``""`` escapes keep the parity), or None."""
    header_end = body.find(b"\n")
    at = body.find(b"\n", max(near, header_end + 1))
    quotes = _count_quotes(body, 0, at) if at > 0 else 0
    for _ in range(tries):
        if not header_end < at < len(body) - 1:
            return None
        if quotes % 2 == 0:
            return at + 1
        following = body.find(b"\n", at + 1)
        quotes += _count_quotes(body, at, following)
        at = following
    return None


def _count_quotes(body: bytes | mmap.mmap, start: int, stop: int) -> int:
    """How many ``"`` bytes ``body[start:stop]`` holds (in slices: no body-sized scratch)."""
    view = np.frombuffer(body, dtype=np.uint8)[start:stop]
    scratch = np.empty(min(len(view), 1 << 20), dtype=bool)
    count = 0
    for offset in range(0, len(view), len(scratch)):
        piece = view[offset : offset + len(scratch)]
        count += int(np.count_nonzero(np.equal(piece, ord('"'), out=scratch[: len(piece)])))
    return count


def typed_lines(raw: RawInvoice) -> pd.DataFrame:
    """The typed frame (:data:`LINE_COLUMNS`): exact cents, UTC timestamps, hours; the first bad
    value raises :class:`InvoiceParseError` with its line and column."""
    header = repeated_header(raw, encode(raw.columns["product"]))
    if header is not None:
        raise header
    columns = [typed_column_or_error(raw, name) for name in TYPED_COLUMNS]
    return lines_frame(raw, checked_values(None, columns))


def repeated_header(raw: RawInvoice, products: Encoded) -> InvoiceParseError | None:
    """The error for the first row that repeats the header, or None (``products``: encoded)."""
    bad = _repeated_header(products, raw.columns["USD"])
    return None if bad is None else _fail_at(raw, bad, "product", "repeated header row")


#: The typed columns, in the order their bad values are reported.
TYPED_COLUMNS = ("amount_cents", "hours", "period_start", "period_end")


#: The typed columns by name (:data:`TYPED_COLUMNS`).
TypedColumns = dict[str, np.ndarray | pd.Series]


def checked_values(
    header: InvoiceParseError | None, columns: Sequence[np.ndarray | pd.Series | InvoiceParseError]
) -> TypedColumns:
    """The typed columns by name, from :func:`typed_column_or_error` of each of
    :data:`TYPED_COLUMNS` in order; raises the first error: a repeated header row
    (:func:`repeated_header`) before any bad value, then bad values in column order."""
    for error in (header, *columns):
        if isinstance(error, InvoiceParseError):
            raise error
    return dict(zip(TYPED_COLUMNS, columns, strict=True))


def typed_column_or_error(raw: RawInvoice, name: str) -> np.ndarray | pd.Series | InvoiceParseError:
    """:func:`typed_column`, its ``InvoiceParseError`` returned instead of raised (columns typed
    apart, their errors reported in order by :func:`checked_values`)."""
    try:
        return typed_column(raw, name)
    except InvoiceParseError as exc:
        return exc


def typed_column(raw: RawInvoice, name: str) -> np.ndarray | pd.Series:
    """One of :data:`TYPED_COLUMNS`; its first bad value raises :class:`InvoiceParseError`."""
    if name == "amount_cents":
        return _amounts(raw)
    if name == "hours":
        return _hours(raw)
    if name in ("period_start", "period_end"):
        return _timestamps(raw, "start" if name == "period_start" else "end")
    raise ValueError(f"not a typed column: {name!r} (one of {', '.join(TYPED_COLUMNS)})")


def _amounts(raw: RawInvoice) -> np.ndarray:
    usd = raw.columns["USD"]
    amounts = parse_amounts(usd)
    bad = amounts.first_invalid
    if bad is not None:
        value = usd[bad].as_py()
        reason = "empty amount" if not value else f"not an amount: {value!r}"
        raise _fail_at(raw, bad, "USD", reason)
    return amounts.cents


def lines_frame(
    raw: RawInvoice,
    values: Mapping[str, np.ndarray | pd.Series],
    extra: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """The frame of :data:`LINE_COLUMNS` (text columns share the CSV's buffers) and ``extra``."""
    cols = raw.columns
    out: dict[str, object] = {"line_no": np.arange(1, len(raw) + 1, dtype=np.int64)}
    out.update({col: string_series(cols[col]) for col in TEXT_COLUMNS})
    out.update(values)
    out.update(extra or {})
    # copy=False: the columns are fresh arrays of this frame alone (no consolidating copy).
    return pd.DataFrame(out, columns=[*LINE_COLUMNS, *(extra or {})], copy=False)


def parse_invoice_csv(data: CsvInput, *, invoice_uuid: str) -> pd.DataFrame:
    """Parse one invoice's CSV into a frame with :data:`LINE_COLUMNS`.

    ``line_no`` numbers the data rows from 1; an error's ``line`` is the file's line (header 1).
    """
    return typed_lines(read_invoice_csv(data, invoice_uuid=invoice_uuid))


# -- the body and its header ----------------------------------------------------------------------
def _to_bytes(data: CsvInput, invoice_uuid: str) -> bytes | mmap.mmap:
    if isinstance(data, os.PathLike):
        body = _map_file(data)
    elif isinstance(data, str):
        try:
            body = data.removeprefix("\ufeff").encode("utf-8")
        except UnicodeEncodeError as exc:
            line = data.count("\n", 0, exc.start) + 1
            raise InvoiceParseError(
                "text is not valid Unicode", invoice_uuid=invoice_uuid, line=line
            ) from None
    elif isinstance(data, bytes | bytearray | memoryview):
        body = bytes(data).removeprefix(_BOM)
    else:
        raise TypeError(f"invoice CSV must be bytes, str or a path, not {type(data).__name__}")
    if not body or (body[:512].isspace() and _as_bytes(body).isspace()):
        raise InvoiceParseError("empty body: no header and no lines", invoice_uuid=invoice_uuid)
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        raise InvoiceParseError(
            "body is HTML, not CSV (an error page instead of the invoice?)",
            invoice_uuid=invoice_uuid,
            line=1,
        )
    if head.startswith((b"{", b"[")):
        raise InvoiceParseError("body is JSON, not CSV", invoice_uuid=invoice_uuid, line=1)
    return body


def _map_file(path: os.PathLike[str]) -> bytes | mmap.mmap:
    """The file's bytes: a read-only memory map (no copy), or bytes if it is empty or has a BOM."""
    with open(path, "rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return b""
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if mapped[:3] == _BOM:
        return mapped[3:]
    return mapped


def _as_bytes(body: bytes | mmap.mmap) -> bytes:
    """The whole body as ``bytes`` (a copy of a map: for error paths only)."""
    return body if isinstance(body, bytes) else body[:]


def _check_header(body: bytes | mmap.mmap, invoice_uuid: str) -> tuple[list[str], list[str]]:
    """The header's column names, canonical and as written; missing/duplicated columns are
    errors."""
    end = body.find(b"\n")
    first = body[:end] if end >= 0 else body[:]
    try:
        text = first.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise InvoiceParseError(
            "header is not UTF-8 text", invoice_uuid=invoice_uuid, line=1
        ) from None
    written = next(csv.reader([text]), [])
    names = [name.strip() for name in written]
    seen: dict[str, str] = {}
    for name in names:
        key = name.lower()
        if key in seen:
            raise InvoiceParseError(
                "duplicated column in the header", invoice_uuid=invoice_uuid, line=1, column=name
            )
        seen[key] = name
    missing = [col for col in REQUIRED_COLUMNS if col.lower() not in seen]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InvoiceParseError(
            f"missing required column{plural} (the header is {text[:200]!r})",
            invoice_uuid=invoice_uuid,
            line=1,
            column=", ".join(missing),
        )
    canonical = {col.lower(): col for col in CSV_COLUMNS}
    return [canonical.get(name.lower(), name) for name in names], written


def _diagnose(
    body: bytes | mmap.mmap, names: Sequence[str], invoice_uuid: str, exc: Exception | None
) -> None:
    """Find why the fast parser failed and raise an :class:`InvoiceParseError` with the line."""
    body = _as_bytes(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvoiceParseError(
            "text is not UTF-8", invoice_uuid=invoice_uuid, line=body.count(b"\n", 0, err.start) + 1
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 0
    try:
        for index, row in enumerate(reader):
            start, line = line + 1, reader.line_num
            if index == 0 or not row:
                continue
            if len(row) != len(names):
                raise InvoiceParseError(
                    f"expected {len(names)} fields, found {len(row)}",
                    invoice_uuid=invoice_uuid,
                    line=start,
                )
    except csv.Error as err:
        raise InvoiceParseError(
            f"malformed CSV: {err}", invoice_uuid=invoice_uuid, line=reader.line_num
        ) from None
    reason = str(exc).strip().splitlines()[0] if exc is not None else "unexpected column count"
    raise InvoiceParseError(f"malformed CSV: {reason}", invoice_uuid=invoice_uuid) from exc


def _record_lines(body: bytes | mmap.mmap, n_records: int) -> np.ndarray:
    """The file line on which each data record starts (header = line 1)."""
    body = _as_bytes(body)
    if body.count(b"\n") == n_records + 1:  # no blank lines, no line breaks inside fields
        return np.arange(2, n_records + 2)
    starts = []
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    line = 0
    for index, row in enumerate(reader):
        start, line = line + 1, reader.line_num
        if index > 0 and row:
            starts.append(start)
    return np.asarray(starts[:n_records])


# -- typed columns --------------------------------------------------------------------------------
def _fail_at(raw: RawInvoice, index: int, column: str, reason: str) -> InvoiceParseError:
    line = int(_record_lines(raw.body, len(raw))[index])
    return InvoiceParseError(reason, invoice_uuid=raw.invoice_uuid, line=line, column=column)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _repeated_header(encoded: Encoded, usd: pa.ChunkedArray) -> int | None:
    """The first row that repeats the header (product ``product`` and USD ``USD``), or None."""
    distinct = pc.utf8_lower(pc.utf8_trim_whitespace(encoded.dictionary))
    header_codes = np.flatnonzero(pc.fill_null(pc.equal(distinct, "product"), False))
    if not header_codes.size:
        return None
    usd_is_header = pc.fill_null(
        pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(usd)), "usd"), False
    )
    rows = np.isin(encoded.indices, header_codes) & usd_is_header.to_numpy(zero_copy_only=False)
    return _first(rows)


def _hours(raw: RawInvoice) -> np.ndarray:
    column = raw.columns["hours"]
    encoded = encode(column)
    distinct = encoded.dictionary
    ok = pc.match_substring_regex(distinct, _HOURS_PATTERN).to_numpy(zero_copy_only=False)
    blank = pc.equal(pc.utf8_trim_whitespace(distinct), "").to_numpy(zero_copy_only=False)
    bad_distinct = ~(ok | blank)
    if bad_distinct.any():  # per row only when some distinct value is bad (null is fine)
        bad = _first(np.append(bad_distinct, False)[encoded.indices])
        if bad is not None:
            value = distinct[int(encoded.indices[bad])].as_py()
            raise _fail_at(raw, bad, "hours", f"not a number of hours: {value!r}")
    cleaned = pc.if_else(pa.array(blank, type=pa.bool_()), None, pc.utf8_trim_whitespace(distinct))
    hours = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)
    return np.append(hours, np.nan)[encoded.indices]  # position -1 (null): the last, NaN


def _timestamps(raw: RawInvoice, column: str) -> pd.Series:
    values = raw.columns[column]
    encoded = encode(values)
    utc_seconds, bad_distinct = _parse_stamps(encoded.dictionary)
    if values.null_count or bad_distinct.any():  # per row only when something is bad
        bad = _first(np.append(bad_distinct, True)[encoded.indices])  # -1 (null): bad
        if bad is not None:
            at = int(encoded.indices[bad])
            value = None if at < 0 else encoded.dictionary[at].as_py()
            reason = (
                "empty date"
                if not value
                else f"not a date like '2026-04-01 00:00:00 +0000': {value!r}"
            )
            raise _fail_at(raw, bad, column, reason)
    micros = (np.append(utc_seconds, 0) * 1_000_000)[encoded.indices]  # per row: one array
    stamps = pd.DatetimeIndex(micros.view("datetime64[us]")).tz_localize("UTC")
    return pd.Series(stamps, copy=False)  # fresh values: no copy


def _parse_stamps(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Strictly parse ``YYYY-MM-DD HH:MM:SS ±HHMM`` strings: (UTC epoch seconds, invalid).

    pyarrow's ``strptime`` is lenient (``04-31`` becomes ``05-01``, ``:60`` the next minute),
    so the wall-clock part must also format back to itself, and the offset is checked apart.
    """
    text = pc.utf8_trim_whitespace(values)
    shaped = pc.match_substring_regex(text, _STAMP_PATTERN).to_numpy(zero_copy_only=False)
    wall = pc.utf8_slice_codeunits(text, 0, 19)
    naive = pc.strptime(wall, format=_WALL_FORMAT, unit="s", error_is_null=True)
    round_trip = pc.equal(pc.strftime(naive, format=_WALL_FORMAT), wall)
    invalid = ~(shaped & pc.fill_null(round_trip, False).to_numpy(zero_copy_only=False))
    seconds = pc.fill_null(naive.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
    sign = np.where(
        pc.utf8_slice_codeunits(text, 20, 21).to_numpy(zero_copy_only=False) == "-", -1, 1
    )
    digits = pc.utf8_slice_codeunits(text, 21, 25)
    offset = np.zeros(len(values), dtype=np.int64)
    ok = np.flatnonzero(~invalid)
    if ok.size:
        hhmm = pc.cast(pc.take(digits, pa.array(ok)), pa.int64()).to_numpy(zero_copy_only=False)
        offset[ok] = (hhmm // 100) * 3600 + (hhmm % 100) * 60
    return seconds - sign * offset, invalid

"""Parsing DO's invoice CSV: header-keyed, exact, and one typed error for every bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from arcadia_cloud_core.billing.errors import InvoiceParseError
from arcadia_cloud_core.billing.invoice_csv import (
    LINE_COLUMNS,
    parse_invoice_csv,
)
from arcadia_cloud_core.billing.pipeline import prepare_invoice_lines
from arcadia_cloud_core.billing.sources import resources_frame

from .helpers import SAMPLE_LINES, SAMPLE_TOTAL, render_csv

UUID = "22737513-0ea7-4206-8ceb-98a575af7681"
DO_EXAMPLE = (
    "product,group_description,description,hours,start,end,USD,project_name,category\n"
    "Floating IPs,,Unused Floating IP - 1.1.1.1,100,2020-07-01 00:00:00 +0000,"
    "2020-07-22 18:14:39 +0000,$3.11,,iaas\n"
    "Taxes,,STATE SALES TAX (6.25%),,2020-07-01 00:00:00 +0000,2020-07-31 23:59:59 +0000,"
    "$0.16,,iaas\n"
)


def parse(text: str | bytes, file_dir: Path | None = None) -> pd.DataFrame:
    """Parse ``text``; with ``file_dir``, from a file written there (read by path)."""
    if file_dir is None:
        return parse_invoice_csv(text, invoice_uuid=UUID)
    path = file_dir / "invoice.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return parse_invoice_csv(path, invoice_uuid=UUID)


def test_do_reference_example() -> None:
    lines = parse(DO_EXAMPLE)
    assert list(lines.columns) == list(LINE_COLUMNS)
    assert lines["line_no"].tolist() == [1, 2]
    assert lines["amount_cents"].tolist() == [311, 16]
    assert lines["product"].tolist() == ["Floating IPs", "Taxes"]
    assert lines["hours"].iloc[0] == 100 and pd.isna(lines["hours"].iloc[1])
    end = lines["period_end"].iloc[0].to_pydatetime()
    assert end == datetime(2020, 7, 22, 18, 14, 39, tzinfo=UTC)
    assert end.utcoffset().total_seconds() == 0
    assert lines["project_name"].isna().all()
    assert lines["group_description"].isna().all()


def test_sample_round_trip_with_quoted_thousands() -> None:
    lines = parse(render_csv(SAMPLE_LINES))
    assert len(lines) == len(SAMPLE_LINES)
    assert int(lines["amount_cents"].sum()) == SAMPLE_TOTAL
    assert lines["amount_cents"].tolist() == [line.amount_cents for line in SAMPLE_LINES]
    assert lines.loc[9, "amount_cents"] == 123456  # rendered "$1,234.56", quoted
    assert lines.loc[9, "group_description"] == "globex-doks"


def test_column_order_and_extra_columns_do_not_matter() -> None:
    text = (
        "USD,category,end,start,EXTRA,hours,description,project_name,product,group_description\n"
        '"$1,000.00",iaas,2026-05-01 00:00:00 +0000,2026-04-01 00:00:00 +0000,zzz,720,'
        "web-1 (s-1vcpu-2gb),Acme,Droplets,\n"
    )
    lines = parse(text)
    assert lines.loc[0, "product"] == "Droplets"
    assert lines.loc[0, "description"] == "web-1 (s-1vcpu-2gb)"
    assert lines.loc[0, "amount_cents"] == 100000
    assert "EXTRA" not in lines.columns


def test_optional_columns_may_be_absent_and_names_are_case_insensitive() -> None:
    text = (
        "Product,Description,Hours,Start,End,usd\n"
        "Droplets,a (b),1,2026-04-01 00:00:00 +0000,2026-04-01 01:00:00 +0000,$0.01\n"
    )
    lines = parse(text)
    assert lines.loc[0, "amount_cents"] == 1
    assert lines[["project_name", "category", "group_description"]].isna().all().all()


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("source", ["bytes", "text", "file"])
def test_bom_crlf_bytes_text_and_file(bom: bool, newline: str, source: str, tmp_path: Path) -> None:
    text = ("\ufeff" if bom else "") + render_csv(SAMPLE_LINES, newline=newline)
    if source == "file":
        lines = parse(text, tmp_path)
    else:
        lines = parse(text.encode("utf-8") if source == "bytes" else text)
    assert len(lines) == len(SAMPLE_LINES)
    assert lines.loc[0, "product"] == "Droplets"
    assert lines.loc[len(lines) - 1, "category"] == "iaas"  # no stray \r
    assert int(lines["amount_cents"].sum()) == SAMPLE_TOTAL


def test_offsets_become_utc_and_unicode_survives() -> None:
    text = (
        "product,group_description,description,hours,start,end,USD,project_name,category\n"
        "Droplets,,café-1 (s-1vcpu-1gb),2,2026-04-01 02:00:00 +0200,2026-04-01 03:00:00 +0200,"
        "$0.02,Ünïcode,iaas\n"
    )
    lines = parse(text.encode("utf-8"))
    assert lines.loc[0, "period_start"].to_pydatetime() == datetime(2026, 4, 1, tzinfo=UTC)
    assert lines.loc[0, "description"] == "café-1 (s-1vcpu-1gb)"
    assert lines.loc[0, "project_name"] == "Ünïcode"


def test_header_only_is_an_empty_invoice() -> None:
    lines = parse(render_csv([]))
    assert len(lines) == 0
    assert list(lines.columns) == list(LINE_COLUMNS)


GOOD = render_csv(SAMPLE_LINES)
HEADER, FIRST, SECOND, *REST = GOOD.splitlines()


MALFORMED = pytest.mark.parametrize(
    ("body", "line", "column", "reason"),
    [
        ("", None, None, "empty body"),
        ("  \n\n", None, None, "empty body"),
        ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", 1, None, "HTML"),
        ("\ufeff<html><head></head></html>\n", 1, None, "HTML"),
        ('{"id": "not_found"}', 1, None, "JSON"),
        (GOOD.replace(",USD,", ",AMOUNT,"), 1, "USD", "missing required column"),
        (
            GOOD.replace("product,", "item,").replace(",start,", ",begin,"),
            1,
            "product, start",
            "missing required columns",
        ),
        (GOOD.replace(",category", ",hours"), 1, "hours", "duplicated column"),
        (
            "\n".join([HEADER, FIRST, SECOND.replace("$1.07", "$1.0x")]) + "\n",
            3,
            "USD",
            "not an amount: '$1.0x'",
        ),
        ("\n".join([HEADER, FIRST, SECOND.replace("$1.07", "")]) + "\n", 3, "USD", "empty amount"),
        (
            "\n".join(
                [HEADER, FIRST.replace("2026-04-01 00:00:00 +0000", "2026-04-31 00:00:00 +0000", 1)]
            )
            + "\n",
            2,
            "start",
            "not a date",
        ),
        (
            "\n".join([HEADER, FIRST, SECOND.replace("2026-05-01 00:00:00 +0000", "yesterday")])
            + "\n",
            3,
            "end",
            "not a date",
        ),
        (
            "\n".join([HEADER, FIRST.replace(",720,", ",seven,")]) + "\n",
            2,
            "hours",
            "not a number of hours",
        ),
        ("\n".join([HEADER, FIRST, SECOND[:40]]), 3, None, "truncated last line"),
        ("\n".join([HEADER, FIRST, SECOND]), 3, None, "truncated last line"),
        (
            "\n".join([HEADER, FIRST, SECOND[:40], *REST]) + "\n",
            3,
            None,
            "expected 9 fields, found",
        ),
        (
            "\n".join([HEADER, FIRST, SECOND + ",extra", *REST]) + "\n",
            3,
            None,
            "expected 9 fields, found 10",
        ),
        ("\n".join([HEADER, FIRST, HEADER, SECOND]) + "\n", 3, "product", "repeated header row"),
        ("\n".join([HEADER, FIRST, '"unterminated,' + SECOND]) + "\n", 3, None, "malformed CSV"),
        # Several bad things: the header row first, then USD, hours, start, end.
        (
            "\n".join([HEADER, FIRST.replace(",720,", ",x,"), HEADER, SECOND.replace("$", "?")])
            + "\n",
            3,
            "product",
            "repeated header row",
        ),
        (
            "\n".join([HEADER, FIRST.replace(",720,", ",x,"), SECOND.replace("$1.07", "$1.0x")])
            + "\n",
            3,
            "USD",
            "not an amount",
        ),
        (
            "\n".join(
                [HEADER, FIRST.replace(",720,", ",x,").replace(" 00:00:00 +0000", ""), SECOND]
            )
            + "\n",
            2,
            "hours",
            "not a number of hours",
        ),
        (
            "\n".join([HEADER, FIRST, SECOND.replace("2026-05-01 00:00:00 +0000", "soon")]).replace(
                "2026-04-01 00:00:00 +0000", "never", 1
            )
            + "\n",
            2,
            "start",
            "not a date",
        ),
    ],
)


@MALFORMED
@pytest.mark.parametrize("from_file", [False, True])
def test_malformed_input_raises_one_typed_error(
    body: str, line: int | None, column: str | None, reason: str, from_file: bool, tmp_path: Path
) -> None:
    with pytest.raises(InvoiceParseError) as caught:
        parse(body, tmp_path if from_file else None)
    error = caught.value
    assert error.invoice_uuid == UUID
    assert error.line == line
    assert error.column == column
    assert reason in error.reason
    assert UUID in str(error)
    if line is not None:
        assert f"CSV line {line}" in str(error)


@MALFORMED
def test_the_whole_pipeline_reports_bad_input_as_the_parser_does(
    body: str, line: int | None, column: str | None, reason: str
) -> None:
    with pytest.raises(InvoiceParseError) as caught:
        prepare_invoice_lines(body, invoice_uuid=UUID, resources=resources_frame([]))
    error = caught.value
    assert (error.invoice_uuid, error.line, error.column) == (UUID, line, column)
    assert reason in error.reason


def test_line_numbers_count_physical_lines_when_fields_hold_line_breaks() -> None:
    text = (
        "product,group_description,description,hours,start,end,USD,project_name,category\n"
        'Droplets,,"two\nline (s-1vcpu-1gb)",1,2026-04-01 00:00:00 +0000,'
        "2026-04-01 01:00:00 +0000,$0.01,,iaas\n"
        "Droplets,,x (y),1,2026-04-01 00:00:00 +0000,2026-04-01 01:00:00 +0000,$x,,iaas\n"
    )
    with pytest.raises(InvoiceParseError) as caught:
        parse(text)
    assert caught.value.line == 4 and caught.value.column == "USD"


def test_invalid_utf8_is_named_with_its_line() -> None:
    body = GOOD.encode("utf-8").replace(b"old-db", b"old-\xff\xfedb")
    with pytest.raises(InvoiceParseError) as caught:
        parse(body)
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.reason


def test_text_with_a_lone_surrogate_is_named_with_its_line() -> None:
    with pytest.raises(InvoiceParseError) as caught:
        parse(GOOD.replace("old-db", "old-\udcffdb"))
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.reason


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-04-31 00:00:00 +0000",  # pyarrow alone would roll this over to May 1st
        "2026-02-29 10:00:00 +0000",
        "2026-04-01 24:00:00 +0000",
        "2026-04-01 00:00:60 +0000",
        "2026-4-1 0:00:00 +0000",
        "2026-04-01 00:00:00 +2500",
        "2026-04-01 00:00:00",
        "2026-04-01T00:00:00Z",
    ],
)
def test_dates_are_strict(stamp: str) -> None:
    body = "\n".join([HEADER, FIRST.replace("2026-04-01 00:00:00 +0000", stamp, 1)]) + "\n"
    with pytest.raises(InvoiceParseError) as caught:
        parse(body)
    assert (caught.value.line, caught.value.column) == (2, "start")
    assert stamp in caught.value.reason


def test_leap_day_and_negative_offsets_parse() -> None:
    body = "\n".join(
        [HEADER, FIRST.replace("2026-04-01 00:00:00 +0000", "2024-02-29 23:30:00 -0130", 1)]
    )
    lines = parse(body + "\n")
    assert lines.loc[0, "period_start"] == pd.Timestamp("2024-03-01 01:00:00", tz="UTC")


def test_a_file_parses_like_its_bytes(tmp_path: Path) -> None:
    text = render_csv(SAMPLE_LINES)
    pd.testing.assert_frame_equal(parse(text, tmp_path), parse(text.encode("utf-8")))


def test_pandas_missing_value_markers_read_as_null() -> None:
    text = (
        "product,group_description,description,hours,start,end,USD,project_name,category\n"
        "Droplets,N/A,web-1 (s-1vcpu-1gb),1,2026-04-01 00:00:00 +0000,"
        "2026-04-01 01:00:00 +0000,$0.01,NA,iaas\n"
        "Droplets,,web-2 (s-1vcpu-1gb),1,2026-04-01 00:00:00 +0000,"
        "2026-04-01 01:00:00 +0000,$0.01,Acme,null\n"
    )
    lines = parse(text)
    assert lines["project_name"].tolist()[1] == "Acme"
    assert lines[["group_description", "project_name"]].iloc[0].isna().all()
    assert pd.isna(lines.loc[1, "category"]) and lines.loc[0, "category"] == "iaas"


@pytest.mark.parametrize("rows", [3, 40, 30_000])
def test_values_holding_line_breaks_and_quotes_parse_like_the_csv_module(rows: int) -> None:
    """Also across pyarrow's read blocks (30,000 rows are several MB): every record intact."""
    body = [HEADER]
    for i in range(rows):
        description = f'"web ""{i}""\nline\n (s-1vcpu-1gb)"' if i % 2 else f"web-{i} (s-1vcpu-1gb)"
        body.append(
            f"Droplets,,{description},1,2026-04-01 00:00:00 +0000,"
            f'2026-04-01 01:00:00 +0000,"${i % 1000},000.01",,iaas'
        )
        if i % 7 == 3:
            body.append("")  # a blank line between records
    text = "\n".join(body) + "\n"
    lines = parse(text)
    expected = [row for row in csv.DictReader(io.StringIO(text, newline="")) if row["product"]]
    assert lines["description"].tolist() == [row["description"] for row in expected]
    assert lines["amount_cents"].tolist() == [i % 1000 * 100_000 + 1 for i in range(rows)]
    assert lines["line_no"].tolist() == list(range(1, rows + 1))

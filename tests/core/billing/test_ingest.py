"""Ingest on both engines: headers, bookkeeping, atomic idempotent line sets, summaries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import (
    InvoiceParseError,
    UnknownInvoiceError,
    get_invoice,
    ingest_invoice,
    invoice_summary,
    invoices_to_ingest,
    load_lines,
    replace_invoice_lines,
    upsert_invoices,
)
from arcadia_cloud_core.billing.pipeline import prepare_invoice_lines
from arcadia_cloud_core.billing.sources import resources_frame
from arcadia_cloud_core.db.schema import cloud_cost_lines

from .helpers import (
    SAMPLE_LINES,
    SAMPLE_TAX,
    SAMPLE_TOTAL,
    Header,
    Line,
    count,
    render_csv,
    sample_estate,
)

UUID = "5dc680c2-93d6-41d9-afe1-93d3abb1bcb6"
NOW = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


def _invoice(engine: Engine, amount: int = SAMPLE_TOTAL, uuid: str = UUID) -> None:
    upsert_invoices(engine, [Header(uuid, "2026-04", amount)], now=NOW)


def _status(engine: Engine, uuid: str = UUID):
    with engine.connect() as connection:
        return get_invoice(connection, uuid)


def test_upsert_headers_inserts_updates_and_skips_unchanged(engine: Engine) -> None:
    first = upsert_invoices(engine, [Header("a", "2026-03", 100), Header("b", "2026-04", 200)])
    assert sorted(first.inserted) == ["a", "b"] and first.updated == () and first.unchanged == 0
    again = upsert_invoices(engine, [Header("a", "2026-03", 100), Header("b", "2026-04", 250)])
    assert again.inserted == () and again.updated == ("b",) and again.unchanged == 1
    assert _status(engine, "b").amount_cents == 250
    assert _status(engine, "b").ingest_status == "pending"
    assert upsert_invoices(engine, []).inserted == ()


def test_ingest_stores_matches_and_reconciles(engine: Engine) -> None:
    ids = sample_estate(engine)
    _invoice(engine)
    summary = ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv(SAMPLE_LINES), now=NOW)
    assert summary.lines == len(SAMPLE_LINES) == count(engine, cloud_cost_lines)
    assert summary.total_cents == SAMPLE_TOTAL == summary.invoice_amount_cents
    assert summary.reconciled and summary.difference_cents == 0
    assert summary.tax_cents == SAMPLE_TAX
    assert summary.unmatched_by_reason == {
        "account_level": 1,
        "no_resource": 2,  # ghost-1 and an app this estate does not hold
        "tax": 1,
    }
    assert summary.matched == 10 and summary.attributable == 12
    assert summary.match_rate == pytest.approx(10 / 12)
    assert summary.matched_by_method == {"name_deleted": 1, "name_live": 6, "normalised_name": 3}
    assert summary.as_metadata()["reconciled"] is True

    row = _status(engine)
    assert (row.ingest_status, row.ingest_attempts, row.line_count) == ("ingested", 1, 14)
    assert row.ingested_at == NOW and row.ingest_error is None
    with engine.connect() as connection:
        stored = load_lines(connection, UUID)
    assert stored["line_no"].tolist() == list(range(1, 15))
    assert stored["resource_id"].tolist()[:3] == [ids["101"], ids["102"], ids["101"]]
    assert stored.loc[0, "period_start"] == datetime(2026, 4, 1, tzinfo=UTC)
    assert stored.loc[13, "hours"] is None and str(stored.loc[0, "hours"]) == "720.0000"


def test_reingest_is_idempotent_and_writes_nothing_when_unchanged(engine: Engine) -> None:
    sample_estate(engine)
    _invoice(engine)
    text = render_csv(SAMPLE_LINES)
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=text, now=NOW)
    with engine.connect() as connection:
        ids_before = connection.execute(sa.select(cloud_cost_lines.c.id)).scalars().all()
    resources = resources_frame([])
    with engine.connect() as connection:
        from arcadia_cloud_core.billing.sources import load_resources

        resources = load_resources(connection)
    lines = prepare_invoice_lines(text, invoice_uuid=UUID, resources=resources)
    stored = replace_invoice_lines(engine, invoice_uuid=UUID, lines=lines, now=NOW)
    assert stored.written is False and stored.line_count == 14
    later = NOW + timedelta(days=1)
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=text.encode("utf-8-sig"), now=later)
    with engine.connect() as connection:
        ids_after = connection.execute(sa.select(cloud_cost_lines.c.id)).scalars().all()
    assert sorted(ids_after) == sorted(ids_before)  # same rows, not rewritten, no duplicates
    row = _status(engine)
    assert row.ingest_attempts == 2 and row.ingested_at == NOW  # the stored set is from NOW


def test_a_changed_invoice_replaces_the_whole_line_set(engine: Engine) -> None:
    _invoice(engine, amount=300)
    one = [Line("Droplets", "a (s)", 100), Line("Droplets", "b (s)", 200)]
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv(one))
    _invoice(engine, amount=50)
    two = [Line("Volumes", "c (1 GiB)", 50)]
    summary = ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv(two))
    assert summary.lines == 1 and summary.total_cents == 50 and summary.reconciled
    assert count(engine, cloud_cost_lines) == 1


def test_bad_csv_fails_the_attempt_and_keeps_the_previous_lines(engine: Engine) -> None:
    sample_estate(engine)
    _invoice(engine)
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv(SAMPLE_LINES), now=NOW)
    later = NOW + timedelta(hours=1)
    with pytest.raises(InvoiceParseError) as caught:
        ingest_invoice(engine, invoice_uuid=UUID, csv_data="<html>502</html>", now=later)
    assert caught.value.invoice_uuid == UUID
    row = _status(engine)
    assert row.ingest_status == "failed" and row.ingest_attempts == 2
    assert "InvoiceParseError" in row.ingest_error and UUID in row.ingest_error
    assert row.line_count == 14 and count(engine, cloud_cost_lines) == 14
    assert invoice_summary(engine, UUID).reconciled


def test_a_failure_inside_the_write_rolls_back_to_the_previous_set(engine: Engine) -> None:
    _invoice(engine, amount=300)
    ingest_invoice(engine, invoice_uuid=UUID, csv_data=render_csv([Line("Droplets", "a (s)", 300)]))
    lines = prepare_invoice_lines(
        render_csv([Line("Droplets", "b (s)", 1), Line("Droplets", "c (s)", 2)]),
        invoice_uuid=UUID,
        resources=resources_frame([]),
    )
    lines.loc[1, "resource_id"] = 999_999  # no such resource: the FK fails after the delete
    with pytest.raises(sa.exc.IntegrityError):
        replace_invoice_lines(engine, invoice_uuid=UUID, lines=lines)
    with engine.connect() as connection:
        kept = load_lines(connection, UUID)
    assert kept["description"].tolist() == ["a (s)"]


def test_unknown_invoice(engine: Engine) -> None:
    with pytest.raises(UnknownInvoiceError, match="not in cloud_invoices"):
        ingest_invoice(engine, invoice_uuid="nope", csv_data=render_csv(SAMPLE_LINES))


def test_invoices_to_ingest_retries_failed_and_stale(engine: Engine) -> None:
    upsert_invoices(
        engine,
        [Header(u, p, 0) for u, p in [("a", "2026-01"), ("b", "2026-02"), ("c", "2026-03")]],
        now=NOW,
    )
    assert invoices_to_ingest(engine, now=NOW) == ["a", "b", "c"]
    empty = render_csv([])
    ingest_invoice(engine, invoice_uuid="a", csv_data=empty, now=NOW)
    for attempt in range(3):
        with pytest.raises(InvoiceParseError):
            ingest_invoice(engine, invoice_uuid="b", csv_data="", now=NOW)
        assert ("b" in invoices_to_ingest(engine, max_attempts=3, now=NOW)) is (attempt < 2)
    from arcadia_cloud_core.billing import mark_ingesting

    mark_ingesting(engine, "c", now=NOW)
    assert "c" not in invoices_to_ingest(engine, now=NOW + timedelta(minutes=5))
    assert "c" in invoices_to_ingest(engine, now=NOW + timedelta(hours=1))
    assert "a" not in invoices_to_ingest(engine, now=NOW)


@pytest.mark.postgres
def test_concurrent_ingests_leave_exactly_one_line_set(pg_engine: Engine) -> None:
    from tests.conftest import truncate_app_tables

    truncate_app_tables(pg_engine)
    _invoice(pg_engine, amount=0)
    variants = {
        "A": [Line("Droplets", f"a{i} (s)", 0) for i in range(300)],
        "B": [Line("Volumes", f"b{i} (1 GiB)", 0) for i in range(500)],
    }
    texts = {key: render_csv(lines) for key, lines in variants.items()}
    for _round in range(3):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def run(key: str, barrier: threading.Barrier = barrier, errors: list = errors) -> None:
            try:
                barrier.wait(timeout=10)
                ingest_invoice(pg_engine, invoice_uuid=UUID, csv_data=texts[key])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(key,)) for key in variants]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        with pg_engine.connect() as connection:
            stored = load_lines(connection, UUID)
        products = set(stored["product"])
        assert products in ({"Droplets"}, {"Volumes"})
        expected = 300 if products == {"Droplets"} else 500
        assert len(stored) == expected == stored["line_no"].nunique()
        assert _status(pg_engine).line_count == expected

"""The ``ingested`` estate: the sample projects and resources with two invoices ingested."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from arcadia_cloud_core.billing import ingest_invoice, upsert_invoices

from .helpers import (
    APRIL_UUID,
    MARCH,
    MARCH_UUID,
    SAMPLE_LINES,
    SAMPLE_TOTAL,
    Header,
    render_csv,
    sample_estate,
)


@pytest.fixture
def ingested(engine: Engine) -> Engine:
    sample_estate(engine)
    upsert_invoices(
        engine,
        [Header(APRIL_UUID, "2026-04", SAMPLE_TOTAL), Header(MARCH_UUID, "2026-03", 1134)],
    )
    ingest_invoice(engine, invoice_uuid=APRIL_UUID, csv_data=render_csv(SAMPLE_LINES))
    ingest_invoice(engine, invoice_uuid=MARCH_UUID, csv_data=render_csv(MARCH))
    return engine

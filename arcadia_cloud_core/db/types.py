"""Column types shared by the schema and the migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine.

    Postgres stores ``timestamptz``; SQLite stores naive UTC text. Naive datetimes are refused on
    the way in, and values come back aware (UTC) on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: arcadia-cloud stores aware UTC timestamps")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: JSON everywhere, JSONB on Postgres.
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

#: Auto-increment primary keys: BIGINT on Postgres, INTEGER (rowid alias) on SQLite.
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

"""The application database: schema, migrations, engines."""

from arcadia_cloud_core.db.engine import (
    DATABASE_URL_SETTING,
    database_url_from_env,
    make_engine,
    open_database,
    upgrade_schema,
)
from arcadia_cloud_core.db.schema import metadata

__all__ = [
    "DATABASE_URL_SETTING",
    "database_url_from_env",
    "make_engine",
    "metadata",
    "open_database",
    "upgrade_schema",
]

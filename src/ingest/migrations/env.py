"""Alembic environment: runs on the connection that ingest hands over, or on the URL given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from ingest.store.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///ingest.db")
    with engine.begin() as conn:
        _run(conn)

"""Schema migrations. Until the Alembic history is in place, create the tables directly."""

from __future__ import annotations

from sqlalchemy import Engine

from ingest.store.schema import metadata

__all__ = ["upgrade_schema"]


def upgrade_schema(engine: Engine) -> None:
    metadata.create_all(engine)

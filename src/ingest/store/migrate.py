"""Schema migrations with Alembic; the history lives in ``ingest/migrations``.

``upgrade_schema`` runs on every ``open_store``: a new database gets the whole schema, an older
one the missing revisions, an up-to-date one nothing (one cheap query). Processes that open a
database at the same time migrate it one after the other: each takes the migration lock (a
PostgreSQL advisory lock; on SQLite the write lock its transaction starts with), then looks
again at the revision, which the one before it may have brought to the head already.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from ingest.errors import StoreError

__all__ = ["MIGRATION_LOCK", "current_revision", "head_revision", "upgrade_schema"]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

#: The PostgreSQL advisory lock held while the schema is migrated (any constant key would do).
MIGRATION_LOCK = 0x696E67657374_01  # "ingest", 1


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema at ``engine`` up to ``revision``; a no-op when it is there already."""
    head = revision == "head"
    current = current_revision(engine)
    if head and current == head_revision():
        return
    config = _config()
    _check_known(engine, current, ScriptDirectory.from_config(config))
    with engine.begin() as connection:  # on SQLite: BEGIN IMMEDIATE, the write lock
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        if head and _revision(connection) == head_revision():
            return  # another process migrated it while this one waited for the lock
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _check_known(engine: Engine, current: str | None, script: ScriptDirectory) -> None:
    """A revision this version does not have (a newer one wrote the database) is a StoreError."""
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        where = engine.url.render_as_string(hide_password=True)
        raise StoreError(
            f"{where}: schema revision {current!r} is unknown to this version of ingest "
            "(was the database written by a newer one?)"
        )

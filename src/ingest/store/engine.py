"""Engine and sessions. ``open_store`` brings the schema up to date before first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import ConfigError, StoreError

__all__ = ["Store", "in_memory_sqlite", "mask_url", "open_store"]


def mask_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


#: Pages the write-ahead log of an SQLite store grows to before it is copied back.
WAL_CHECKPOINT_PAGES = 8192


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # SQLAlchemy, not the driver, opens transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # The busy timeout first: switching a fresh file to WAL waits for an opener that is
    # migrating it, and with the driver's 5 s default it failed with "database is locked".
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the write-ahead log back into the database every 32 MiB (8192 pages), not every
    # 4 MiB: a run's batches rewrite the same index pages, and each copy ends in an fsync.
    # Measured: store + dedup of 1,996 IndoSum articles 1.86 -> 1.55 s.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Every SQLite transaction that may write takes the write lock when it starts. A
    transaction that reads and then writes would otherwise fail at once ("database is locked",
    whatever the busy timeout) when another connection wrote in between; this way it waits its
    turn instead. A read-only session (:meth:`Store.read_session`) takes no lock: in WAL mode
    it reads a snapshot, and neither waits for a writer nor makes one wait."""
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


_READ_ONLY = "ingest_read_only"


def in_memory_sqlite(url: URL) -> bool:
    """True for an SQLite database that lives in memory: no file, and no other process (or
    connection) can open it."""
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    )


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite database kept in one, else None."""
    if url.get_backend_name() != "sqlite" or not url.database or in_memory_sqlite(url):
        return None
    return Path(url.database).expanduser()


def create_store_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``; a bare ``postgresql://`` URL uses psycopg 3. An SQLite file that
    does not exist is created (with its folder) when ``create``, else a StoreError."""
    if not url.strip():
        raise ConfigError("empty database URL (give --db URL or INGEST_DB_URL, or neither)")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"invalid database URL {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    path = sqlite_file(parsed)
    if path is not None and not create and not path.is_file():
        raise StoreError(f"{path}: no such database file (check --db; a run or import makes it)")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"cannot use database {mask_url(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


#: What a driver's connection failure says, and how it is reported.
_CONNECT_FAILURES = (
    ("connection refused", "connection refused"),
    ("does not exist", "unknown database"),
    ("authentication failed", "authentication failed"),
    ("no pg_hba.conf entry", "authentication failed"),
    ("failed to resolve host", "unknown host"),
    ("timeout expired", "timed out"),
)


def connect_failure(exc: SQLAlchemyError) -> str:
    """One line on why a connection failed: which kind, then the driver's own words.

    >>> connect_failure(OperationalError("", {}, Exception('FATAL:  database "x" does not exist')))
    'unknown database (database "x" does not exist)'
    """
    cause = getattr(exc, "orig", None) or exc
    detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    detail = detail.rpartition(" failed: ")[2].removeprefix("FATAL:").strip()
    lowered = detail.lower()
    for needle, kind in _CONNECT_FAILURES:
        if needle in lowered:
            if kind == "unknown database" and lowered.startswith("role "):
                kind = "authentication failed"
            return kind if lowered.rstrip(".") == kind else f"{kind} ({detail})"
    return detail


class Store:
    """An open store: an engine and a session factory.

    >>> store = open_store("sqlite://")
    >>> with store.session() as session:
    ...     pass
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        readers = engine.execution_options(**{_READ_ONLY: True})
        self._readers = sessionmaker(readers, expire_on_commit=False)

    @property
    def url(self) -> str:
        return mask_url(self.engine.url.render_as_string(hide_password=False))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on any error."""
        with self._transaction(self._sessions) as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only (queries, exports). On SQLite its transaction takes no
        lock: it reads a snapshot, so a long export neither waits for a run's writer nor holds
        it up (a transaction of :meth:`session` takes the write lock). Write in
        :meth:`session`."""
        with self._transaction(self._readers) as session:
            yield session

    @contextmanager
    def _transaction(self, factory: sessionmaker[Session]) -> Iterator[Session]:
        session = factory()
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"{self.url}: {exc.orig}") from exc
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(url: str, *, upgrade: bool = True, create: bool = True) -> Store:
    """Open the store at ``url``, applying migrations first unless ``upgrade`` is False. An
    SQLite file that does not exist is a StoreError unless ``create``."""
    engine = create_store_engine(url, create=create)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot connect to {mask_url(url)}: {connect_failure(exc)}") from None
    if upgrade:
        from ingest.store.migrate import upgrade_schema

        upgrade_schema(engine)
    return Store(engine)

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from ingest.store import Store, open_store
from ingest.store.engine import WAL_CHECKPOINT_PAGES
from ingest.store.models import Document


def test_datetimes_come_back_aware_and_in_utc(store: Store) -> None:
    wita = timezone(timedelta(hours=8))
    with store.session() as session:
        session.add(
            Document(
                url="https://example.org/a",
                outlet="example.org",
                text="x",
                text_sha1="0" * 40,
                published_at=datetime(2024, 9, 3, 10, 0, tzinfo=wita),
            )
        )
    with store.session() as session:
        doc = session.scalars(select(Document)).one()
        assert doc.published_at == datetime(2024, 9, 3, 2, 0, tzinfo=UTC)
        assert doc.published_at.tzinfo is not None


def test_a_read_then_write_transaction_survives_a_write_in_between(store: Store) -> None:
    """A transaction reads (in a savepoint), another thread writes, then the first one writes:
    both commit, neither fails with "database is locked". (The demo's end-to-end run, six sources
    taking their leases from threads, is what caught this on SQLite.)"""
    import threading
    import time

    read_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with store.session() as session:
                with session.begin_nested():  # as the source lease does
                    session.scalars(select(Document.id)).all()
                read_done.set()
                time.sleep(0.5)  # the other thread writes now, or waits for us
                session.add(
                    Document(url="https://example.org/1", outlet="x", text="t", text_sha1="0")
                )
        except BaseException as exc:
            errors.append(exc)

    def second() -> None:
        read_done.wait(5)
        try:
            with store.session() as session:
                session.add(
                    Document(url="https://example.org/2", outlet="x", text="t", text_sha1="0")
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with store.session() as session:
        assert len(session.scalars(select(Document.id)).all()) == 2


def test_sqlite_log_is_copied_back_only_after_many_pages(tmp_path: Path) -> None:
    """A file store writes ahead to a log that grows to WAL_CHECKPOINT_PAGES pages (not
    SQLite's 1,000) before it is copied back into the database."""
    with open_store(f"sqlite:///{tmp_path / 'ingest.db'}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_CHECKPOINT_PAGES
        assert WAL_CHECKPOINT_PAGES > 1000


def _document(n: int) -> Document:
    return Document(
        url=f"https://example.org/{n}", outlet="example.org", text="x", text_sha1=f"{n:040d}"
    )


def test_a_long_read_does_not_hold_up_a_writer(tmp_path: Path) -> None:
    """A query (a read-only session) left open, as a long export is, while a run writes: the
    write commits at once and the query keeps reading its snapshot. (A session that may write
    takes SQLite's write lock when it starts, and would keep the writer waiting.)"""
    import threading

    with open_store(f"sqlite:///{tmp_path / 'ingest.db'}") as store:
        with store.session() as session:
            session.add(_document(1))
        written = threading.Event()

        def write() -> None:
            with store.session() as session:
                session.add(_document(2))
            written.set()

        with store.read_session() as reading:
            before = reading.scalars(select(Document.url)).all()
            writer = threading.Thread(target=write)
            writer.start()
            committed = written.wait(timeout=10)
            during = reading.scalars(select(Document.url)).all()
        writer.join()
        with store.read_session() as reading:
            after = reading.scalars(select(Document.url)).all()
    assert committed, "the writer waited for the reader"
    assert before == during == ["https://example.org/1"]
    assert sorted(after) == ["https://example.org/1", "https://example.org/2"]

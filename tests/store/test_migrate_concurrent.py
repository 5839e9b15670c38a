"""Processes that open a fresh database at the same time all succeed: one migrates it, the
others wait for it and find the schema at the head."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ingest.store import open_store
from ingest.store.migrate import current_revision, head_revision
from tests.conftest import fresh_postgres_database

OPENERS = 3


def _open_at_once(url: str) -> list[BaseException]:
    """``OPENERS`` threads open the store at ``url`` at the same moment; their errors."""
    start, errors = threading.Barrier(OPENERS), []

    def opener() -> None:
        start.wait(timeout=60)
        try:
            open_store(url).close()
        except BaseException as exc:  # every failure is the test's to report
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_openers_of_a_fresh_postgres_database_at_once_all_succeed(attempt: int) -> None:
    with fresh_postgres_database() as url:
        assert _open_at_once(url) == []
        with open_store(url, upgrade=False) as store:
            assert current_revision(store.engine) == head_revision()


def test_openers_of_a_fresh_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert _open_at_once(url) == []
    with open_store(url, upgrade=False) as store:
        assert current_revision(store.engine) == head_revision()

"""Two runs never ingest one source at once; scheduled runs skip sources resting after failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.config import load_settings
from ingest.errors import SourceError
from ingest.pipeline import run
from ingest.store import Store
from ingest.store.health import acquire_lease, record_source_failure, release_lease
from ingest.store.runs import create_run

NOW = datetime(2024, 9, 3, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_held_lease_is_refused_until_released_or_expired(store: Store) -> None:
    with store.session() as session:
        assert acquire_lease(session, "kukarkab", run_id=1, now=NOW, ttl=HOUR) is None
    with store.session() as session:
        assert acquire_lease(session, "kukarkab", run_id=2, now=NOW, ttl=HOUR) == 1
        assert acquire_lease(session, "kukarkab", run_id=1, now=NOW, ttl=HOUR) is None
        later = NOW + 2 * HOUR  # run 1 crashed: its lease has expired
        assert acquire_lease(session, "kukarkab", run_id=3, now=later, ttl=HOUR) is None
    with store.session() as session:
        release_lease(session, "kukarkab", run_id=1)  # not the holder: no effect
        assert acquire_lease(session, "kukarkab", run_id=2, now=NOW + 2 * HOUR, ttl=HOUR) == 3
        release_lease(session, "kukarkab", run_id=3)
        assert acquire_lease(session, "kukarkab", run_id=2, now=NOW + 2 * HOUR, ttl=HOUR) is None


def write_config(tmp_path: Path, db_url: str) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    body = " ".join(["Pemerintah Kabupaten Kutai Kartanegara menggelar rapat koordinasi."] * 12)
    for name in ("a", "b"):
        (pages / f"{name}.html").write_text(
            f'<html><head><title>Berita {name}</title><link rel="canonical" '
            f'href="https://kukarkab.go.id/berita/{name}.html"></head>'
            f"<body><article><h1>Berita {name}</h1><p>{body} {name}</p></article></body></html>"
        )
    (tmp_path / "sources.toml").write_text(
        '[[sources]]\nname = "saved"\nkind = "html_dir"\npath = "pages"\n'
    )
    (tmp_path / "settings.toml").write_text(f'db_url = "{db_url}"\n')
    return tmp_path


def test_a_run_does_not_ingest_a_source_another_run_holds(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(write_config(tmp_path, db_url), environ={})
    with store.session() as session:
        other = create_run(session, trigger="schedule")
    with store.session() as session:
        assert (
            acquire_lease(session, "saved", run_id=other, now=datetime.now(UTC), ttl=HOUR) is None
        )
    summary = run(settings)
    assert summary.status == "failed"
    assert summary.sources[0].error_class == "busy"
    assert f"run {other}" in (summary.sources[0].error or "")
    assert summary.total("new_documents") == 0
    with store.session() as session:
        release_lease(session, "saved", run_id=other)
    again = run(settings)
    assert again.status == "completed"
    assert again.total("new_documents") == 2


def test_scheduled_runs_skip_a_resting_source_manual_runs_do_not(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(write_config(tmp_path, db_url), environ={})
    with store.session() as session:
        record_source_failure(
            session, "saved", SourceError("saved", "feed gone"), at=datetime.now(UTC)
        )
    scheduled = run(settings, trigger="schedule")
    assert scheduled.sources[0].skipped == "resting after failures"
    assert scheduled.total("new_documents") == 0
    assert "1 skipped" in scheduled.line()
    manual = run(settings)
    assert manual.sources[0].skipped is None
    assert manual.total("new_documents") == 2


@pytest.mark.parametrize("revision", ["0001"])
def test_an_older_schema_is_upgraded_on_open(sqlite_url: str, revision: str) -> None:
    from sqlalchemy import inspect

    from ingest.store import open_store
    from ingest.store.engine import create_store_engine
    from ingest.store.migrate import current_revision, head_revision, upgrade_schema

    engine = create_store_engine(sqlite_url)
    upgrade_schema(engine, revision)
    assert current_revision(engine) == revision
    assert "lease_until" not in {c["name"] for c in inspect(engine).get_columns("sources")}
    engine.dispose()
    store = open_store(sqlite_url)
    try:
        assert current_revision(store.engine) == head_revision()
        columns = {c["name"] for c in inspect(store.engine).get_columns("sources")}
        assert {"lease_run_id", "lease_until"} <= columns
    finally:
        store.close()


def test_documents_stored_before_precision_was_kept_read_as_unknown(db_url: str) -> None:
    from sqlalchemy import inspect, text

    from ingest.query import documents
    from ingest.store import open_store
    from ingest.store.engine import create_store_engine
    from ingest.store.migrate import upgrade_schema

    engine = create_store_engine(db_url)
    upgrade_schema(engine, "0002")
    columns = {c["name"] for c in inspect(engine).get_columns("documents")}
    assert "published_precision" not in columns
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into documents (url, outlet, published_at, credits, text, text_sha1, "
                "created_at) values ('https://kukar.test/1', 'kukar.test', :at, '[]', 'isi', "
                "'0', :at)"
            ),
            {"at": "2024-09-03 17:00:00+00:00"},
        )
    engine.dispose()
    store = open_store(db_url)
    try:
        with store.read_session() as session:
            (record,) = documents(session)
        assert record.published_precision is None
        assert record.to_dict()["published_precision"] is None
    finally:
        store.close()

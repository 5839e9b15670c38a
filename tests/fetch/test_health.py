"""Source health and fetch state in a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ingest.errors import DNSError, FetchTimeout, SourceError
from ingest.records import FetchedPage
from ingest.store import Store
from ingest.store.health import (
    get_fetch_state,
    list_source_health,
    record_source_failure,
    record_source_success,
    save_fetch_state,
    source_due,
)

NOW = datetime(2024, 11, 9, 8, 0, tzinfo=UTC)


def test_failures_back_off_exponentially_and_success_resets(store: Store) -> None:
    with store.session() as s:
        record_source_success(s, "kukar", kind="rss", outlet="kukarkab.go.id", location="u", at=NOW)
    for n in range(1, 4):
        at = NOW + timedelta(days=n)
        with store.session() as s:
            record_source_failure(
                s, "kukar", FetchTimeout("u", "read"), at=at, backoff_base=60, backoff_max=150
            )
        with store.session() as s:
            (row,) = list_source_health(s)
            assert row.consecutive_failures == n
            assert row.backoff_until == at + timedelta(seconds=min(60 * 2 ** (n - 1), 150))
            assert not source_due(s, "kukar", at + timedelta(seconds=59))
            assert source_due(s, "kukar", row.backoff_until)
            assert row.status(at) == "backoff"
    with store.session() as s:
        (row,) = list_source_health(s)
        assert row.last_error_class == "timeout" and row.last_success_at == NOW
        record_source_success(s, "kukar", kind="rss", outlet=None, location="u", at=NOW)
    with store.session() as s:
        (row,) = list_source_health(s)
        assert row.consecutive_failures == 0 and row.backoff_until is None
        assert row.status(NOW) == "ok" and source_due(s, "kukar", NOW)


def test_failure_of_unknown_source_creates_it(store: Store) -> None:
    with store.session() as s:
        record_source_failure(s, "b", DNSError("h", "nx"), at=NOW, kind="sitemap")
        record_source_failure(s, "a", SourceError("a", "bad xml"), at=NOW, kind="rss")
    with store.session() as s:
        rows = list_source_health(s)
    assert [(r.name, r.kind, r.last_error_class) for r in rows] == [
        ("a", "rss", "parse"),
        ("b", "sitemap", "dns"),
    ]
    assert "bad xml" in (rows[0].last_error or "")


def _page(**changes: object) -> FetchedPage:
    values: dict[str, object] = {
        "url": "https://kukarkab.go.id/berita/1",
        "final_url": "https://kukarkab.go.id/berita/1",
        "status_code": 200,
        "body": b"<p>a</p>",
        "content_type": "text/html",
        "encoding": "utf-8",
        "etag": '"v1"',
        "last_modified": "Sat, 09 Nov 2024 08:00:00 GMT",
        "fetched_at": NOW,
    }
    values.update(changes)
    return FetchedPage(**values)  # type: ignore[arg-type]


def test_fetch_state_upsert_keeps_validators_on_304(store: Store) -> None:
    with store.session() as s:
        assert get_fetch_state(s, _page().url) is None
        save_fetch_state(s, _page(), source="kukar", outcome="stored", document_id=None)
    later = NOW + timedelta(hours=1)
    not_modified = _page(
        status_code=304,
        body=b"",
        etag=None,
        last_modified=None,
        fetched_at=later,
        not_modified=True,
    )
    with store.session() as s:
        save_fetch_state(s, not_modified, source="kukar", outcome="not_modified", document_id=None)
    with store.session() as s:
        state = get_fetch_state(s, _page().url)
        assert state is not None
        assert (state.etag, state.status_code, state.outcome) == ('"v1"', 304, "not_modified")
        assert state.fetched_at == later and state.content_sha1 is not None


def test_health_rows_expose_fields_as_a_mapping(store: Store) -> None:
    with store.session() as s:
        record_source_success(s, "k", kind="rss", outlet="k.id", location="u", at=NOW)
        (row,) = list_source_health(s)
    assert vars(row)["last_success_at"] == NOW and vars(row)["consecutive_failures"] == 0

"""One document the database would refuse never costs its batch-mates, and both backends keep
the same data: bounded columns are fitted before the database, and a batch the database
refuses for one document's data is written again in parts, the document at fault rejected."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ingest.config import DedupSettings
from ingest.records import Article, FetchedPage
from ingest.store import Store
from ingest.store.documents import StoreOutcome
from ingest.store.models import Document, FetchState
from ingest.store.writer import BatchWriter
from tests.e2e.test_batch_writer import _seed_articles


def _articles(count: int) -> list[Article]:
    """``count`` distinct articles (the seeds under new URLs, each text made its own)."""
    seeds = _seed_articles()
    return [
        replace(
            seeds[i % len(seeds)],
            url=f"https://kukar.example/{i}",
            text=f"Berita nomor {i}. " + seeds[i % len(seeds)].text,
        )
        for i in range(count)
    ]


async def _store_all(
    store: Store,
    articles: list[Article],
    pages: list[FetchedPage] = (),  # type: ignore[assignment]
) -> list[StoreOutcome]:
    async with BatchWriter(store, dedup_settings=DedupSettings(), run_id=None) as writer:
        for page in pages:
            writer.fetched(page, source="test")
        return list(await asyncio.gather(*(writer.store(a) for a in articles)))


def _stored(store: Store) -> dict[str, Document]:
    with store.session() as session:
        rows = session.scalars(select(Document)).all()
        session.expunge_all()
    return {row.url: row for row in rows}


def test_over_long_metadata_is_cut_to_its_column_on_both_backends(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    articles = _articles(6)
    articles[2] = replace(
        articles[2],
        author="A" * 600,
        outlet="o" * 300,
        site_name="s" * 250,
        language="id-" + "x" * 20,
        dateline="D" * 400,
        syndicated_from="https://kompas.example/" + "p" * 2100,
    )
    with caplog.at_level(logging.INFO, logger="ingest.store.limits"):
        outcomes = asyncio.run(_store_all(store, articles))
    assert all(o.created and o.rejected is None for o in outcomes)
    row = _stored(store)[articles[2].url]
    assert (row.author, row.outlet, row.site_name) == ("A" * 500, "o" * 200, "s" * 200)
    assert (row.language, row.dateline, row.syndicated_from) == ("id-" + "x" * 7, "D" * 300, None)
    assert "author of 600 characters cut (the store keeps 500)" in caplog.text


def test_nul_and_lone_surrogates_are_stored_the_same_on_both_backends(store: Store) -> None:
    articles = _articles(3)
    articles[1] = replace(articles[1], title="Rakor\x00 Pilkada \ud800", author="Pewarta\x00")
    outcomes = asyncio.run(_store_all(store, articles))
    assert all(o.created for o in outcomes)
    row = _stored(store)[articles[1].url]
    assert (row.title, row.author) == ("Rakor Pilkada \ufffd", "Pewarta")


def test_a_document_the_database_refuses_is_rejected_and_its_batch_mates_stored(
    store: Store,
) -> None:
    """A value no backend can bind (a naive publication time) fails the batch's transaction;
    the batch is written again in halves and only that document is lost, with its reason."""
    articles = _articles(24)
    articles[13] = replace(articles[13], published_at=datetime(2024, 9, 3, 10, 0))  # naive
    outcomes = asyncio.run(_store_all(store, articles))
    refused = [o for o in outcomes if o.rejected is not None]
    assert len(refused) == 1 and outcomes[13] is refused[0]
    assert articles[13].url in (refused[0].rejected or "")
    assert "naive datetime" in (refused[0].rejected or "")
    assert sum(o.created for o in outcomes) == 23
    assert set(_stored(store)) == {a.url for i, a in enumerate(articles) if i != 13}


def test_an_over_long_url_is_rejected_and_its_batch_mates_stored(store: Store) -> None:
    articles = _articles(5)
    articles[4] = replace(articles[4], url="https://kukar.example/" + "x" * 2100)
    outcomes = asyncio.run(_store_all(store, articles))
    assert [o.created for o in outcomes] == [True] * 4 + [False]
    assert "unstorable" in (outcomes[4].rejected or "")
    assert len(_stored(store)) == 4


def test_an_over_long_validator_is_dropped_and_the_batch_stored(store: Store) -> None:
    now = datetime.now(UTC)
    page = FetchedPage(
        url="https://kukar.example/0",
        final_url="https://kukar.example/0",
        status_code=200,
        body=b"<html></html>",
        content_type="text/html",
        encoding="utf-8",
        etag='"' + "e" * 700 + '"',
        last_modified="Tue, 03 Sep 2024 10:00:00 GMT",
        fetched_at=now,
    )
    outcomes = asyncio.run(_store_all(store, _articles(3), [page]))
    assert all(o.created for o in outcomes)
    with store.session() as session:
        state = session.get(FetchState, page.url)
        assert state is not None
        assert (state.etag, state.last_modified) == (None, page.last_modified)

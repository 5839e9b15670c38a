"""The run's writer keeps fetch states for the next batch of documents: no transaction for a
few states alone, every state saved by the time the writer closes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from ingest.config import DedupSettings
from ingest.records import Article, FetchedPage
from ingest.store import Store
from ingest.store.models import Document, FetchState
from ingest.store.writer import BatchWriter


def _page(i: int) -> FetchedPage:
    url = f"https://kukarkab.go.id/berita/{i}"
    return FetchedPage(
        url=url,
        final_url=url,
        status_code=200,
        body=b"<html></html>",
        content_type="text/html",
        encoding="utf-8",
        etag=f'"e{i}"',
        last_modified=None,
        fetched_at=datetime(2024, 9, 3, tzinfo=UTC),
    )


async def _write(store: Store, states: int, articles: list[Article], max_batch: int) -> int:
    """Queue ``states`` fetch states, yielding to the writer after each, then the articles;
    returns the number of batches written."""
    async with BatchWriter(
        store, dedup_settings=DedupSettings(), run_id=None, max_batch=max_batch
    ) as writer:
        for i in range(states):
            writer.fetched(_page(i), source="kukarkab")
            await asyncio.sleep(0)
        await asyncio.gather(*(writer.store(a) for a in articles))
    return writer.batches


def _counts(store: Store) -> tuple[int | None, int | None]:
    with store.session() as session:
        states = session.scalar(select(func.count()).select_from(FetchState))
        documents = session.scalar(select(func.count()).select_from(Document))
    return states, documents


def test_a_few_states_alone_wait_for_the_writer_to_close(store: Store) -> None:
    async def run() -> tuple[tuple[int | None, int | None], int]:
        async with BatchWriter(
            store, dedup_settings=DedupSettings(), run_id=None, max_batch=10
        ) as writer:
            for i in range(9):
                writer.fetched(_page(i), source="kukarkab")
                await asyncio.sleep(0.005)
            before_close = await asyncio.to_thread(_counts, store)
        return before_close, writer.batches

    before_close, batches = asyncio.run(run())
    assert before_close == (0, 0)
    assert (batches, _counts(store)) == (1, (9, 0))


def test_many_states_alone_go_max_batch_or_more_at_a_time(store: Store) -> None:
    batches = asyncio.run(_write(store, 25, [], max_batch=10))
    assert 1 < batches <= 3  # at least 10 a transaction, the rest when the writer closes
    assert _counts(store) == (25, 0)


def test_states_ride_along_with_the_next_documents(store: Store) -> None:
    article = Article(
        url="https://kukarkab.go.id/berita/0",
        outlet="kukarkab.go.id",
        title="Rapat",
        text="Bupati memimpin rapat koordinasi di Tenggarong pada Selasa (3/9) pagi.",
        published_at=datetime(2024, 9, 3, tzinfo=UTC),
    )
    batches = asyncio.run(_write(store, 7, [article], max_batch=10))
    assert batches == 1
    assert _counts(store) == (7, 1)

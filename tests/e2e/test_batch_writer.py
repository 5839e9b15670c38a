"""The run's batch writer: same stories as storing one by one, fewer transactions, and a batch
that fails leaves nothing of itself behind."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ingest.config import DedupSettings, ExtractSettings
from ingest.errors import StoreError
from ingest.extract import clean_document
from ingest.records import Article
from ingest.store import Store, open_store
from ingest.store.documents import StoreOutcome
from ingest.store.models import Document, StoryMember
from ingest.store.writer import BatchWriter
from tests.e2e.conftest import REPO

SEEDS = REPO / "demo" / "seeds.jsonl"


def _seed_articles() -> list[Article]:
    articles = []
    for line in SEEDS.read_text().splitlines():
        row = json.loads(line)
        articles.append(
            clean_document(
                row["text"],
                url=row["url"],
                outlet=row["outlet"],
                settings=ExtractSettings(),
                title=row["title"],
                published_at=datetime.fromisoformat(row["published_at"]),
            )
        )
    return articles


async def _write(
    store: Store, articles: list[Article], max_batch: int = 100
) -> tuple[list[StoreOutcome], int]:
    """The outcomes of storing ``articles`` through one writer, and its number of batches."""
    async with BatchWriter(
        store, dedup_settings=DedupSettings(), run_id=None, max_batch=max_batch
    ) as writer:
        outcomes = list(await asyncio.gather(*(writer.store(a) for a in articles)))
    return outcomes, writer.batches


def _stories(store: Store) -> set[frozenset[tuple[str, str]]]:
    """Each story as the set of its members' (URL, relation)."""
    with store.session() as session:
        rows = session.execute(
            select(StoryMember.story_id, Document.url, StoryMember.relation).join(
                Document, StoryMember.document_id == Document.id
            )
        ).all()
    by_story: dict[int, set[tuple[str, str]]] = {}
    for story_id, url, relation in rows:
        by_story.setdefault(story_id, set()).add((url, relation))
    return {frozenset(members) for members in by_story.values()}


def test_batches_give_the_same_stories_as_one_by_one(tmp_path: Path) -> None:
    articles = _seed_articles()
    results = {}
    for max_batch in (100, 1):
        with open_store(f"sqlite:///{tmp_path / f'batch{max_batch}.db'}") as store:
            outcomes, batches = asyncio.run(_write(store, articles, max_batch))
            results[max_batch] = (_stories(store), batches)
        assert all(o.created for o in outcomes)
    assert results[100][0] == results[1][0]
    assert len(results[100][0]) == 4  # {003, 004} together; 000, 001 and 002 alone
    assert results[100][1] == 1
    assert results[1][1] == len(articles)


def test_a_batch_is_one_transaction_and_a_stored_url_is_left_alone(db_url: str) -> None:
    articles = _seed_articles()
    with open_store(db_url) as store:
        first, _ = asyncio.run(_write(store, articles[:2]))
        again, _ = asyncio.run(_write(store, [*articles[:2], articles[2], articles[2]]))
        with store.session() as session:
            stored = session.scalar(select(func.count()).select_from(Document))
    assert [o.created for o in first] == [True, True]
    assert [o.created for o in again] == [False, False, True, False]
    assert again[0].document_id == first[0].document_id
    assert again[3].document_id == again[2].document_id
    assert stored == 3


def test_a_failed_batch_leaves_no_document_and_fails_every_waiter(db_url: str) -> None:
    """A batch the store cannot write at all (not one document's fault: here a table gone)
    fails every document waiting on it and leaves nothing of itself behind."""
    articles = _seed_articles()
    with open_store(db_url) as store:
        with store.session() as session:
            session.execute(text("ALTER TABLE story_members RENAME TO story_members_gone"))

        async def run() -> list[StoreOutcome | BaseException]:
            async with BatchWriter(store, dedup_settings=DedupSettings(), run_id=None) as writer:
                jobs = [writer.store(a) for a in articles[:4]]
                return list(await asyncio.gather(*jobs, return_exceptions=True))

        results = asyncio.run(run())
        with store.session() as session:
            documents = session.scalar(select(func.count()).select_from(Document))
    assert all(isinstance(r, Exception) for r in results)
    assert documents == 0


async def _one_by_one(store: Store, articles: list[Article], *, linger: float) -> list[int]:
    """Store ``articles`` one at a time, each once the one before is queued and the writer has
    had its turn; for each, how many batches had been written when it arrived."""
    async with BatchWriter(
        store, dedup_settings=DedupSettings(), run_id=None, max_batch=5, linger=linger, quiet=60
    ) as writer:
        seen, waiting = [], []
        for article in articles:
            if waiting and linger == 0:  # nothing to wait for: the last one is written alone
                await asyncio.wait_for(asyncio.shield(waiting[-1]), timeout=60)
            for _ in range(3):
                await asyncio.sleep(0)  # the writer's turn: it takes what is queued, or waits
            seen.append(writer.batches)
            waiting.append(asyncio.ensure_future(writer.store(article)))
        await asyncio.wait_for(asyncio.gather(*waiting), timeout=60)
    return [*seen, writer.batches]


def test_documents_arriving_one_by_one_wait_for_each_other(tmp_path: Path) -> None:
    """A batch waits for more documents (up to ``linger`` seconds, or ``quiet`` seconds
    without one): five documents that come one by one go in one batch, written once it is
    full (not after the minute of linger); with no linger, each is written alone."""
    articles = _seed_articles()
    assert len(articles) == 5
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        together = asyncio.run(_one_by_one(store, articles, linger=60.0))
    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as store:
        alone = asyncio.run(_one_by_one(store, articles, linger=0.0))
    assert together == [0, 0, 0, 0, 0, 1]
    assert alone == [0, 1, 2, 3, 4, 5]


def test_closing_the_writer_does_not_wait_out_the_linger(tmp_path: Path) -> None:
    async def run(store: Store) -> tuple[StoreOutcome, float]:
        loop = asyncio.get_running_loop()
        async with BatchWriter(
            store, dedup_settings=DedupSettings(), run_id=None, linger=60.0
        ) as writer:
            pending = asyncio.ensure_future(writer.store(_seed_articles()[0]))
            await asyncio.sleep(0.05)
            started = loop.time()
        return await pending, loop.time() - started

    with open_store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        outcome, seconds = asyncio.run(run(store))
    assert outcome.created
    assert seconds < 30  # written when the writer closed, not after the 60 s linger


def test_a_producer_waits_while_two_batches_are_queued(tmp_path: Path) -> None:
    """``room`` holds a producer back while the writer has two whole batches queued, so that
    articles cannot pile up in memory behind a slow store; it lets go once a batch is taken."""

    async def run(store: Store) -> tuple[bool, bool, int]:
        writer = BatchWriter(
            store, dedup_settings=DedupSettings(), run_id=None, max_batch=2, linger=0.0
        )
        articles = _seed_articles()[:4]
        stored = [asyncio.ensure_future(writer.store(a)) for a in articles]
        await asyncio.sleep(0)  # the four are queued; the writer is not running yet
        waiting = asyncio.ensure_future(writer.room())
        await asyncio.sleep(0.1)
        held = not waiting.done()
        await writer.__aenter__()  # the writer starts and takes the first batch
        await asyncio.wait_for(waiting, timeout=30)
        await writer.__aexit__(None, None, None)
        outcomes = await asyncio.gather(*stored)
        return held, waiting.done(), sum(o.created for o in outcomes)

    with open_store(f"sqlite:///{tmp_path / 'room.db'}") as store:
        held, released, created = asyncio.run(run(store))
    assert held
    assert released
    assert created == 4


def test_a_batch_is_written_once_no_document_comes_for_a_while(tmp_path: Path) -> None:
    """The last documents of a run do not wait out the linger: a batch that is not full is
    written once no document has come for ``QUIET`` seconds."""

    async def run(store: Store) -> float:
        loop = asyncio.get_running_loop()
        async with BatchWriter(
            store, dedup_settings=DedupSettings(), run_id=None, linger=60.0
        ) as writer:
            started = loop.time()
            await writer.store(_seed_articles()[0])
            return loop.time() - started

    with open_store(f"sqlite:///{tmp_path / 'quiet.db'}") as store:
        seconds = asyncio.run(run(store))
    assert seconds < 30  # QUIET (0.05 s) and the write, not the 60 s linger


@pytest.mark.parametrize("shared", [True, False], ids=["one run", "two runs"])
def test_writers_give_the_same_stories_as_one_writer(
    db_url: str, tmp_path: Path, shared: bool
) -> None:
    """A large run's writers, one per process, each write their own batches, and so do the
    writers of parallel Prefect tasks and of other runs: each batch's dedup sees the other
    writer's, so seed 003 written by one joins seed 004 written by the other, and 002 stays
    alone. Writers of one run share a process lock; any two are ordered by the store itself
    (PostgreSQL's advisory lock: without it, PostgreSQL split 003 and 004)."""
    articles = _seed_articles()
    lock = multiprocessing.get_context("forkserver").Lock()

    async def scenario(store: Store) -> None:
        inline = BatchWriter(store, dedup_settings=DedupSettings(), run_id=None, inline=True)
        threaded = BatchWriter(store, dedup_settings=DedupSettings(), run_id=None)
        if shared:
            inline.share(lock)
            threaded.share(lock)
        async with inline, threaded:
            await asyncio.gather(
                *(
                    (inline if number % 2 else threaded).store(article)
                    for number, article in enumerate(articles)
                )
            )

    with open_store(f"sqlite:///{tmp_path / 'one.db'}") as one:
        asyncio.run(_write(one, articles))
        expected = _stories(one)
    with open_store(db_url) as two:
        asyncio.run(scenario(two))
        assert _stories(two) == expected
    assert len(expected) == 4


@pytest.mark.parametrize("inline", [True, False])
def test_a_lock_held_too_long_fails_the_batch_instead_of_hanging(
    tmp_path: Path, inline: bool
) -> None:
    """A writer that died holding the shared lock never lets it go: the batch fails with a
    StoreError after the lock timeout, and nothing of it is stored."""
    lock = multiprocessing.get_context("forkserver").Lock()
    article = _seed_articles()[0]

    async def scenario(store: Store) -> None:
        writer = BatchWriter(
            store,
            dedup_settings=DedupSettings(),
            run_id=None,
            lock=lock,
            inline=inline,
            lock_timeout=0.3,
        )
        async with writer:
            await writer.store(article)

    assert lock.acquire(block=False)  # the dead writer's
    with open_store(f"sqlite:///{tmp_path / 'held.db'}") as store:
        with pytest.raises(StoreError, match=r"held the store for over 0\.3 s"):
            asyncio.run(scenario(store))
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(Document)) == 0

"""Batched writes for a pipeline run: documents (with their dedup index entries and story
membership) and fetch states, one transaction per batch, in arrival order, away from the event
loop (in a thread) so that it keeps fetching and feeding extraction while a batch is written::

    async with BatchWriter(store, dedup_settings=settings.dedup, run_id=run_id) as writer:
        writer.fetched(page, source="kukarkab")        # conditional-GET validators, queued
        outcome = await writer.store(article)          # StoreOutcome once its batch commits
        await writer.store(article, features)          # features computed already (optional)

A batch holds what arrived while the previous one was written, and waits up to ``linger``
seconds to fill up to ``max_batch`` documents: one transaction instead of one per document and
per fetch state, and closing the writer writes what is queued at once. Fetch states ride along
with the documents, or go ``max_batch`` at a time when no document comes. A batch is placed in
stories by :func:`ingest.dedup.assign_batch`, with a constant number of statements per batch.

Several writers of one run (a large run has one in each of its page worker processes) share a
process lock (:meth:`BatchWriter.share`): their batches are written one at a time, so each
batch's dedup sees every batch committed before it. A writer made with ``inline=True`` writes
in the event loop's own thread and waits for the lock without blocking the loop: in a worker
process whose loop only fetches and extracts, a thread would fight the loop for the
interpreter lock. A crash loses at most the batch being written and the fetch states queued
(the next run then fetches those pages unconditionally), never part of a document: the
document, its index rows and its membership commit together.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from multiprocessing.synchronize import Lock as ProcessLock
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup.features import Features
from ingest.errors import StoreError
from ingest.records import Article, FetchedPage
from ingest.store import health
from ingest.store.documents import StoreOutcome, add_articles, document_exists
from ingest.store.engine import Store
from ingest.store.limits import fit_fetch_state
from ingest.store.models import FetchState

__all__ = [
    "DEFAULT_LINGER",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_MAX_BATCH",
    "LOCK_POLL_MAX",
    "QUEUED_BATCHES",
    "QUIET",
    "BatchWriter",
]

log = logging.getLogger(__name__)

#: Documents per transaction at most.
DEFAULT_MAX_BATCH = 100

#: Seconds a batch may wait for more documents before it is written with fewer than
#: ``max_batch``: a batch costs a dozen statements whatever its size, so storing with dedup
#: took 2.6 ms a document in batches of 10, 1.1 in batches of 50, 0.9 in batches of 100.
DEFAULT_LINGER = 0.25

#: Seconds without a new document after which a batch that is not full is written anyway.
QUIET = 0.05

#: Whole batches queued at most before :meth:`BatchWriter.room` holds producers back.
QUEUED_BATCHES = 2

#: Seconds between two tries of a shared lock held by another writer, at most (inline writers).
LOCK_POLL_MAX = 0.02

#: Seconds a batch waits for the shared lock before it fails with a StoreError. A batch takes
#: well under a second; a lock held this long belongs to a writer that died holding it (a
#: worker process killed mid-batch), and the run must fail, not hang.
DEFAULT_LOCK_TIMEOUT = 120.0

_Pending = tuple[Article, Features | None, "asyncio.Future[StoreOutcome]"]
_State = tuple[FetchedPage, str, str | None]
_Articles = Sequence[tuple[Article, Features | None]]


@dataclass(frozen=True, slots=True)
class _Target:
    """Where and how batches are written."""

    store: Store
    dedup_settings: DedupSettings
    run_id: int | None


class BatchWriter:
    """The single writer of a run. Use it as an async context manager: leaving it writes what
    is still queued. A failed batch (the store is unreachable, say) fails every ``store`` call
    waiting on it with the same error."""

    def __init__(
        self,
        store: Store,
        *,
        dedup_settings: DedupSettings,
        run_id: int | None,
        max_batch: int = DEFAULT_MAX_BATCH,
        linger: float = DEFAULT_LINGER,
        quiet: float = QUIET,
        lock: ProcessLock | None = None,
        inline: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        if linger < 0 or quiet < 0:
            raise ValueError(f"linger and quiet must not be negative, not {linger}, {quiet}")
        self._target = _Target(store, dedup_settings, run_id)
        self.max_batch = max_batch
        self.linger = linger
        self.quiet = quiet
        self.batches = 0
        self._pending: list[_Pending] = []
        self._states: list[_State] = []
        self._wake = asyncio.Event()
        self._roomy = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._lock = lock
        self._inline = inline
        self._lock_timeout = lock_timeout

    async def __aenter__(self) -> BatchWriter:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task

    @property
    def lock(self) -> ProcessLock | None:
        """The process lock this writer's batches are written under, if shared."""
        return self._lock

    def share(self, lock: ProcessLock) -> None:
        """Write the next batches while holding ``lock``, the lock of the run's other writers.
        Batches are written one at a time either way, so switching between two is safe."""
        self._lock = lock

    def fetched(self, page: FetchedPage, *, source: str, outcome: str | None = "fetched") -> None:
        """Queue the fetch state of ``page`` (validators for the next conditional GET) and what
        became of it (``rejected:listing``; None keeps the stored outcome, as a 304 does). It is
        written with the next batch of documents, or once ``max_batch`` states wait: a
        transaction for a few states alone costs more than the states themselves."""
        self._states.append((_without_body(page), source, outcome))
        if len(self._states) >= self.max_batch:
            self._wake.set()

    async def room(self) -> None:
        """Wait while ``QUEUED_BATCHES`` whole batches are queued already. A producer that
        waits here before :meth:`store` (holding its page's backlog slot, as the pipeline does)
        keeps fetching and extraction at the writer's pace: articles do not pile up in memory
        behind a slow store, and a run does not end with a long queue left to write."""
        while len(self._pending) >= QUEUED_BATCHES * self.max_batch:
            self._roomy.clear()
            await self._roomy.wait()

    async def store(self, article: Article, features: Features | None = None) -> StoreOutcome:
        """Queue ``article``; returns its outcome once its batch is committed. ``features``
        are its text's dedup features when computed already (by the caller, say),
        so that the writer does not compute them."""
        future: asyncio.Future[StoreOutcome] = asyncio.get_running_loop().create_future()
        self._pending.append((article, features, future))
        self._wake.set()
        return await future

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            await self._fill()
            self._wake.clear()
            while self._pending or self._states_due():
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                self._roomy.set()
                states, self._states = self._states, []
                await self._write_batch(batch, states)
                if not self._closed and len(self._pending) < self.max_batch:
                    if self._pending:  # the next batch fills up first
                        self._wake.set()
                    break
            if self._closed and not self._pending and not self._states:
                return

    async def _fill(self) -> None:
        """Wait until a whole batch of documents is queued, the writer closes, ``linger``
        seconds have passed, or no document came for ``quiet`` seconds (the run's last pages
        are written at once, not after the whole linger)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.linger
        while self._pending and len(self._pending) < self.max_batch and not self._closed:
            self._wake.clear()
            wait = min(deadline - loop.time(), self.quiet)
            try:
                async with asyncio.timeout(max(wait, 0)):
                    await self._wake.wait()
            except TimeoutError:
                return

    def _states_due(self) -> bool:
        """Fetch states alone are written ``max_batch`` at a time, or when the writer closes."""
        return len(self._states) >= self.max_batch or (self._closed and bool(self._states))

    async def _write_batch(self, batch: list[_Pending], states: list[_State]) -> None:
        articles = [(a, f) for a, f, _ in batch]
        try:
            if self._inline:
                outcomes = await self._write_inline(articles, states)
            else:
                outcomes = await asyncio.to_thread(self._write_locked, articles, states)
        except Exception as exc:  # handed to every waiter: none of them may hang
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not batch:
                log.warning("fetch states not saved: %s", exc)
            return
        self.batches += 1
        for (_, _, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():  # its page was given up (an interrupted run)
                future.set_result(outcome)

    async def _write_inline(
        self, articles: _Articles, states: Sequence[_State]
    ) -> list[StoreOutcome]:
        """Write in this thread, once the shared lock is ours: tried without blocking, so the
        loop fetches and extracts while another writer holds it."""
        lock = self._lock
        if lock is None:
            return _write(self._target, articles, states)
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + self._lock_timeout, 0.001
        while not lock.acquire(block=False):
            if loop.time() > deadline:
                raise self._lock_timed_out()
            await asyncio.sleep(pause)
            pause = min(pause * 2, LOCK_POLL_MAX)
        try:
            return _write(self._target, articles, states)
        finally:
            lock.release()

    def _write_locked(self, articles: _Articles, states: Sequence[_State]) -> list[StoreOutcome]:
        """Write in a thread, once the shared lock (if any) is ours."""
        lock = self._lock
        if lock is None:
            return _write(self._target, articles, states)
        if not lock.acquire(timeout=self._lock_timeout):
            raise self._lock_timed_out()
        try:
            return _write(self._target, articles, states)
        finally:
            lock.release()

    def _lock_timed_out(self) -> StoreError:
        return StoreError(
            f"another writer of this run held the store for over {self._lock_timeout:g} s"
            " (a worker process died while writing?)"
        )


def _write(target: _Target, articles: _Articles, states: Sequence[_State]) -> list[StoreOutcome]:
    """One transaction for the batch and its fetch states. When the database refuses the batch
    for what one document holds (a value it cannot take, a URL a concurrent run stored
    meanwhile), the fetch states are written alone and the documents in halves, each half a
    transaction of its own, down to the document at fault: it is rejected with the database's
    reason, and its batch-mates are stored (see :func:`_write_part`)."""
    try:
        with target.store.session() as session:
            # The documents first: add_articles takes the store's documents lock before any
            # write, so no writer waits for it while holding the rows of its fetch states.
            outcomes = _add(session, target, articles)
            _save_states(session, states)
            return outcomes
    except _DOCUMENT_ERRORS as exc:
        if not _at_fault(exc):
            raise
        log.info("a batch of %d documents was refused (%s)", len(articles), _first_line(exc))
    _write_states_alone(target.store, states)
    return _split(target, articles)


#: What the database raises for the data of one document rather than for the store itself
#: (an unreachable server or a lock timeout fails the batch, and the run).
_DOCUMENT_ERRORS = (StatementError, UnicodeError)


def _at_fault(exc: Exception) -> bool:
    """True when ``exc`` may come from one document's data: a value refused (DataError), a
    constraint (IntegrityError), a value that could not be bound (SQLAlchemy's
    StatementError around it) or encoded for the driver."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, DataError | IntegrityError)
    return True


def _add(session: Session, target: _Target, articles: _Articles) -> list[StoreOutcome]:
    return add_articles(
        session,
        [a for a, _ in articles],
        dedup_settings=target.dedup_settings,
        run_id=target.run_id,
        features=[f for _, f in articles],
    )


def _split(target: _Target, articles: _Articles) -> list[StoreOutcome]:
    half = len(articles) // 2
    return _write_part(target, articles[:half]) + _write_part(target, articles[half:])


def _write_part(target: _Target, articles: _Articles) -> list[StoreOutcome]:
    """``articles`` in one transaction, or halved again when the database refuses them; a
    document refused alone is rejected, or counted unchanged when a concurrent run stored
    its URL meanwhile."""
    if not articles:
        return []
    try:
        with target.store.session() as session:
            return _add(session, target, articles)
    except _DOCUMENT_ERRORS as exc:
        if not _at_fault(exc):
            raise
        if len(articles) > 1:
            return _split(target, articles)
        return [_refused(target.store, articles[0][0], exc)]


def _refused(store: Store, article: Article, exc: Exception) -> StoreOutcome:
    with store.read_session() as session:
        if document_exists(session, article.url):
            log.info("already stored by a concurrent run: %s", article.url)
            return StoreOutcome(None, created=False)
    reason = f"{article.url}: not stored: {_first_line(exc)}"
    log.warning("%s", reason)
    return StoreOutcome(None, created=False, rejected=reason)


def _first_line(exc: BaseException) -> str:
    """The database's own message, first line (no SQL, no parameters)."""
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


def _save_states(session: Session, states: Sequence[_State]) -> None:
    """Save every fetch state with two statements, not two per URL: the rows are loaded (or
    inserted empty) first, so that each save finds its row in the session."""
    states = [(fitted, s, o) for page, s, o in states if (fitted := fit_fetch_state(page))]
    urls = list(dict.fromkeys(page.url for page, _, _ in states))
    rows = {r.url: r for r in session.scalars(select(FetchState).where(FetchState.url.in_(urls)))}
    fresh = [FetchState(url=url) for url in urls if url not in rows]  # held: weak identity map
    session.add_all(fresh)
    session.flush()
    for page, source, outcome in states:
        health.save_fetch_state(session, page, source=source, outcome=outcome, document_id=None)
    log.debug("%d fetch states saved, %d of them new", len(states), len(fresh))


def _write_states_alone(store: Store, states: Sequence[_State]) -> None:
    try:
        with store.session() as session:
            _save_states(session, states)
    except IntegrityError:
        log.info("fetch states written by a concurrent run; kept theirs")
    except _DOCUMENT_ERRORS as exc:
        if not _at_fault(exc):
            raise
        log.warning("%d fetch states not saved: %s", len(states), _first_line(exc))


def _without_body(page: FetchedPage) -> FetchedPage:
    """``page`` with its body replaced by its hash: all a fetch state keeps of it."""
    if page.content_sha1 is not None or page.not_modified:
        return page
    return replace(page, body=b"", content_sha1=hashlib.sha1(page.body).hexdigest())

"""A large run's page workers: one process per core, each fetching, extracting and storing
the pages of its own hosts::

    workers = PageWorkers(context, settings, store_url, run_id=7, lock=context.Lock(),
                          size=2, backlog=256)
    result = await workers.page(job)                  # PageResult, from the host's process
    feed = await workers.get("https://x.id/feed", kind="feed")  # discovery, same routing
    await workers.close()                             # queued batches and states written

Each process has its own event loop, :class:`~ingest.fetch.Fetcher` and
:class:`~ingest.store.writer.BatchWriter`, and runs :func:`ingest.page.process_page` for each
page it is sent, many at a time: it fetches while it extracts, and writes its batches in its
own loop. The run's writers share one process lock, so batches are written one at a time and
each batch's dedup sees all those before it. A page never crosses a process boundary but as
its job and its result: no article goes from process to process, and both cores do the same
kind of work with no hand-over between them.

Every request to a host goes to the same process, so that host's concurrency, delay,
Retry-After and robots.txt are kept in one place: a host goes to the process with the fewest
pages waiting when its first request comes (the hosts of a run are shared out by their
pages). A redirect to another host is held to that host's limits only in the process that
follows it. The run's total ``max_concurrency`` is split between the processes. What a page came
to (a failure, a rejection and their messages) comes back in its result for the run to count
and log; what a worker logs itself (a retry, fetch states not saved) is sent to the run's
process and logged there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from multiprocessing.synchronize import Lock as ProcessLock

from ingest.config import DedupSettings, FetchSettings, Settings
from ingest.fetch import Fetcher, Kind
from ingest.fetch.hosts import HostTimes
from ingest.page import PageJob, PageResult, PageSteps, inline, process_page
from ingest.records import FetchedPage
from ingest.store import open_store
from ingest.store.writer import BatchWriter
from ingest.urls import split
from ingest.workers import Context, ProcessPool

__all__ = ["QUEUED_PAGES", "WORKER_BATCH", "WORKER_LINGER", "PageWorkers"]

#: Pages sent to one process and not done yet, at most: enough to keep it busy (its own backlog
#: bounds what it fetches at once), while a run of a hundred thousand sitemap entries waits in
#: the run's process rather than in the workers' memory. Counted per process, so one busy
#: process never holds the others' pages back.
QUEUED_PAGES = 1024

#: Documents per batch of a page worker's writer, at most, and the seconds a batch waits to
#: fill: a worker stores about 300 documents a second, so the writer's defaults (100, 0.25 s)
#: gave batches of 75-100. Storing with dedup took 1.31-1.58 s of CPU for 1,996 documents in
#: batches of 100, 1.20-1.26 s in batches of 200.
WORKER_BATCH = 200
WORKER_LINGER = 0.5


class PageWorkers:
    """``size`` page worker processes for the run ``run_id``, started on first use. ``hosts``
    are the per-host times of the Fetcher that fetched until now (discovery), taken over."""

    def __init__(
        self,
        context: Context,
        settings: Settings,
        store_url: str,
        *,
        run_id: int | None,
        lock: ProcessLock,
        size: int,
        backlog: int,
        hosts: HostTimes | None = None,
    ) -> None:
        fetch = settings.fetch.model_copy(
            update={"max_concurrency": max(1, settings.fetch.max_concurrency // size)}
        )
        self.settings = settings.fetch
        self._hosts: dict[str, int] = {}
        self._queued = [asyncio.Semaphore(QUEUED_PAGES) for _ in range(size)]
        self._load = [0] * size  # pages sent or waiting to be sent, not done yet
        self._pool = ProcessPool(
            context,
            size=size,
            initializer=_worker,
            initargs=(fetch, store_url, settings.dedup, run_id, lock, backlog, hosts or {}),
            logs="ingest",
        )

    def launch(self) -> None:
        """Start the processes now, without waiting for them (else on first use)."""
        self._pool.launch()

    async def start(self) -> None:
        """Start the processes now and wait until they can take jobs (else on first use)."""
        await self._pool.start()

    async def page(self, job: PageJob) -> PageResult:
        """Process ``job`` in its host's process (a local document: in the least busy one)."""
        if job.local:
            await self._pool.start()
            number = self._least_loaded()
        else:
            number = await self.number(job.url)
        self._load[number] += 1
        try:
            async with self._queued[number]:
                return await self._pool.call_on(number, _page, job)
        finally:
            self._load[number] -= 1

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Kind = "page",
    ) -> FetchedPage:
        """:meth:`Fetcher.get` in the host's process (a :class:`~ingest.fetch.Getter`)."""
        number = await self.number(url)
        return await self._pool.call_on(number, _get, url, etag, last_modified, kind)

    async def number(self, url: str) -> int:
        """The process that fetches the host of ``url``: the live one with the fewest pages
        not done when the host first comes, then always that one."""
        host = (split(url).hostname or "").lower()
        await self._pool.start()
        number = self._hosts.get(host)  # read after the last await: no other page in between
        if number is None:
            number = self._hosts[host] = self._least_loaded()
        return number

    def _least_loaded(self) -> int:
        return min(self._pool.alive(), key=self._load.__getitem__)

    async def close(self, *, abort: bool = False) -> None:
        """Let every process finish, write what it has queued and stop; with ``abort``, drop
        the pages not done yet (a failed or interrupted run)."""
        await self._pool.close(abort=abort)


# A worker process's fetcher, writer and extraction: opened once by _worker, used by its jobs.
_STEPS: PageSteps | None = None


@asynccontextmanager
async def _worker(
    fetch: FetchSettings,
    store_url: str,
    dedup: DedupSettings,
    run_id: int | None,
    lock: ProcessLock,
    backlog: int,
    hosts: HostTimes,
) -> AsyncIterator[None]:
    global _STEPS
    store = open_store(store_url, upgrade=False)
    try:
        writer = BatchWriter(
            store,
            dedup_settings=dedup,
            run_id=run_id,
            max_batch=WORKER_BATCH,
            linger=WORKER_LINGER,
            lock=lock,
            inline=True,
        )
        async with Fetcher(fetch) as fetcher, writer:
            fetcher.take_over_hosts(hosts)
            _STEPS = PageSteps(fetcher, writer, inline, asyncio.Semaphore(backlog), store)
            yield
    finally:
        _STEPS = None
        store.close()


def _steps() -> PageSteps:
    if _STEPS is None:
        raise RuntimeError("the page worker was not initialised")
    return _STEPS


async def _page(job: PageJob) -> PageResult:
    return await process_page(job, _steps())


async def _get(url: str, etag: str | None, last_modified: str | None, kind: Kind) -> FetchedPage:
    return await _steps().fetcher.get(url, etag=etag, last_modified=last_modified, kind=kind)

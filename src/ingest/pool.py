"""Where a run's pages go: the run's own process while the run is small, page worker
processes (one per core, :mod:`ingest.page_workers`) once its sources have brought
``PROCESS_POOL_MIN_PAGES`` pages in all::

    pool = PagePool(settings, store, fetcher, writer, run_id=run_id)
    found = await discover(source, pool)   # pool.get: the fetcher, or the host's worker
    place = pool.place(len(found.candidates))
    result = await place(job)                   # PageResult
    await pool.close()

A small run (the demo, a feed of a dozen items) pays no process start: its pages are fetched
in the run's event loop, extracted in threads and stored by the run's writer. In a large run
each worker process fetches, extracts and stores the pages of its own hosts; the run's process
discovers, decides what to fetch, and counts. Once the workers are up, every request goes to
them (discovery, and pages of small sources still under way), so every request to a host is
made by one process; the hosts' delays until then are handed over. The run's writer shares
the workers' lock, so that the batches of pages it still stores are written one at a time
with theirs.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Awaitable, Callable

from ingest.config import FetchSettings, Settings
from ingest.fetch import Fetcher, Kind
from ingest.page import PageJob, PageResult, PageSteps, in_thread, process_page
from ingest.page_workers import PageWorkers
from ingest.records import FetchedPage
from ingest.store import Store
from ingest.store.engine import in_memory_sqlite
from ingest.store.writer import BatchWriter

__all__ = [
    "BACKLOG",
    "FORKSERVER_PRELOAD",
    "PROCESS_POOL_MIN_PAGES",
    "PagePool",
    "Place",
]

#: Below this many pages in all a run keeps its pages in its own process; from it, page
#: worker processes, one per core.
PROCESS_POOL_MIN_PAGES = 40

#: Pages being fetched or extracted, or waiting for room in the writer, at most, in each
#: process that fetches (the run's, or each page worker): when extraction or the store is the
#: slower stage, fetching waits for it instead of holding every page of the run in memory.
BACKLOG = 256

#: Imported once by the fork server, so that each worker process starts with them: what the
#: workers run, the dedup kernels and the language model loaded (0.5 and 0.7 s of CPU in each
#: process otherwise), and the modules a main program of ingest imports (a worker imports the
#: parent's main module again, as multiprocessing does for objects defined there: 0.2-0.25 s
#: each without these).
FORKSERVER_PRELOAD = (
    "ingest.page_workers",
    "ingest.dedup.preload",
    "ingest.clean.preload",
    "ingest.pipeline",
    "ingest.cli",
)

Place = Callable[[PageJob], Awaitable[PageResult]]


class PagePool:
    """Hands each source the place its pages go (twenty feeds of twenty items are a large run
    too, though each source is small), and fetches for discovery (a
    :class:`~ingest.fetch.Getter`)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        fetcher: Fetcher,
        writer: BatchWriter,
        *,
        run_id: int | None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._fetcher = fetcher
        self._writer = writer
        self._run_id = run_id
        # Through self.get: a page of a small source still under way when the run turns large
        # is fetched by its host's worker too.
        self._local = PageSteps(self, writer, in_thread, asyncio.Semaphore(BACKLOG), store)
        self._pages = 0
        self._workers: PageWorkers | None = None
        self._starting: asyncio.Task[None] | None = None

    @property
    def settings(self) -> FetchSettings:
        return self._fetcher.settings

    @property
    def in_processes(self) -> bool:
        """True once the run's pages go to page worker processes."""
        return self._workers is not None

    def place(self, pages: int) -> Place:
        """Where the pages of a source of ``pages`` pages go. An in-memory SQLite store, which
        another process cannot open, keeps every page in this process."""
        self._pages += pages
        if self._workers is None and (
            self._pages < PROCESS_POOL_MIN_PAGES or in_memory_sqlite(self._store.engine.url)
        ):
            return self._in_this_process
        return self._start_workers().page

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: Kind = "page",
    ) -> FetchedPage:
        """Fetch for discovery: in this process, or in the host's worker once they run."""
        getter = self._workers or self._fetcher
        return await getter.get(url, etag=etag, last_modified=last_modified, kind=kind)

    async def close(self, *, abort: bool = False) -> None:
        """Stop the worker processes, if the run started them, once they have written all;
        with ``abort`` (the run failed or was interrupted), once they have dropped the pages
        not done yet: the pages of a run are sent to its workers at once, and an interrupted
        run must not go on fetching them."""
        if self._workers is not None:
            try:
                if self._starting is not None:
                    await self._starting
            finally:
                await self._workers.close(abort=abort)

    async def _in_this_process(self, job: PageJob) -> PageResult:
        return await process_page(job, self._local)

    def _start_workers(self) -> PageWorkers:
        if self._workers is None:
            # Workers come from a fork server, not a fork of this process: the run has threads
            # (the event loop's executor) that a fork would copy mid-step.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(FORKSERVER_PRELOAD))
            lock = context.Lock()
            self._writer.share(lock)
            self._workers = PageWorkers(
                context,
                self._settings,
                self._store.engine.url.render_as_string(hide_password=False),
                run_id=self._run_id,
                lock=lock,
                size=os.cpu_count() or 1,
                backlog=BACKLOG,
                hosts=self._fetcher.host_times(),
            )
            # Launched now, while the other sources are discovered and the store is asked
            # what it knows of their URLs: the first pages need not wait for the processes.
            self._workers.launch()
            self._starting = asyncio.ensure_future(self._workers.start())
        return self._workers

"""Where a run extracts its pages: threads while the run is small, worker processes (one per
core) once its sources have brought ``PROCESS_POOL_MIN_PAGES`` pages in all::

    pool = ExtractionPool(writer)
    runner = pool.runner(len(candidates))
    article = await runner(extract_job, page, settings.extract)
    await pool.close()

When the run turns large its writer moves to a process of its own as well: storing with dedup
is CPU-bound Python, and in the event loop's process it would hold the interpreter lock the
loop needs to keep the fetches going.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from typing import Protocol

from ingest.records import Article
from ingest.store.writer import BatchWriter
from ingest.workers import ProcessPool

__all__ = [
    "BACKLOG",
    "FORKSERVER_PRELOAD",
    "PROCESS_POOL_MIN_PAGES",
    "ExtractionPool",
    "Runner",
    "in_thread",
]

#: Below this many pages in all a run extracts in threads; from it, in one process per core.
PROCESS_POOL_MIN_PAGES = 40

#: Pages fetched or being fetched but not yet extracted (or extracted and waiting for room in
#: the writer), at most: when extraction or the store is the slower stage, fetching waits for
#: it instead of holding every page of the run in memory.
BACKLOG = 256


#: Imported once by the fork server, so that each worker process starts with them: what the
#: workers run, the dedup kernels loaded (0.5 s of CPU in each writer process otherwise), and
#: the modules a main program of ingest imports (a worker imports the parent's main module
#: again, as multiprocessing does for objects defined there: 0.2-0.25 s each without these).
FORKSERVER_PRELOAD = (
    "ingest.extract",
    "ingest.store.writer",
    "ingest.dedup.preload",
    "ingest.pipeline",
    "ingest.cli",
)


class Runner(Protocol):
    """Runs an extraction function somewhere and awaits its article."""

    def __call__(self, func: Callable[..., Article], /, *args: object) -> Awaitable[Article]: ...


async def in_thread(func: Callable[..., Article], /, *args: object) -> Article:
    """A :class:`Runner` for small runs: a thread of the event loop's executor."""
    return await asyncio.to_thread(func, *args)


class ExtractionPool:
    """Hands each source the runner its extraction goes to (twenty feeds of twenty items are
    a large run too, though each source is small)."""

    def __init__(self, writer: BatchWriter, *, backlog: int | None = None) -> None:
        self.writer = writer
        self.backlog = asyncio.Semaphore(BACKLOG if backlog is None else backlog)
        self._pages = 0
        self._processes: ProcessPool | None = None

    def runner(self, pages: int) -> Runner:
        """Where the extraction of a source of ``pages`` pages runs."""
        self._pages += pages
        if self._pages < PROCESS_POOL_MIN_PAGES:
            return in_thread
        if self._processes is None:
            # Workers come from a fork server, not a fork of this process: the run has threads
            # (the event loop's executor) that a fork would copy mid-step.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(FORKSERVER_PRELOAD))
            self._processes = ProcessPool(context, size=os.cpu_count() or 1)
            self.writer.use_process(context)
        return self._processes.call

    async def close(self) -> None:
        """Stop the worker processes, if the run started them."""
        if self._processes is not None:
            await self._processes.close()

"""What the run's process layout costs: the real pipeline against a two-process sketch.

Session 4 built this layout into the pipeline (page worker processes, ``ingest.page_workers``):
the sketch now measures what the pipeline's own costs add to the bare layout (sources, leases,
fetch states, summaries, the run's process).

The same 2,000 pages as ``bench_fetch.py`` (20 loopback hosts, per-host delay 0), three lines
per round, interleaved:

- floor: trafilatura's ``bare_extraction`` alone in a pool of 2 processes;
- two-process shape: 2 processes, each fetching the pages of its half of the hosts with a
  ``Fetcher`` of its own, extracting each page with ``extract_article`` in its event loop and
  storing its documents with dedup (``add_articles``) 100 at a time, the batches of both
  processes one at a time under a lock. Nothing else: no sources, leases, fetch states,
  summaries or progress. A sketch of a layout, not a pipeline;
- ``ingest.pipeline.run``: the real first run (its own process discovers and counts, one page
  worker process per core fetches, extracts and stores the pages of its hosts).

    .venv/bin/python bench/fetch/bench_shape.py PATH/articles_flat.jsonl.gz [--rounds 3]

Both store the same documents (1,996 of 2,000; 4 rejected) into new SQLite files.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Lock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fetch import FORK, floor_extract, run_pipeline, timed_pool, warm, warm_pipeline
from pages import build_pages
from server import serve

from ingest.config import DedupSettings, ExtractSettings, FetchSettings
from ingest.errors import IngestError
from ingest.extract import extract_article
from ingest.fetch import Fetcher
from ingest.pool import FORKSERVER_PRELOAD
from ingest.records import Article
from ingest.store import open_store
from ingest.store.documents import add_articles

FORKSERVER = multiprocessing.get_context("forkserver")
BATCH = 100


def shard_worker(urls: list[str], db_url: str, lock: Lock, done: Queue[int]) -> None:
    """One process of the shape: fetch, extract and store ``urls``; put the count stored."""
    store = open_store(db_url, upgrade=False)
    pending: list[Article] = []
    stored = 0

    def write(batch: list[Article]) -> None:
        nonlocal stored
        with store.session() as session:
            add_articles(session, batch, dedup_settings=DedupSettings(), run_id=None)
        stored += len(batch)

    asyncio.run(_fetch_extract(urls, pending, lock, write))
    with lock:
        if pending:
            write(pending)
    store.close()
    done.put(stored)


async def _fetch_extract(
    urls: list[str], pending: list[Article], lock: Lock, write: Callable[[list[Article]], None]
) -> None:
    """Fetch every URL (at most 32 at a time), extract each page as it arrives, and write a
    batch whenever one is full and the other process is not writing."""
    settings = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0)
    extract = ExtractSettings()
    gate = asyncio.Semaphore(32)

    async def one(fetcher: Fetcher, url: str) -> None:
        async with gate:
            page = await fetcher.get(url)
        try:
            article = extract_article(
                page.body, url=url, outlet=url.split("/")[2], settings=extract
            )
        except IngestError:
            return
        pending.append(article)
        if len(pending) >= BATCH and lock.acquire(block=False):  # the other one may be writing
            batch = pending[:]
            pending.clear()
            try:
                write(batch)
            finally:
                lock.release()

    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(one(fetcher, url) for url in urls))


def two_process_shape(urls: list[str], hosts: list[str], db_url: str) -> int:
    """Run the shape over ``urls``; the number of documents stored."""
    open_store(db_url).close()  # the schema, made once
    lock, done = FORKSERVER.Lock(), FORKSERVER.Queue()
    shards = [
        [u for u in urls if hosts.index(u.split("/")[2].split(":")[0]) % 2 == k] for k in (0, 1)
    ]
    processes = [
        FORKSERVER.Process(target=shard_worker, args=(shard, db_url, lock, done))
        for shard in shards
    ]
    for process in processes:
        process.start()
    stored = sum(int(done.get()) for _ in processes)
    for process in processes:
        process.join()
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=Path, help="IndoSum articles_flat.jsonl.gz")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=18731)
    args = parser.parse_args()
    hosts = [f"127.0.0.{i + 1}" for i in range(20)]
    pages = build_pages(args.articles, args.pages, hosts, args.port)
    by_url = {f"http://{h}:{args.port}{p}": body for (h, p), body in pages.items()}
    urls = list(by_url)
    server = FORK.Process(target=serve, args=(pages, hosts, args.port), daemon=True)
    server.start()
    time.sleep(1.0)
    FORKSERVER.set_forkserver_preload(list(FORKSERVER_PRELOAD))
    workdir = Path(tempfile.mkdtemp(prefix="bench-shape-"))
    try:
        warm_pipeline(urls, hosts, workdir)
        two_process_shape(urls[:60], hosts, f"sqlite:///{workdir / 'warm-shape.db'}")
        print(f"{args.pages} pages, 20 hosts, 2 cores; first run into a new SQLite file")
        print("  floor s | two-process shape s (ratio, stored) | pipeline.run s (ratio, stored)")
        with ProcessPoolExecutor(2, mp_context=FORK) as pool:
            warm(pool, by_url, 2)
            for number in range(args.rounds):
                floor = timed_pool(pool, floor_extract, by_url)
                started = time.perf_counter()
                stored = two_process_shape(urls, hosts, f"sqlite:///{workdir / f's{number}.db'}")
                shape = time.perf_counter() - started
                started = time.perf_counter()
                counts = run_pipeline(urls, hosts, f"sqlite:///{workdir / f'p{number}.db'}")
                real = time.perf_counter() - started
                print(
                    f"  {floor:5.2f}   | {shape:5.2f} ({floor / shape:.2f}x, {stored})"
                    f"              | {real:5.2f} ({floor / real:.2f}x, {counts['new_documents']})"
                )
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()

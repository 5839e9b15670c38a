"""Fetch benchmark: pages per second fetched, extracted and stored, against the floor.

2,000 article pages are served by a local server on 20 loopback addresses (127.0.0.1-20: 20
hosts to the per-host limiter, per-host delay 0). Figures printed side by side, same run:

- floor: trafilatura.bare_extraction alone over the same pages, in a pool of N processes
  (the pipeline cannot beat it: it must at least extract every page);
- fetch + trafilatura + store: the Fetcher in the event loop, the same extraction in the
  pool, Document rows bulk-inserted into SQLite as results arrive (the cost of fetching);
- extract_article alone, and fetch + extract_article + store: the same with ingest's
  extraction and Indonesian cleaning;
- with ``--pipeline``, instead: the floor, ``extract_article`` alone and the real
  ``ingest.pipeline.run`` over 20 ``urls`` sources (fetch, extraction in its process pool,
  batched store with dedup), run twice: all new, then all unchanged (conditional requests).

    .venv/bin/python bench/fetch/bench_fetch.py PATH/articles_flat.jsonl.gz --pages 2000
    .venv/bin/python bench/fetch/bench_fetch.py PATH/articles_flat.jsonl.gz --pipeline

The articles come from IndoSum (CC BY-SA 4.0; see README.md for where to get the file).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import build_pages
from server import serve

from ingest.config import ExtractSettings, FetchSettings
from ingest.errors import IngestError
from ingest.fetch import Fetcher
from ingest.records import Article
from ingest.store import open_store
from ingest.store.models import Document

EXTRACT = ExtractSettings()
Row = dict[str, Any]
Extract = Callable[[bytes, str], Row | None]
FORK = multiprocessing.get_context("fork")


def floor_extract(body: bytes, url: str) -> Row | None:
    """trafilatura alone: text and metadata, no cleaning."""
    import trafilatura

    document = trafilatura.bare_extraction(body.decode("utf-8"), url=url, with_metadata=True)
    text = getattr(document, "text", None)
    if not text:
        return None
    return {"url": url, "outlet": url.split("/")[2], "title": document.title, "text": text}


def ingest_extract(body: bytes, url: str) -> Row | None:
    """ingest's extraction and cleaning; None for a rejected page."""
    from ingest.extract import extract_article

    try:
        article = extract_article(body, url=url, outlet=url.split("/")[2], settings=EXTRACT)
    except IngestError:
        return None
    return {
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "text": article.text,
        "published_at": article.published_at,
        "language": article.language,
    }


def timed_pool(pool: ProcessPoolExecutor, fn: Extract, pages: dict[str, bytes]) -> float:
    """Seconds to run ``fn`` over every page in the pool."""
    started = time.perf_counter()
    list(pool.map(fn, pages.values(), pages.keys(), chunksize=8))
    return time.perf_counter() - started


def _document(row: Row) -> Document:
    return Document(text_sha1=hashlib.sha1(row["text"].encode()).hexdigest(), **row)


async def fetch_extract_store(
    urls: list[str], pool: ProcessPoolExecutor, extract: Extract, db_url: str
) -> dict[str, int]:
    """Fetch every URL in the event loop, extract in the pool, bulk-insert Documents."""
    settings = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0)
    store = open_store(db_url)
    loop = asyncio.get_running_loop()
    batch: list[Row] = []
    counts = {"stored": 0, "rejected": 0, "failed": 0}
    gate = asyncio.Semaphore(4 * settings.max_concurrency)

    def flush() -> None:
        with store.session() as session:
            session.add_all(_document(row) for row in batch)
        counts["stored"] += len(batch)
        batch.clear()

    async def one(fetcher: Fetcher, url: str) -> None:
        async with gate:
            try:
                page = await fetcher.get(url)
            except IngestError:
                counts["failed"] += 1
                return
            row = await loop.run_in_executor(pool, extract, page.body, url)
        if row is None:
            counts["rejected"] += 1
            return
        batch.append(row)
        if len(batch) >= 200:
            flush()

    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(one(fetcher, url) for url in urls))
    flush()
    store.close()
    return counts


async def fetch_only(urls: list[str]) -> float:
    """Seconds to fetch every URL, nothing else."""
    settings = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0)
    started = time.perf_counter()
    async with Fetcher(settings) as fetcher:
        await asyncio.gather(*(fetcher.get(url) for url in urls))
    return time.perf_counter() - started


def run_pipeline(urls: list[str], hosts: list[str], db_url: str) -> dict[str, Any]:
    """The real pipeline over one ``urls`` source per host; its counts."""
    from ingest import pipeline
    from ingest.config import Settings, SourceConfig

    sources = tuple(
        SourceConfig(name=f"h{i}", kind="urls", urls=tuple(u for u in urls if f"//{h}:" in u))
        for i, h in enumerate(hosts)
    )
    fetch = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0)
    summary = pipeline.run(Settings(db_url=db_url, fetch=fetch, sources=sources))
    names = ("fetched", "not_modified", "unchanged", "new_documents", "new_stories")
    counts: dict[str, Any] = {name: summary.total(name) for name in names}
    counts["rejected"] = sum(sum(s.rejected.values()) for s in summary.sources)
    counts["failures"] = dict(summary.failures())
    return counts


def stored_articles(db_url: str) -> list[Article]:
    """The articles a pipeline run stored, in the order it stored them."""
    from sqlalchemy import select

    store = open_store(db_url)
    with store.session() as session:
        rows = session.scalars(select(Document).order_by(Document.id)).all()
        articles = [
            Article(
                url=d.url,
                outlet=d.outlet,
                title=d.title,
                text=d.text,
                source=d.source_name,
                published_at=d.published_at,
                event_date=d.event_date,
                language=d.language,
                dateline=d.dateline,
                credits=tuple(d.credits or ()),
                syndicated_from=d.syndicated_from,
            )
            for d in rows
        ]
    store.close()
    return articles


def store_alone(articles: list[Article], db_url: str) -> float:
    """Seconds to store ``articles`` with dedup, 100 a transaction, nothing else: the serial
    work of the pipeline's writer."""
    from ingest.config import DedupSettings
    from ingest.store.documents import add_articles

    store, settings = open_store(db_url), DedupSettings()
    started = time.perf_counter()
    for start in range(0, len(articles), 100):
        with store.session() as session:
            batch = articles[start : start + 100]
            add_articles(session, batch, dedup_settings=settings, run_id=None)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def fresh_postgres(server_url: str, name: str) -> str:
    """A new empty database ``name`` on the PostgreSQL server of ``server_url``; its URL."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(server_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'drop database if exists "{name}" with (force)'))
        conn.execute(text(f'create database "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_databases(server_url: str, urls: list[str]) -> None:
    """Drop the databases ``fresh_postgres`` made for the rounds."""
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for url in urls:
            name = make_url(url).database
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
    engine.dispose()


def fresh_db_url(args: argparse.Namespace, workdir: Path, number: int) -> str:
    """A new empty SQLite file, or a new database beside the ``--db`` PostgreSQL URL."""
    if not args.db:
        return f"sqlite:///{workdir / f'pipeline-{number}.db'}"
    return fresh_postgres(args.db, f"bench_fetch_{os.getpid()}_{number}")


def measure_pipeline(args: argparse.Namespace, by_url: dict[str, bytes], workdir: Path) -> None:
    """The floor and the real pipeline, first run (everything new) and second run (conditional
    requests, nothing stored), side by side; ``--rounds`` times, floor and first run
    interleaved, so that both see the same load."""
    urls = list(by_url)
    if not args.cold:
        warm_pipeline(urls, args.host_names, workdir)
    rounds = []
    with ProcessPoolExecutor(args.workers, mp_context=FORK) as pool:
        warm(pool, by_url, args.workers)
        ingest_s = timed_pool(pool, ingest_extract, by_url)
        for number in range(args.rounds):
            floor_s = timed_pool(pool, floor_extract, by_url)
            db_url = fresh_db_url(args, workdir, number)
            started = time.perf_counter()
            first = run_pipeline(urls, args.host_names, db_url)
            rounds.append((floor_s, time.perf_counter() - started, db_url, first))
    floor_s, first_s, db_url, first = sorted(rounds, key=lambda r: r[0] / r[1])[len(rounds) // 2]
    started = time.perf_counter()
    second = run_pipeline(urls, args.host_names, db_url)
    second_s = time.perf_counter() - started
    articles = stored_articles(db_url)
    if args.db:
        drop_databases(args.db, [url for _, _, url, _ in rounds])
    store_s = store_alone(articles, f"sqlite:///{workdir / 'store-alone.db'}")
    n, floor = args.pages, args.pages / floor_s
    print(f"{n} pages, {args.hosts} hosts, {args.workers} extraction processes; ratio to the floor")
    if len(rounds) > 1:
        print(
            "  rounds (floor s, first run s, ratio): "
            + ", ".join(f"({f:.2f}, {p:.2f}, {f / p:.2f}x)" for f, p, _, _ in rounds)
        )
        print("  the round with the median ratio:")
    report("floor: trafilatura alone", n, floor_s, floor)
    report("extract_article alone", n, ingest_s, floor)
    report("ingest.pipeline.run, first run", n, first_s, floor)
    report("ingest.pipeline.run, second run", n, second_s, floor)
    report("store + dedup alone (SQLite)", len(articles), store_s, floor)
    for label, counts in (("first", first), ("second", second)):
        print(f"  {label} run: {counts}")


def warm_pipeline(urls: list[str], hosts: list[str], workdir: Path) -> None:
    """One untimed pipeline run over a few pages into a scratch store, as the floor's pool is
    warmed before it is timed: modules imported, dedup kernels loaded, the worker processes'
    fork server started with its modules."""
    sample = urls[: 3 * len(hosts)]
    run_pipeline(sample, hosts, f"sqlite:///{workdir / 'warm.db'}")


def warm(pool: ProcessPoolExecutor, pages: dict[str, bytes], workers: int) -> None:
    """Import the extractors in every worker before timing."""
    sample = dict(list(pages.items())[: workers * 2])
    for fn in (floor_extract, ingest_extract):
        list(pool.map(fn, sample.values(), sample.keys()))


def report(label: str, count: int, seconds: float, floor: float) -> None:
    """One line: pages, seconds, pages per second and the ratio to ``floor`` (pages/s)."""
    rate = count / seconds
    print(f"{label:<34}{count:>6} pages{seconds:>8.2f} s{rate:>8.1f} pages/s{rate / floor:>6.2f}x")


def measure(args: argparse.Namespace, by_url: dict[str, bytes], workdir: Path) -> None:
    """Run every measurement and print the table."""
    urls = list(by_url)
    fetch_s = asyncio.run(fetch_only(urls))
    runs: dict[str, tuple[float, dict[str, int]]] = {}
    with ProcessPoolExecutor(args.workers, mp_context=FORK) as pool:
        warm(pool, by_url, args.workers)
        floor_s = timed_pool(pool, floor_extract, by_url)
        ingest_s = timed_pool(pool, ingest_extract, by_url)
        for name, extract in (("trafilatura", floor_extract), ("extract_article", ingest_extract)):
            started = time.perf_counter()
            db_url = f"sqlite:///{workdir / (name + '.db')}"
            counts = asyncio.run(fetch_extract_store(urls, pool, extract, db_url))
            runs[name] = (time.perf_counter() - started, counts)
    n, floor = args.pages, args.pages / floor_s
    print(f"{n} pages, {args.hosts} hosts, {args.workers} extraction processes; ratio to the floor")
    report("fetch only (no extraction)", n, fetch_s, floor)
    report("floor: trafilatura alone", n, floor_s, floor)
    report("fetch + trafilatura + store", n, runs["trafilatura"][0], floor)
    report("extract_article alone", n, ingest_s, floor)
    report("fetch + extract_article + store", n, runs["extract_article"][0], floor)
    report("  same, ratio to extract_article", n, runs["extract_article"][0], n / ingest_s)
    for name, (_, counts) in runs.items():
        print(f"  {name} outcome: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("articles", type=Path, help="IndoSum articles_flat.jsonl.gz")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="measure ingest.pipeline.run (twice: new, then unchanged) against the floor",
    )
    parser.add_argument(
        "--db",
        help="a PostgreSQL URL for --pipeline: each round gets a new database on that server "
        "(default: a new SQLite file)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="--pipeline: floor/run pairs")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="--pipeline: no untimed warm-up run first (imports and process start-up timed)",
    )
    args = parser.parse_args()
    args.host_names = [f"127.0.0.{i + 1}" for i in range(args.hosts)]
    pages = build_pages(args.articles, args.pages, args.host_names, args.port)
    by_url = {f"http://{h}:{args.port}{p}": body for (h, p), body in pages.items()}
    server = FORK.Process(target=serve, args=(pages, args.host_names, args.port), daemon=True)
    server.start()
    time.sleep(1.0)
    try:
        workdir = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
        (measure_pipeline if args.pipeline else measure)(args, by_url, workdir)
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()

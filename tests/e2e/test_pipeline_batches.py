"""The pipeline at the size where it extracts in processes and stores in batches: a local server
with more pages than ``PROCESS_POOL_MIN_PAGES``, real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from ingest import page_workers, pipeline
from ingest import pool as pool_module
from ingest.config import FetchSettings, Settings, SourceConfig
from ingest.fetch import Fetcher
from ingest.page import PageJob, PageResult
from ingest.pool import PROCESS_POOL_MIN_PAGES, PagePool
from ingest.records import Candidate
from ingest.store import Store, open_store
from ingest.store.models import Document, FetchState, StoryMember
from ingest.store.writer import BatchWriter
from tests.e2e.conftest import REPO

SEEDS = REPO / "demo" / "seeds.jsonl"
ARTICLES = pipeline.PROCESS_POOL_MIN_PAGES + 5
LISTINGS = ("/tag/pilkada", "/indeks")


def _sentences() -> list[str]:
    texts = [json.loads(line)["text"] for line in SEEDS.read_text().splitlines()]
    found = (s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t))
    return [s for s in found if len(s.split()) >= 8]


def _page(number: int, sentences: list[str]) -> bytes:
    """An article page of sentences drawn from the seed texts, fixed by ``number``."""
    picked = random.Random(number).sample(sentences, 8)
    title = f"Laporan Daerah Nomor {number} dari Kutai Kartanegara Hari Ini"
    body = "".join(f"<p>{s}</p>" for s in picked)
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _serve(server: HTTPServer, path: str, body: bytes) -> None:
    etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Content-Type": "text/html; charset=utf-8"})

    server.expect_request(path).respond_with_handler(handler)


@pytest.fixture
def site(httpserver: HTTPServer) -> list[str]:
    """Article pages and listing pages with ETags; the URLs of all of them."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    sentences = _sentences()
    paths = [f"/berita/{n:03d}.html" for n in range(ARTICLES)]
    for number, path in enumerate(paths):
        _serve(httpserver, path, _page(number, sentences))
    for path in LISTINGS:
        _serve(httpserver, path, _page(999, sentences))
    return [httpserver.url_for(p) for p in (*paths, *LISTINGS)]


def _settings(db_url: str, urls: list[str], tmp_path: Path) -> Settings:
    fetch = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0)
    source = SourceConfig(name="local", kind="urls", urls=tuple(urls))
    return Settings(db_url=db_url, fetch=fetch, sources=(source,), config_dir=tmp_path)


def test_large_run_stores_each_page_once_and_second_run_is_conditional(
    db_url: str, site: list[str], tmp_path: Path
) -> None:
    settings = _settings(db_url, site, tmp_path)
    first = pipeline.run(settings).sources[0]
    assert first.error is None
    assert first.fetched == len(site)
    assert first.new_documents == ARTICLES
    assert sum(first.rejected.values()) == len(LISTINGS)  # rejected in worker processes
    assert first.new_stories + first.copies + first.same_story == ARTICLES
    outcomes = {"fetched": ARTICLES} | {f"rejected:{r}": n for r, n in first.rejected.items()}
    assert _outcomes(db_url, site) == outcomes  # each rejected page's state says why
    second = pipeline.run(settings).sources[0]
    assert second.not_modified == len(site)
    assert (second.fetched, second.new_documents) == (0, 0)
    with open_store(db_url) as store, store.session() as session:
        documents = session.scalar(select(func.count()).select_from(Document))
        members = session.scalar(select(func.count()).select_from(StoryMember))
        states = session.scalar(select(func.count()).select_from(FetchState))
    assert documents == members == ARTICLES
    assert states == len(site)
    assert _outcomes(db_url, site) == outcomes  # a 304 keeps what the page became


def _outcomes(db_url: str, urls: list[str]) -> dict[str, int]:
    """How many of ``urls`` have each outcome in their fetch state."""
    query = select(FetchState.outcome, func.count()).where(FetchState.url.in_(urls))
    with open_store(db_url) as store, store.session() as session:
        rows = session.execute(query.group_by(FetchState.outcome)).all()
    return {outcome: count for outcome, count in rows}


def test_each_host_is_fetched_by_one_process_of_the_large_run(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Two hosts (one server, reached as 127.0.0.1 and as localhost), two page worker
    processes: each host's robots.txt is asked for once, so each host's requests (and its
    limits) stayed in one process, and every page of both is stored."""
    robots: dict[str, int] = {}

    def robots_txt(request: Request) -> Response:
        host = request.host.split(":")[0]
        robots[host] = robots.get(host, 0) + 1
        return Response("", status=404)

    httpserver.expect_request("/robots.txt").respond_with_handler(robots_txt)
    sentences = _sentences()
    paths = [f"/berita/{n:03d}.html" for n in range(ARTICLES)]
    for number, path in enumerate(paths):
        _serve(httpserver, path, _page(number, sentences))
    urls = [
        f"http://{host}:{httpserver.port}{path}"
        for number, path in enumerate(paths)
        for host in (("127.0.0.1", "localhost")[number % 2],)
    ]
    settings = _settings(f"sqlite:///{tmp_path / 'hosts.db'}", urls, tmp_path)
    fetch = settings.fetch.model_copy(update={"allow_private": ("127.0.0.0/8", "localhost")})
    summary = pipeline.run(settings.model_copy(update={"fetch": fetch})).sources[0]
    assert summary.new_documents == ARTICLES
    assert robots == {"127.0.0.1": 1, "localhost": 1}


def test_sources_small_alone_but_large_together_go_to_page_workers(
    site: list[str], tmp_path: Path
) -> None:
    """A small run keeps its pages (and discovery) in its own process; from the source that
    makes it large, pages and discovery fetches go to the page workers, which store with the
    run's writer under one lock."""
    settings = _settings(f"sqlite:///{tmp_path / 'pool.db'}", site, tmp_path)
    host = site[0].split("/")[2].split(":")[0]

    async def scenario(store: Store) -> tuple[list[PageResult], bool, bool, bool]:
        writer = BatchWriter(store, dedup_settings=settings.dedup, run_id=None)
        async with Fetcher(settings.fetch) as fetcher, writer:
            pool = PagePool(settings, store, fetcher, writer, run_id=None)
            try:
                half = PROCESS_POOL_MIN_PAGES // 2
                small = pool.place(half)
                first = await small(_job(site[0], settings))
                fetched_here = host in fetcher.host_times()
                assert not pool.in_processes and writer.lock is None
                large = pool.place(half)
                assert pool.in_processes and writer.lock is not None
                before = fetcher.host_times()[host]
                results = [first, *[await large(_job(url, settings)) for url in site[1:4]]]
                await pool.get(site[4])  # discovery, through the host's worker
                untouched = fetcher.host_times()[host] == before
                return results, fetched_here, untouched, pool.place(1) == large
            finally:
                await pool.close()

    with open_store(settings.db_url) as store:
        results, fetched_here, untouched, same = asyncio.run(scenario(store))
        with store.session() as session:
            documents = session.scalar(select(func.count()).select_from(Document))
    assert fetched_here and untouched and same
    assert all(r.fetched and r.stored is not None and r.stored.created for r in results)
    assert documents == 4


def _job(url: str, settings: Settings) -> PageJob:
    candidate = Candidate(url=url, source="local", outlet="local")
    return PageJob(
        candidate=candidate, url=url, outlet="local", source="local", settings=settings.extract
    )


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A server answering requests in parallel, as a real site does."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.mark.parametrize(
    ("backlog", "queued", "expected"), [(2, 1024, 2), (256, 1024, 8), (256, 3, 3)]
)
def test_fetching_waits_for_extraction_beyond_the_backlog(
    threaded_server: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backlog: int,
    queued: int,
    expected: int,
) -> None:
    """With a backlog of 2, never more than 2 pages are being fetched or waiting to be
    extracted, though the host takes 8 requests at once (as it does with the default); with
    3 pages at most sent to a page worker and not done, never more than 3."""
    httpserver = threaded_server
    monkeypatch.setattr(pool_module, "BACKLOG", backlog)
    monkeypatch.setattr(page_workers, "QUEUED_PAGES", queued)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    sentences = _sentences()
    lock, in_flight, most = threading.Lock(), [0], [0]

    def handler(request: Request) -> Response:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1
        number = int(request.path.rsplit("/", 1)[1].split(".")[0])
        body = _page(number, sentences)
        return Response(body, headers={"Content-Type": "text/html; charset=utf-8"})

    paths = [f"/berita/{n:03d}.html" for n in range(ARTICLES)]
    for path in paths:
        httpserver.expect_request(path).respond_with_handler(handler)
    fetch = FetchSettings(allow_private=("127.0.0.0/8",), per_host_delay=0, per_host_concurrency=8)
    source = SourceConfig(name="local", kind="urls", urls=tuple(map(httpserver.url_for, paths)))
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'backlog.db'}",
        fetch=fetch,
        sources=(source,),
        config_dir=tmp_path,
    )
    summary = pipeline.run(settings).sources[0]
    assert summary.new_documents == ARTICLES
    assert most[0] == expected


def test_an_in_memory_store_keeps_every_page_in_this_process(tmp_path: Path) -> None:
    """Another process could not open an in-memory SQLite database: no page workers."""
    settings = Settings(db_url="sqlite://", config_dir=tmp_path)

    async def scenario(store: Store) -> bool:
        writer = BatchWriter(store, dedup_settings=settings.dedup, run_id=None)
        async with Fetcher(settings.fetch) as fetcher, writer:
            pool = PagePool(settings, store, fetcher, writer, run_id=None)
            pool.place(PROCESS_POOL_MIN_PAGES * 10)
            await pool.close()
            return pool.in_processes

    with open_store("sqlite://") as memory:
        assert not asyncio.run(scenario(memory))

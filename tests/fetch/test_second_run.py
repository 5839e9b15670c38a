"""A second run against unchanged servers sends conditional requests and extracts nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingest.config import FetchSettings, SourceConfig
from ingest.fetch import Fetcher
from ingest.sources import discover
from ingest.store import Store
from ingest.store.health import get_fetch_state, save_fetch_state

pytestmark = pytest.mark.asyncio


@dataclass
class Counts:
    requests: int = 0
    not_modified: int = 0


def serve_with_etags(server: HTTPServer, pages: dict[str, str], counts: Counts) -> None:
    def handler(request: Request) -> Response:
        counts.requests += 1
        body = pages[request.path]
        etag = '"' + hashlib.sha1(body.encode()).hexdigest()[:12] + '"'
        if request.headers.get("If-None-Match") == etag:
            counts.not_modified += 1
            return Response(status=304, headers={"ETag": etag})
        kind = "application/rss+xml" if request.path == "/feed" else "text/html"
        return Response(body, content_type=kind, headers={"ETag": etag})

    for path in pages:
        server.expect_request(path).respond_with_handler(handler)


async def run_once(store: Store, settings: FetchSettings, source: SourceConfig) -> int:
    """Discover, fetch with stored validators, 'extract' changed pages; returns extractions."""
    extracted = 0
    async with Fetcher(settings) as fetcher:
        for candidate in (await discover(source, fetcher)).candidates:
            with store.session() as session:
                state = get_fetch_state(session, candidate.url)
                etag = state.etag if state else None
            page = await fetcher.get(candidate.url, etag=etag)
            if not page.not_modified:
                extracted += 1
            with store.session() as session:
                outcome = "not_modified" if page.not_modified else "stored"
                save_fetch_state(
                    session, page, source=source.name, outcome=outcome, document_id=None
                )
    return extracted


async def test_second_run_is_all_304(
    site: HTTPServer, settings: FetchSettings, store: Store
) -> None:
    items = "".join(
        f"<item><link>{site.url_for(f'/berita/{i}')}</link><guid>g{i}</guid></item>"
        for i in range(3)
    )
    pages = {"/feed": f"<rss version='2.0'><channel><title>K</title>{items}</channel></rss>"}
    pages.update({f"/berita/{i}": f"<html><body><p>Berita {i}</p></body></html>" for i in range(3)})
    counts = Counts()
    serve_with_etags(site, pages, counts)
    source = SourceConfig(name="kukar", kind="rss", url=site.url_for("/feed"))

    assert await run_once(store, settings, source) == 3
    assert (counts.requests, counts.not_modified) == (4, 0)

    assert await run_once(store, settings, source) == 0
    assert counts.requests == 8
    assert counts.not_modified == 3  # every article page answered 304
    with store.session() as session:
        state = get_fetch_state(session, site.url_for("/berita/1"))
        assert state is not None and state.outcome == "not_modified" and state.etag
        assert state.content_sha1 == hashlib.sha1(pages["/berita/1"].encode()).hexdigest()

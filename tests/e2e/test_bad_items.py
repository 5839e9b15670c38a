"""A faulty web: each kind of bad item served beside good ones, through the real ``ingest run``
on SQLite and PostgreSQL. The good items are stored, each bad one is rejected or fails alone
and is counted, the run and its exit status say failed only for the source that yielded
nothing, and running again neither loses nor duplicates anything."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingTCPServer

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from ingest.store import open_store
from ingest.store.models import Run
from tests.e2e.conftest import REPO, Cli

#: Enough good pages in the sitemap to make the run large: its pages, and the discovery
#: fetches after it, go through the page worker processes.
FILLERS = 45
SEEDS = REPO / "demo" / "seeds.jsonl"
RawServer = Callable[[bytes], AbstractContextManager[tuple[str, ThreadingTCPServer]]]


def seed_sentences() -> list[str]:
    texts = [json.loads(line)["text"] for line in SEEDS.read_text().splitlines()]
    found = (s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t))
    return [s for s in found if len(s.split()) >= 8]


def article_page(number: int, sentences: list[str], head: str = "") -> str:
    """An article page of its own sentences (fixed by ``number``), ``head`` in its <head>."""
    picked = random.Random(number).sample(sentences, 8)
    title = f"Laporan Daerah Nomor {number} dari Kutai Kartanegara"
    body = "".join(f"<p>{s} (laporan {number}.{i})</p>" for i, s in enumerate(picked))
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@dataclass(frozen=True)
class Web:
    base: str
    good: list[str]
    """The URLs that must be stored."""


def _rss(items: list[tuple[str, str | None]]) -> str:
    entries = "".join(
        f"<item><title>Berita</title><link>{link.replace('&', '&amp;')}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for link, date in items
    )
    return f"<rss version='2.0'><channel><title>K</title>{entries}</channel></rss>"


def _urlset(locs: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>" for loc, mod in locs)
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><urlset xmlns="{xmlns}">{entries}</urlset>'.encode()


#: A redirect to a URL with a backslash in its authority, sent as it is (the test server would
#: percent-encode it).
REDIRECT = (
    b"HTTP/1.1 302 Found\r\nLocation: http://kukar.example\\@evil.example/\r\n"
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)


@pytest.fixture
def web(httpserver: HTTPServer, raw_server: RawServer) -> Iterator[Web]:
    with raw_server(REDIRECT) as (redirecting, _):
        yield _serve(httpserver, f"{redirecting}/berita/pindah")


def _serve(server: HTTPServer, redirect: str) -> Web:
    base = server.url_for("").rstrip("/")
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    sentences = seed_sentences()
    heads = {
        1: "",
        2: "",  # linked relatively from the feed
        3: '<meta property="article:published_time" content="9999-12-31T23:00:00-08:00">',
        4: '<meta property="article:published_time" content="0001-01-01T00:00:00+08:00">',
        5: '<link rel="canonical" href="http://[::1/x">',
        6: '<meta property="og:url" content="http://[::1/x">',
        7: "",
        8: "",
    }
    fillers = {100 + n: "" for n in range(FILLERS)}
    for number, head in {**heads, **fillers}.items():
        server.expect_request(f"/berita/{number}").respond_with_data(
            article_page(number, sentences, head), content_type="text/html; charset=utf-8"
        )
    # Articles that declare a canonical address with other content: their section (a CMS
    # that points every article there) or another article.
    declaring = {
        "/daerah/kukar/rakor-lintas-sektoral": "/daerah/kukar/",
        "/daerah/kukar/rapat-bawaslu-kukar": "/daerah/kukar/",
        "/daerah/kukar/pjs-bupati-buka-rakor": f"{base}/daerah/kukar",
        "/berita/kesbangpol-koordinasi": "/berita/rakor-terbaru",
        "/berita/rakor-terbaru": "/berita/rakor-terbaru",
    }
    for number, (path, canonical) in enumerate(declaring.items(), start=200):
        server.expect_request(path).respond_with_data(
            article_page(number, sentences, f'<link rel="canonical" href="{canonical}">'),
            content_type="text/html; charset=utf-8",
        )
    feed = _rss(
        [
            (f"{base}/berita/1", None),
            ("/berita/2", None),
            (f"{base}\\@evil.example/berita/x", None),  # backslash in the authority
            ("http://[::1/berita/y", None),  # unclosed IPv6 bracket
            (redirect, None),  # redirects to a backslash URL
            (f"{base}/berita/3", None),
            (f"{base}/berita/4", None),
            (f"{base}/berita/5", None),
            (f"{base}/berita/6", "Fri, 31 Dec 9999 23:00:00 -0800"),
            *((f"{base}{path}", None) for path in declaring),
        ]
    )
    server.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    sitemap = _urlset(
        [
            (f"{base}/berita/7", "2024-11-09T10:00:00+08:00"),
            ("http://[::1/berita/z", "2024-11-09"),
            (f"{base}/berita/8", "0001-01-01T00:00:00+08:00"),
            *((f"{base}/berita/{100 + n}", "2024-11-09") for n in range(FILLERS)),
        ]
    )
    server.expect_request("/sitemap.xml.gz").respond_with_data(
        gzip.compress(sitemap),
        content_type="application/x-gzip",  # no Content-Encoding
    )
    server.expect_request("/kosong").respond_with_data(b"", content_type="application/rss+xml")
    good = [f"{base}/berita/{n}" for n in [*heads, *fillers]] + [f"{base}{p}" for p in declaring]
    return Web(base, good)


@pytest.fixture
def faulty(db_url: str, tmp_path: Path, web: Web) -> Cli:
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text(
        '[fetch]\nallow_private = ["127.0.0.1"]\nper_host_delay = 0\nretries = 0\n'
    )
    (config / "sources.toml").write_text(
        f'[[sources]]\nname = "feed"\nkind = "rss"\nurl = "{web.base}/feed"\n\n'
        f'[[sources]]\nname = "map"\nkind = "sitemap"\nurl = "{web.base}/sitemap.xml.gz"\n\n'
        f'[[sources]]\nname = "kosong"\nkind = "rss"\nurl = "{web.base}/kosong"\n'
    )
    return Cli(db_url=db_url, config=config, cwd=tmp_path)


def _last_run(db_url: str) -> Run:
    with open_store(db_url) as store, store.read_session() as session:
        run = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).one()
        session.expunge(run)
        return run


@pytest.mark.slow
def test_bad_items_cost_only_themselves(faulty: Cli, db_url: str, web: Web) -> None:
    first = faulty("run")
    assert first.code == 1, first.stderr  # the empty feed failed: the run says so
    assert "Traceback" not in first.stderr
    assert "kosong: source 'kosong': not an RSS or Atom feed" in first.stdout
    run = _last_run(db_url)
    assert run.status == "failed"
    by_source = {s["source"]: s for s in run.summary["sources"]}
    assert by_source["feed"]["rejected"] == {"bad_url": 2}
    assert by_source["feed"]["failures"] == {"bad_url": 1}  # the redirect
    assert by_source["feed"]["error"] is None
    assert by_source["map"]["rejected"] == {"bad_url": 1}
    assert by_source["map"]["error"] is None
    assert by_source["kosong"]["error_class"] == "parse"
    documents = faulty("documents", "--format", "jsonl").jsonl()
    assert sorted(d["url"] for d in documents) == sorted(web.good)
    dated = {d["url"]: d["published_at"] for d in documents}
    for number in (3, 4, 6, 8):  # their impossible dates were not taken (a stamp in the text is)
        published = dated[f"{web.base}/berita/{number}"]
        assert published is None or published.startswith("20"), published
    stories = faulty("stories", "--format", "jsonl").jsonl()

    again = faulty("run")
    assert again.code == 1 and "Traceback" not in again.stderr
    assert faulty("documents", "--format", "jsonl").jsonl() == documents
    assert faulty("stories", "--format", "jsonl").jsonl() == stories

    healthy = faulty("run", "--source", "feed", "--source", "map")
    assert healthy.code == 0, healthy.stderr
    assert _last_run(db_url).status == "completed"
    assert len(faulty("documents", "--format", "jsonl").jsonl()) == len(web.good)

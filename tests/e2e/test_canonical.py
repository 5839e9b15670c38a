"""Pages that declare a canonical address with other content keep their own: a CMS that
points every article at a section, or several articles at one, no longer has its articles
stored as one and the rest counted unchanged. Through the run's pipeline, on SQLite and
PostgreSQL, run twice."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from ingest import pipeline
from ingest.config import FetchSettings, Settings, SourceConfig
from ingest.store import open_store
from ingest.store.models import Document
from tests.e2e.test_bad_items import article_page, seed_sentences

DECLARING = {
    # a section elsewhere on the site
    "/berita/1": "/kategori/daerah",
    "/berita/2": "/kategori/daerah",
    "/berita/3": "/kategori/daerah",
    # one article by number, declared by two others (not told apart by their addresses)
    "/berita/4": "/berita/99",
    "/berita/6": "/berita/99",
    # an AMP view of an article and the article: the same page
    "/amp/berita/7": "/berita/7",
    "/berita/7": "/berita/7",
}


def _documents(db_url: str) -> dict[str, str]:
    with open_store(db_url) as store, store.read_session() as session:
        return dict(session.execute(select(Document.url, Document.text)).tuples().all())


def test_canonical_address_with_other_content_is_not_the_pages_identity(
    httpserver: HTTPServer, db_url: str, tmp_path: Path
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    sentences = seed_sentences()
    for path, canonical in DECLARING.items():
        number = 7 if path.endswith("/7") else int(path.rsplit("/", 1)[1])
        html = article_page(number, sentences, f'<link rel="canonical" href="{canonical}">')
        httpserver.expect_request(path).respond_with_data(html, content_type="text/html")
    base = httpserver.url_for("").rstrip("/")
    source = SourceConfig(name="cms", kind="urls", urls=tuple(base + p for p in DECLARING))
    fetch = FetchSettings(allow_private=("127.0.0.0/8", "localhost"), per_host_delay=0)
    settings = Settings(db_url=db_url, fetch=fetch, sources=(source,), config_dir=tmp_path)

    first = pipeline.run(settings).sources[0]
    stored = _documents(db_url)
    assert first.new_documents == len(stored) == 6  # seven pages, the AMP view not again
    assert len(set(stored.values())) == 6
    own = {base + p for p in ("/berita/1", "/berita/2", "/berita/3", "/berita/7")}
    assert own <= set(stored)
    assert f"{base}/kategori/daerah" not in stored
    assert f"{base}/amp/berita/7" not in stored
    assert len({f"{base}/berita/4", f"{base}/berita/6"} & set(stored)) == 1  # one took /99

    second = pipeline.run(settings).sources[0]
    assert second.new_documents == 0
    assert _documents(db_url) == stored

"""RSS/Atom feeds and sitemaps served by a real local server."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from ingest.config import FetchSettings, SourceConfig
from ingest.errors import HTTPStatusError, SourceError
from ingest.fetch import Fetcher
from ingest.records import Candidate
from ingest.sources import discover

pytestmark = pytest.mark.asyncio


async def run(source: SourceConfig, settings: FetchSettings, **kw: object) -> list[Candidate]:
    async with Fetcher(settings) as fetcher:
        return (await discover(source, fetcher, **kw)).candidates  # type: ignore[arg-type]


def rss2(base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Kukar</title>
<item><title>Rapat Bawaslu</title>
<link>{base}/berita/rapat?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="false">kukar-101</guid><pubDate>Sat, 09 Nov 2024 10:00:00 +0800</pubDate></item>
<item><title>Rakor Pilkada</title><link>{base}/berita/rakor#komentar</link>
<guid>kukar-102</guid><pubDate>Tue, 03 Sep 2024 09:00:00 +0800</pubDate></item>
<item><title>Tanpa tanggal</title><link>{base}/berita/lain</link></item>
</channel></rss>"""


async def test_rss2_entries_with_guid_dates_and_clean_urls(
    site: HTTPServer, settings: FetchSettings
) -> None:
    base = site.url_for("").rstrip("/")
    site.expect_request("/feed").respond_with_data(rss2(base), content_type="application/rss+xml")
    source = SourceConfig(name="kukar", kind="rss", url=site.url_for("/feed"), outlet="kukarkab")
    found = await run(source, settings)
    assert [c.url for c in found] == [
        f"{base}/berita/rapat",
        f"{base}/berita/rakor",
        f"{base}/berita/lain",
    ]
    first = found[0]
    assert (first.guid, first.title, first.outlet, first.source) == (
        "kukar-101",
        "Rapat Bawaslu",
        "kukarkab",
        "kukar",
    )
    assert first.published_at == datetime(2024, 11, 9, 2, 0, tzinfo=UTC)


async def test_since_drops_older_entries_keeps_undated(
    site: HTTPServer, settings: FetchSettings
) -> None:
    base = site.url_for("").rstrip("/")
    site.expect_request("/feed").respond_with_data(rss2(base), content_type="text/xml")
    source = SourceConfig(name="kukar", kind="rss", url=site.url_for("/feed"))
    found = await run(source, settings, since=datetime(2024, 10, 1, tzinfo=UTC))
    assert [c.url.rsplit("/", 1)[1] for c in found] == ["rapat", "lain"]


async def test_atom_and_rss1(site: HTTPServer, settings: FetchSettings) -> None:
    base = site.url_for("").rstrip("/")
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2024-11-18T19:15:00+07:00</updated>
<entry><title>Rakor</title><id>tag:eksposisi,2024:1</id><link href="{base}/2024/11/rakor"/>
<updated>2024-11-18T19:15:00+07:00</updated></entry></feed>"""
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{base}/"><title>R</title><link>{base}/</link></channel>
<item rdf:about="{base}/satu"><title>Satu</title><link>{base}/satu</link>
<dc:date>2020-11-20T08:00:00+08:00</dc:date></item>
</rdf:RDF>"""
    site.expect_request("/atom").respond_with_data(atom, content_type="application/atom+xml")
    site.expect_request("/rdf").respond_with_data(rdf, content_type="application/rdf+xml")
    (entry,) = await run(SourceConfig(name="a", kind="rss", url=site.url_for("/atom")), settings)
    assert entry.url == f"{base}/2024/11/rakor" and entry.guid == "tag:eksposisi,2024:1"
    assert entry.published_at == datetime(2024, 11, 18, 12, 15, tzinfo=UTC)
    (item,) = await run(SourceConfig(name="r", kind="rss", url=site.url_for("/rdf")), settings)
    assert item.url == f"{base}/satu" and item.published_at == datetime(2020, 11, 20, tzinfo=UTC)


async def test_malformed_feed_is_a_source_error(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/feed").respond_with_data(
        "<rss><channel><item><link>oops", content_type="text/xml"
    )
    with pytest.raises(SourceError, match="malformed feed"):
        await run(SourceConfig(name="x", kind="rss", url=site.url_for("/feed")), settings)


async def test_feed_url_failure_is_a_fetch_error(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/feed").respond_with_data("", status=404)
    with pytest.raises(HTTPStatusError):
        await run(SourceConfig(name="x", kind="rss", url=site.url_for("/feed")), settings)


URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{}</urlset>"""


def url_entry(loc: str, lastmod: str | None = None, news_date: str | None = None) -> str:
    parts = [f"<loc>{loc}</loc>"]
    if lastmod:
        parts.append(f"<lastmod>{lastmod}</lastmod>")
    if news_date:
        parts.append(
            "<news:news><news:publication><news:name>K</news:name><news:language>id</news:language>"
            f"</news:publication><news:publication_date>{news_date}</news:publication_date>"
            "<news:title>Rapat Bawaslu</news:title></news:news>"
        )
    return "<url>" + "".join(parts) + "</url>"


async def test_sitemap_index_gzip_news_and_lastmod(
    site: HTTPServer, settings: FetchSettings
) -> None:
    base = site.url_for("").rstrip("/")
    index = f"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sm-news.xml</loc><lastmod>2024-11-10</lastmod></sitemap>
<sitemap><loc>{base}/sm-2024.xml.gz</loc></sitemap>
<sitemap><loc>{base}/sm-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
<sitemap><loc>{base}/sm-broken.xml</loc></sitemap></sitemapindex>"""
    news = URLSET.format(
        url_entry(f"{base}/berita/rapat?fbclid=x", news_date="2024-11-09T10:00:00+08:00")
    )
    archive = URLSET.format(
        url_entry(f"{base}/berita/rakor", lastmod="2024-09-03")
        + url_entry(f"{base}/berita/lama", lastmod="2020-11-20T08:00:00Z")
    )
    site.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    site.expect_request("/sm-news.xml").respond_with_data(news, content_type="application/xml")
    site.expect_request("/sm-2024.xml.gz").respond_with_data(
        gzip.compress(archive.encode()), content_type="application/x-gzip"
    )
    site.expect_request("/sm-broken.xml").respond_with_data(
        "<urlset><url>", content_type="text/xml"
    )
    source = SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.xml"))
    found = await run(source, settings, since=datetime(2024, 1, 1, tzinfo=UTC))
    assert [c.url for c in found] == [f"{base}/berita/rapat", f"{base}/berita/rakor"]
    assert found[0].title == "Rapat Bawaslu"
    assert found[0].published_at == datetime(2024, 11, 9, 2, 0, tzinfo=UTC)
    assert not any(r.path == "/sm-2019.xml" for r, _ in site.log)  # skipped by lastmod


async def test_malformed_sitemap_is_a_source_error(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/sitemap.xml").respond_with_data(
        "<urlset><url><loc>x", content_type="text/xml"
    )
    with pytest.raises(SourceError, match="malformed sitemap"):
        await run(
            SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.xml")), settings
        )


async def test_sitemap_xxe_is_not_resolved(
    site: HTTPServer, settings: FetchSettings, tmp_path: object
) -> None:
    evil = """<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://127.0.0.1/&x;</loc></url></urlset>"""
    site.expect_request("/sitemap.xml").respond_with_data(evil, content_type="text/xml")
    source = SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.xml"))
    found = await run(source, settings)
    with open("/etc/hostname") as handle:
        hostname = handle.read().strip()
    assert all(hostname not in c.url for c in found)


async def test_plain_text_sitemap(site: HTTPServer, settings: FetchSettings) -> None:
    base = site.url_for("").rstrip("/")
    text = f"{base}/berita/a?utm_source=x\n\n{base}/berita/b\n"
    site.expect_request("/sitemap.txt").respond_with_data(text, content_type="text/plain")
    source = SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.txt"))
    found = await run(source, settings)
    assert [c.url for c in found] == [f"{base}/berita/a", f"{base}/berita/b"]


async def test_html_page_is_not_a_sitemap(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/sitemap.xml").respond_with_data(
        "<html><body>Not found</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceError):
        await run(
            SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.xml")), settings
        )

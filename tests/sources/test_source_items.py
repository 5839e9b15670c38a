"""One bad item in a feed, sitemap or URL list is rejected alone, with its reason; the source's
good items are kept, and the source fails only when it yields nothing. Served by a real local
server."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from ingest.config import FetchSettings, SourceConfig
from ingest.errors import SourceError, TooLarge, UnsupportedContent
from ingest.fetch import Fetcher
from ingest.records import Discovery
from ingest.sources import discover

pytestmark = pytest.mark.asyncio

BAD_URLS = ["http://kukar.example\\@evil.example/", "http://[::1/berita", "ftp://kukar.example/a"]


async def run(source: SourceConfig, settings: FetchSettings, **kw: object) -> Discovery:
    async with Fetcher(settings) as fetcher:
        return await discover(source, fetcher, **kw)  # type: ignore[arg-type]


def item(link: str, date: str | None = None) -> str:
    stamp = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>T</title><link>{link}</link>{stamp}</item>"


def rss(*items: str) -> str:
    return f"<rss version='2.0'><channel><title>K</title>{''.join(items)}</channel></rss>"


async def test_feed_keeps_good_entries_and_rejects_bad_links(
    site: HTTPServer, settings: FetchSettings
) -> None:
    base = site.url_for("").rstrip("/")
    feed = rss(
        item(f"{base}/berita/1"),
        *(item(url.replace("&", "&amp;")) for url in BAD_URLS),
        item("/berita/relatif"),  # resolved against the feed's URL
        item(f"{base}/berita/tahun-1", "Mon, 01 Jan 0001 00:00:00 +0800"),
        item(f"{base}/berita/tahun-9999", "Fri, 31 Dec 9999 23:00:00 -0800"),
    )
    site.expect_request("/rss/feed").respond_with_data(feed, content_type="application/rss+xml")
    source = SourceConfig(name="k", kind="rss", url=site.url_for("/rss/feed"))
    found = await run(source, settings)
    assert [c.url for c in found.candidates] == [
        f"{base}/berita/1",
        f"{base}/berita/relatif",
        f"{base}/berita/tahun-1",
        f"{base}/berita/tahun-9999",
    ]
    assert found.candidates[-1].published_at is None  # a date UTC cannot hold: undated
    assert [r.reason for r in found.rejected] == ["bad_url"] * 3
    assert "backslash" in found.rejected[0].message
    assert "IPv6" in found.rejected[1].message
    assert "not an http(s) URL" in found.rejected[2].message


async def test_source_whose_every_item_is_rejected_fails(
    site: HTTPServer, settings: FetchSettings
) -> None:
    site.expect_request("/feed").respond_with_data(rss(item(BAD_URLS[0])), content_type="text/xml")
    with pytest.raises(SourceError, match=r"all 1 items rejected.*backslash"):
        await run(SourceConfig(name="k", kind="rss", url=site.url_for("/feed")), settings)
    urls = SourceConfig(name="u", kind="urls", urls=("https://kukar.example/a", BAD_URLS[1]))
    found = await run(urls, settings)
    assert [c.url for c in found.candidates] == ["https://kukar.example/a"]
    assert [r.reason for r in found.rejected] == ["bad_url"]


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x01"])
async def test_empty_or_junk_feed_is_a_source_error(
    site: HTTPServer, settings: FetchSettings, body: bytes
) -> None:
    site.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    with pytest.raises(SourceError):
        await run(SourceConfig(name="k", kind="rss", url=site.url_for("/feed")), settings)


@pytest.mark.parametrize(
    "content_type", ["application/rss+xml", "application/x-gzip", "application/octet-stream"]
)
async def test_gzip_feed_without_content_encoding(
    site: HTTPServer, settings: FetchSettings, content_type: str
) -> None:
    base = site.url_for("").rstrip("/")
    body = gzip.compress(rss(item(f"{base}/berita/1")).encode())
    site.expect_request("/feed.gz").respond_with_data(body, content_type=content_type)
    found = await run(SourceConfig(name="k", kind="rss", url=site.url_for("/feed.gz")), settings)
    assert [c.url for c in found.candidates] == [f"{base}/berita/1"]


async def test_binary_that_is_not_gzip_is_no_feed(
    site: HTTPServer, settings: FetchSettings
) -> None:
    body = rss(item("https://kukar.example/berita/1")).encode()
    site.expect_request("/feed").respond_with_data(body, content_type="application/octet-stream")
    with pytest.raises(UnsupportedContent):
        await run(SourceConfig(name="k", kind="rss", url=site.url_for("/feed")), settings)


def urlset(base: str, count: int) -> bytes:
    entries = "".join(
        f"<url><loc>{base}/berita/{n:06d}-laporan-daerah-kutai-kartanegara-hari-ini</loc>"
        f"<lastmod>2024-11-09T10:00:00+08:00</lastmod></url>"
        for n in range(count)
    )
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return f'<?xml version="1.0"?><urlset xmlns="{xmlns}">{entries}</urlset>'.encode()


@pytest.mark.slow
async def test_sitemap_of_50000_urls_is_read_though_larger_than_the_page_cap(
    site: HTTPServer, settings: FetchSettings
) -> None:
    base = site.url_for("").rstrip("/")
    body = urlset(base, 50_000)
    assert len(body) > 5_000_000  # over the default page cap (fetch.max_bytes)
    site.expect_request("/sitemap.xml").respond_with_data(body, content_type="application/xml")
    site.expect_request("/sitemap.xml.gz").respond_with_data(
        gzip.compress(body), content_type="application/x-gzip"
    )
    pages = settings.model_copy(update={"max_bytes": 5_000_000, "read_timeout": 10})
    for path in ("/sitemap.xml", "/sitemap.xml.gz"):
        source = SourceConfig(name="s", kind="sitemap", url=site.url_for(path))
        found = await run(source, pages)
        assert len(found.candidates) == 50_000
    capped = pages.model_copy(update={"max_feed_bytes": 1_000_000})
    for path in ("/sitemap.xml", "/sitemap.xml.gz"):  # the cap holds for gzip files too
        with pytest.raises(TooLarge):
            await run(SourceConfig(name="s", kind="sitemap", url=site.url_for(path)), capped)


async def test_sitemap_rejects_bad_locs_alone(site: HTTPServer, settings: FetchSettings) -> None:
    base = site.url_for("").rstrip("/")
    xmlns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    index = (
        f'<sitemapindex xmlns="{xmlns}"><sitemap><loc>{BAD_URLS[1]}</loc></sitemap>'
        f"<sitemap><loc>{base}/sm-1.xml</loc></sitemap></sitemapindex>"
    )
    child = (
        f'<urlset xmlns="{xmlns}"><url><loc>{BAD_URLS[0]}</loc>'
        "<lastmod>9999-12-31T23:59:59-08:00</lastmod></url>"
        f"<url><loc>{base}/berita/1</loc><lastmod>0001-01-01T00:00:00+08:00</lastmod></url>"
        "</urlset>"
    )
    site.expect_request("/sitemap.xml").respond_with_data(index, content_type="application/xml")
    site.expect_request("/sm-1.xml").respond_with_data(child, content_type="application/xml")
    source = SourceConfig(name="s", kind="sitemap", url=site.url_for("/sitemap.xml"))
    found = await run(source, settings, since=datetime(2024, 1, 1, tzinfo=UTC))
    assert [(c.url, c.published_at) for c in found.candidates] == [(f"{base}/berita/1", None)]
    assert [r.reason for r in found.rejected] == ["bad_url", "bad_url"]

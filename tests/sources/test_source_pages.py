"""Listing pages, URL lists and the local kinds (html_dir, jsonl)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from ingest.config import FetchSettings, SourceConfig
from ingest.errors import InputError, SourceError
from ingest.fetch import Fetcher
from ingest.records import Candidate
from ingest.sources import discover

pytestmark = pytest.mark.asyncio


async def run(source: SourceConfig, settings: FetchSettings) -> list[Candidate]:
    async with Fetcher(settings) as fetcher:
        return (await discover(source, fetcher)).candidates


def listing_page(links: list[str], next_href: str | None = None) -> str:
    anchors = "".join(f'<li><a href="{href}">Judul {i}</a></li>' for i, href in enumerate(links))
    nxt = f'<a rel="next" href="{next_href}">Selanjutnya</a>' if next_href else ""
    return f"<html><body><nav><a href='/'>Home</a></nav><ul>{anchors}</ul>{nxt}</body></html>"


async def test_listing_keeps_article_links_only(site: HTTPServer, settings: FetchSettings) -> None:
    links = [
        "/berita/2024/11/09/rapat-bawaslu-kukar",
        "/berita/2024/11/09/rapat-bawaslu-kukar?utm_campaign=x",  # same article
        "/tag/pilkada",
        "/category/pemerintahan",
        "/wp-content/uploads/laporan.pdf",
        "https://external.example.com/berita/lain",
        "mailto:redaksi@kukarkab.go.id",
        "/login",
        "/berita/2024/11/10/rakor-lintas-sektoral",
    ]
    site.expect_request("/berita").respond_with_data(listing_page(links), content_type="text/html")
    source = SourceConfig(name="l", kind="listing", url=site.url_for("/berita"))
    found = await run(source, settings)
    base = site.url_for("").rstrip("/")
    assert [c.url for c in found] == [
        f"{base}/berita/2024/11/09/rapat-bawaslu-kukar",
        f"{base}/berita/2024/11/10/rakor-lintas-sektoral",
    ]
    assert found[0].title == "Judul 0"


async def test_listing_pattern_and_pagination(site: HTTPServer, settings: FetchSettings) -> None:
    for page, links, nxt in [(2, ["/read/2-b"], "/list?page=3"), (3, ["/read/3-c"], None)]:
        site.expect_request("/list", query_string=f"page={page}").respond_with_data(
            listing_page(links, next_href=nxt), content_type="text/html"
        )
    site.expect_request("/list").respond_with_data(
        listing_page(["/read/1-a", "/profil/tim"], next_href="/list?page=2"),
        content_type="text/html",
    )
    source = SourceConfig(
        name="l", kind="listing", url=site.url_for("/list"), link_pattern=r"/read/\d+", max_pages=2
    )
    found = await run(source, settings)
    assert [c.url.rsplit("/", 1)[1] for c in found] == ["1-a", "2-b"]
    assert not any(r.query_string == b"page=3" for r, _ in site.log)


async def test_backfill_walks_numbered_pages_until_they_run_out(
    site: HTTPServer, settings: FetchSettings
) -> None:
    for page in range(2, 5):
        site.expect_request(f"/berita/page/{page}").respond_with_data(
            listing_page([f"/read/{page}-x"]), content_type="text/html"
        )
    site.expect_request("/berita/page/5").respond_with_data(
        listing_page([]), content_type="text/html"
    )
    site.expect_request("/berita").respond_with_data(
        listing_page(["/read/1-x"]), content_type="text/html"
    )
    source = SourceConfig(
        name="l",
        kind="listing",
        url=site.url_for("/berita"),
        link_pattern=r"/read/",
        page_url=site.url_for("/berita/page/{page}"),
        backfill_pages=10,
    )
    assert [c.url.rsplit("/", 1)[1] for c in await run(source, settings)] == ["1-x"]
    async with Fetcher(settings) as fetcher:
        older = (await discover(source, fetcher, since=datetime(2024, 1, 1, tzinfo=UTC))).candidates
    assert [c.url.rsplit("/", 1)[1] for c in older] == ["1-x", "2-x", "3-x", "4-x"]
    assert not any(r.path == "/berita/page/6" for r, _ in site.log)


async def test_listing_bad_pattern(site: HTTPServer, settings: FetchSettings) -> None:
    site.expect_request("/list").respond_with_data(listing_page(["/a"]), content_type="text/html")
    source = SourceConfig(name="l", kind="listing", url=site.url_for("/list"), link_pattern="(")
    with pytest.raises(SourceError, match="link_pattern"):
        await run(source, settings)


async def test_url_list_canonical_and_unique(settings: FetchSettings) -> None:
    source = SourceConfig(
        name="u",
        kind="urls",
        urls=("https://WWW.Kukarkab.go.id/a?fbclid=1", "https://www.kukarkab.go.id/a#x"),
    )
    (only,) = await run(source, settings)
    assert only.url == "https://www.kukarkab.go.id/a" and only.outlet == "kukarkab.go.id"
    bad = SourceConfig(name="u", kind="urls", urls=("ftp://x.id/a",))
    with pytest.raises(SourceError, match="ftp"):
        await run(bad, settings)


async def test_html_dir_urls_from_canonical_og_or_file(
    tmp_path: Path, settings: FetchSettings
) -> None:
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text(
        '<html><head><link rel="canonical" href="https://kukarkab.go.id/berita/a?utm_source=x">'
        "</head><body>A</body></html>"
    )
    (folder / "sub" / "b.htm").write_bytes(
        '<html><head><meta charset="windows-1252"><meta property="og:url" '
        'content="https://eksposisi.com/b"></head><body>café – b</body></html>'.encode("cp1252")
    )
    (folder / "c.html").write_text("<html><body>C</body></html>")
    (folder / "notes.txt").write_text("ignored")
    found = await run(SourceConfig(name="d", kind="html_dir", path=folder), settings)
    by_url = {c.url: c for c in found}
    assert set(by_url) == {
        "https://kukarkab.go.id/berita/a",
        "https://eksposisi.com/b",
        (folder / "c.html").resolve().as_uri(),
    }
    assert "café – b" in (by_url["https://eksposisi.com/b"].html or "")
    assert by_url["https://eksposisi.com/b"].outlet == "eksposisi.com"


async def test_html_dir_missing_folder(tmp_path: Path, settings: FetchSettings) -> None:
    with pytest.raises(SourceError, match="not found"):
        await run(SourceConfig(name="d", kind="html_dir", path=tmp_path / "none"), settings)


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


async def test_jsonl_import(tmp_path: Path, settings: FetchSettings) -> None:
    path = write_jsonl(
        tmp_path / "docs.jsonl",
        [
            {
                "url": "https://kukarkab.go.id/a?utm_source=wa",
                "text": "TENGGARONG – isi",
                "outlet": "kukarkab.go.id",
                "published_at": "2024-09-03T10:00:00+08:00",
                "title": "A",
            },
            "",
            {"url": "https://eksposisi.com/b", "html": "<p>isi</p>", "published_at": "2024-11-18"},
        ],
    )
    a, b = await run(SourceConfig(name="imp", kind="jsonl", path=path), settings)
    assert (a.url, a.text, a.title, a.outlet) == (
        "https://kukarkab.go.id/a",
        "TENGGARONG – isi",
        "A",
        "kukarkab.go.id",
    )
    assert a.published_at == datetime(2024, 9, 3, 2, 0, tzinfo=UTC)
    assert (b.html, b.text, b.outlet) == ("<p>isi</p>", None, "eksposisi.com")


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("{not json", "invalid JSON"),
        ('["a"]', "JSON object"),
        ({"text": "x"}, "'url'"),
        ({"url": "kukarkab.go.id/a", "text": "x"}, "'url'"),
        ({"url": "https://k.id/a"}, "exactly one"),
        ({"url": "https://k.id/a", "text": "x", "html": "<p>x</p>"}, "exactly one"),
        ({"url": "https://k.id/a", "text": "x", "published_at": "kemarin"}, "ISO 8601"),
        ({"url": "https://k.id/a", "text": "x", "title": 5}, "'title'"),
        ({"url": "https://k.id/a", "text": "x", "body": "y"}, "unknown key 'body'"),
        ({"url": "https://k.id/first", "text": "again"}, "duplicate url"),
    ],
)
async def test_jsonl_bad_line_names_file_and_line(
    tmp_path: Path, settings: FetchSettings, bad: object, problem: str
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"url": "https://k.id/first", "text": "ok"}, bad])
    with pytest.raises(InputError) as caught:
        await run(SourceConfig(name="imp", kind="jsonl", path=path), settings)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: ") and problem in message

"""SnapshotTransport: a local mirror served as if it were the web."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.config import FetchSettings
from ingest.errors import HTTPStatusError, RobotsDisallowed
from ingest.fetch import Fetcher

pytestmark = pytest.mark.asyncio


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    site = tmp_path / "kukarkab.go.id"
    (site / "berita").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>Beranda</body></html>")
    (site / "berita" / "rapat.html").write_text("<html><body>Rapat Bawaslu</body></html>")
    (site / "feed.xml").write_text("<rss version='2.0'><channel></channel></rss>")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n")
    return tmp_path


async def test_serves_files_with_types_and_etag(mirror: Path) -> None:
    async with Fetcher(FetchSettings(snapshot_dir=mirror)) as fetcher:
        page = await fetcher.get("https://kukarkab.go.id/berita/rapat.html")
        home = await fetcher.get("https://kukarkab.go.id/")
        feed = await fetcher.get("https://kukarkab.go.id/feed.xml", kind="feed")
        again = await fetcher.get("https://kukarkab.go.id/berita/rapat.html", etag=page.etag)
    assert "Rapat Bawaslu" in page.text and page.content_type.startswith("text/html")
    assert "Beranda" in home.text
    assert feed.content_type == "application/xml"
    assert page.etag and again.not_modified


async def test_changed_file_gets_new_etag(mirror: Path) -> None:
    url = "https://kukarkab.go.id/berita/rapat.html"
    async with Fetcher(FetchSettings(snapshot_dir=mirror)) as fetcher:
        first = await fetcher.get(url)
        (mirror / "kukarkab.go.id" / "berita" / "rapat.html").write_text("<p>Diubah</p>")
        second = await fetcher.get(url, etag=first.etag)
    assert not second.not_modified and second.etag != first.etag


async def test_missing_file_is_404_and_robots_apply(mirror: Path) -> None:
    async with Fetcher(FetchSettings(snapshot_dir=mirror)) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.get("https://kukarkab.go.id/berita/none.html")
        with pytest.raises(RobotsDisallowed):
            await fetcher.get("https://kukarkab.go.id/admin/")
        with pytest.raises(HTTPStatusError):
            await fetcher.get("https://kukarkab.go.id/../../etc/passwd")
    assert caught.value.status_code == 404

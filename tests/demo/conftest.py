"""Paths and small readers shared by the demo's tests (the demo is files, so are its fixtures)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"
WEB = DEMO / "web"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def snapshot_file(url: str) -> Path:
    """The file the fetcher's snapshot mode serves for ``url`` (``/`` -> ``index.html``)."""
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return WEB / parts.netloc / path


def entry_points(url: str) -> list[tuple[str, str | None]]:
    """(article URL, published) of every entry a feed, sitemap or sitemap index offers."""
    body = snapshot_file(url).read_bytes()
    root = etree.fromstring(body)
    if root.tag == f"{{{SITEMAP_NS['sm']}}}sitemapindex":
        locs = root.findall("sm:sitemap/sm:loc", SITEMAP_NS)
        return [entry for loc in locs for entry in entry_points(loc.text or "")]
    if root.tag == f"{{{SITEMAP_NS['sm']}}}urlset":
        return [
            (
                u.findtext("sm:loc", namespaces=SITEMAP_NS) or "",
                u.findtext("sm:lastmod", namespaces=SITEMAP_NS),
            )
            for u in root.findall("sm:url", SITEMAP_NS)
        ]
    parsed = feedparser.parse(body)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    return [(entry.link, entry.get("published")) for entry in parsed.entries]


@pytest.fixture(scope="session")
def source_urls() -> list[str]:
    """The entry points of the default configuration (which is the demo)."""
    from ingest.config import load_settings

    settings = load_settings(REPO / "config", environ={})
    return [source.url for source in settings.sources if source.url]


@pytest.fixture(scope="session")
def article_urls(source_urls: list[str]) -> list[str]:
    """Every article the demo's sources offer."""
    return [link for url in source_urls for link, _ in entry_points(url)]

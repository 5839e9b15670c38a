"""A page's own declarations, read in one pass, agree with the XPath queries that state them
(JSON-LD read by its own reader)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from lxml.html import HtmlElement
from trafilatura.utils import load_html

from ingest.clean.dates import parse_indonesian_datetime
from ingest.clean.jsonld import read_linked_data
from ingest.clean.signals import read_signals

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "tests" / "fixtures" / "anpandu" / "html").rglob("*.html")),
    *sorted((ROOT / "demo" / "web").rglob("*.html")),
]
TRICKY = """<html lang=" id-ID "><head><title>  </title><title>Judul Berita - Situs</title>
<link rel="canonical" href=" "><meta property="og:url" content="/berita/1">
<meta name="pubdate" content=""><meta property="og:updated_time" content="2024-09-05T08:00">
</head><body><svg><title>ikon</title></svg><h1> </h1><h1>Sekda  Kukar
Buka Rakor</h1><article><meta itemprop="datePublished" content="Rabu, 4 September 2024 -
10:15 WIB"><p>Isi.</p></article></body></html>"""


def _first(tree: HtmlElement, xpath: str) -> str | None:
    values = (str(v).strip() for v in tree.xpath(xpath))
    return next((v for v in values if v), None)


def _by_xpath(tree: HtmlElement, url: str) -> tuple[object, ...]:
    declared = _first(tree, '//link[@rel="canonical"]/@href') or _first(
        tree, '//meta[@property="og:url"]/@content'
    )
    published = _first(
        tree,
        '//meta[@property="article:published_time" or @name="article:published_time" or '
        '@itemprop="datePublished" or @name="publishdate" or @name="pubdate"]/@content',
    )
    modified = _first(
        tree,
        '//meta[@property="article:modified_time" or @property="og:updated_time" or '
        '@itemprop="dateModified" or @name="lastmod"]/@content',
    )
    linked = read_linked_data(tree.xpath('//script[@type="application/ld+json"]/text()'))
    published = (
        published
        or linked.published
        or _first(
            tree,
            "//time[@itemprop='datePublished' or @pubdate]/@datetime | //article//time/@datetime",
        )
    )
    modified = modified or linked.modified
    headings = (" ".join(h.text_content().split()) for h in tree.iter("h1"))
    return (
        urljoin(url, declared) if declared else None,
        _first(tree, "//head/title/text()"),
        tuple(h for h in headings if h),
        _first(tree, "/html/@lang"),
        parse_indonesian_datetime(published) if published else None,
        parse_indonesian_datetime(modified) if modified else None,
    )


def _fields(tree: HtmlElement, url: str) -> tuple[object, ...]:
    s = read_signals(tree, url)
    return (s.page_url, s.head_title, s.headings, s.declared_language, s.published, s.modified)


def test_one_pass_reads_what_the_queries_read_on_saved_pages() -> None:
    read = 0
    for path in PAGES:
        tree = load_html(path.read_bytes())
        if tree is None:
            continue
        url = f"https://example.test/{path.name}"
        assert _fields(tree, url) == _by_xpath(tree, url), path.name
        read += 1
    assert read >= 35


def test_blank_declarations_give_way_to_the_next_ones() -> None:
    tree = load_html(TRICKY)
    assert tree is not None
    signals = read_signals(tree, "https://kukarkab.go.id/a/b")
    assert _fields(tree, "https://kukarkab.go.id/a/b") == _by_xpath(
        tree, "https://kukarkab.go.id/a/b"
    )
    assert signals.page_url == "https://kukarkab.go.id/berita/1"
    assert signals.head_title == "Judul Berita - Situs"
    assert signals.headings == ("Sekda Kukar Buka Rakor",)
    assert signals.declared_language == "id-ID"
    assert signals.published is not None and signals.published.isoformat() == (
        "2024-09-04T10:15:00+07:00"
    )
    assert signals.modified is not None and signals.modified.day == 5

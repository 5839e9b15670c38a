"""What a page declares about itself, read in one pass over its ``<link>``, ``<meta>``,
``<title>`` and ``<h1>`` elements: canonical address (rel=canonical, else og:url), head title,
headings, ``lang``, publication and modification times::

    signals = read_signals(tree, url)
    signals.page_url, signals.head_title, signals.published
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml.html import HtmlElement

from ingest.clean.dates import parse_indonesian_datetime, parse_stamp
from ingest.errors import InvalidURL
from ingest.records import Precision
from ingest.urls import join

__all__ = ["PageSignals", "read_signals"]

# (attribute, value) of a <meta> element -> the signal its content gives.
_META_SIGNALS = {
    ("property", "og:url"): "og_url",
    ("property", "article:published_time"): "published",
    ("name", "article:published_time"): "published",
    ("itemprop", "datePublished"): "published",
    ("name", "publishdate"): "published",
    ("name", "pubdate"): "published",
    ("property", "article:modified_time"): "modified",
    ("property", "og:updated_time"): "modified",
    ("itemprop", "dateModified"): "modified",
    ("name", "lastmod"): "modified",
}
_META_ATTRIBUTES = ("property", "name", "itemprop")


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the page declares about itself, read before extraction."""

    page_url: str | None
    head_title: str | None
    headings: tuple[str, ...]
    declared_language: str | None
    published: datetime | None
    modified: datetime | None
    published_precision: Precision | None = None


def read_signals(tree: HtmlElement, url: str) -> PageSignals:
    """The page's declarations; each is the first non-blank one in page order, and the
    canonical address is resolved against ``url``."""
    found: dict[str, str] = {}
    headings: list[str] = []
    for element in tree.iter("link", "meta", "title", "h1"):
        tag = element.tag
        if tag == "meta":
            _read_meta(element, found)
        elif tag == "link":
            if element.get("rel") == "canonical":
                _keep(found, "canonical", element.get("href"))
        elif tag == "title":
            parent = element.getparent()
            if parent is not None and parent.tag == "head":
                _keep(found, "title", element.text)
        else:
            heading = " ".join(element.text_content().split())
            if heading:
                headings.append(heading)
    published = parse_stamp(found["published"]) if "published" in found else None
    root = tree.getroottree().getroot()
    language = root.get("lang") if root.tag == "html" else None
    return PageSignals(
        page_url=_declared_url(url, found.get("canonical") or found.get("og_url")),
        head_title=found.get("title"),
        headings=tuple(headings),
        declared_language=(language or "").strip() or None,
        published=published[0] if published else None,
        modified=_stamp(found.get("modified")),
        published_precision=published[1] if published else None,
    )


def _read_meta(element: HtmlElement, found: dict[str, str]) -> None:
    content = element.get("content")
    if content is None:
        return
    for attribute in _META_ATTRIBUTES:
        signal = _META_SIGNALS.get((attribute, element.get(attribute) or ""))
        if signal is not None:
            _keep(found, signal, content)


def _keep(found: dict[str, str], signal: str, value: str | None) -> None:
    """Keep the first non-blank value of each signal, stripped."""
    if signal not in found and value is not None and value.strip():
        found[signal] = value.strip()


def _declared_url(url: str, declared: str | None) -> str | None:
    """The declared address resolved against ``url``; None for one that is no URL (an
    unclosed IPv6 bracket): the page is then known by the address it was fetched from."""
    if not declared:
        return None
    try:
        return join(url, declared)
    except InvalidURL:
        return None


def _stamp(value: str | None) -> datetime | None:
    return parse_indonesian_datetime(value) if value else None

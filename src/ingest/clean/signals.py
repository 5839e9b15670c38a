"""What a page declares about itself, read in one pass over its ``<link>``, ``<meta>``,
``<title>``, ``<h1>``, ``<time>`` and JSON-LD elements: canonical address (rel=canonical, else
og:url), head title, headings, ``lang``, whether it calls itself an article (og:type,
JSON-LD types), publication and modification times (``<meta>``, else JSON-LD, else the
``<time>`` of the article) and the publication time's precision::

    signals = read_signals(tree, url)
    signals.page_url, signals.head_title, signals.published, signals.declared_kind
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml.html import HtmlElement

from ingest.clean.dates import parse_indonesian_datetime, parse_stamp
from ingest.clean.jsonld import ARTICLE_TYPES, read_linked_data
from ingest.errors import InvalidURL
from ingest.records import Precision
from ingest.urls import join

__all__ = ["PageSignals", "read_signals"]

# (attribute, value) of a <meta> element -> the signal its content gives.
_META_SIGNALS = {
    ("property", "og:url"): "og_url",
    ("property", "og:type"): "og_type",
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
# JSON-LD types and og:type values of pages that list other pages.
_LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "WebSite"})
_LISTING_OG_TYPES = frozenset({"website", "blog", "profile"})


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
    declared_kind: str | None = None
    """``article`` when og:type, JSON-LD or article:published_time say the page is one,
    ``listing`` when og:type or JSON-LD say it is a website or a collection, else ``None``."""


def read_signals(tree: HtmlElement, url: str) -> PageSignals:
    """The page's declarations; each is the first non-blank one in page order, and the
    canonical address is resolved against ``url``."""
    found: dict[str, str] = {}
    headings: list[str] = []
    scripts: list[str] = []
    for element in tree.iter("link", "meta", "title", "h1", "script", "time"):
        tag = element.tag
        if tag == "script":
            _read_script(element, scripts)
        elif tag == "time":
            _read_time(element, found)
        elif tag == "meta":
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
    root = tree.getroottree().getroot()
    language = root.get("lang") if root.tag == "html" else None
    linked = read_linked_data(scripts)
    published = found.get("published") or linked.published or found.get("time")
    stamp = parse_stamp(published) if published else None
    return PageSignals(
        page_url=_declared_url(url, found.get("canonical") or found.get("og_url")),
        head_title=found.get("title"),
        headings=tuple(headings),
        declared_language=(language or "").strip() or None,
        published=stamp[0] if stamp else None,
        modified=_stamp(found.get("modified") or linked.modified),
        published_precision=stamp[1] if stamp else None,
        declared_kind=_kind(found, linked.types),
    )


def _kind(found: dict[str, str], types: frozenset[str]) -> str | None:
    og_type = found.get("og_type", "").casefold()
    if types & ARTICLE_TYPES or og_type == "article" or "meta_published" in found:
        return "article"
    if types & _LISTING_TYPES or og_type in _LISTING_OG_TYPES:
        return "listing"
    return None


def _read_script(element: HtmlElement, scripts: list[str]) -> None:
    if element.text and (element.get("type") or "").strip().lower() == "application/ld+json":
        scripts.append(element.text)


def _read_time(element: HtmlElement, found: dict[str, str]) -> None:
    """The ``<time>`` that dates the article: marked as its publication time, or the first one
    inside an ``<article>``."""
    if "time" in found or not element.get("datetime"):
        return
    marked = element.get("itemprop") == "datePublished" or "pubdate" in element.attrib
    if marked or any(parent.tag == "article" for parent in element.iterancestors()):
        _keep(found, "time", element.get("datetime"))


def _read_meta(element: HtmlElement, found: dict[str, str]) -> None:
    content = element.get("content")
    if content is None:
        return
    for attribute in _META_ATTRIBUTES:
        signal = _META_SIGNALS.get((attribute, element.get(attribute) or ""))
        if signal is not None:
            _keep(found, signal, content)
            if attribute == "property" and signal == "published":
                _keep(found, "meta_published", content)


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

"""Sitemaps: url sets, sitemap indexes, Google News sitemaps, gzip files, plain-text lists.

Entries whose ``lastmod`` (or news ``publication_date``) is older than ``since`` are skipped,
and so are child sitemaps of an index whose ``lastmod`` is older. An entry or child sitemap
whose ``loc`` cannot be requested is rejected alone. The fetcher decompresses gzip files and
caps sitemaps at ``fetch.max_feed_bytes`` (the protocol allows 50 MB and 50,000 URLs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from ingest.config import SourceConfig
from ingest.errors import FetchError, InvalidURL, SourceError
from ingest.fetch import Getter
from ingest.records import Candidate, Discovery, Precision, Rejection
from ingest.sources._common import (
    Collector,
    is_recent,
    parse_iso,
    precision_of,
    require_url,
    unique,
)
from ingest.urls import check_url

__all__ = ["Sitemap", "discover", "parse_sitemap"]

logger = logging.getLogger(__name__)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_MAX_DEPTH = 3


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *path: str) -> str | None:
    """Text of the first descendant following local names ``path``, any namespace."""
    current = [element]
    for name in path:
        current = [c for e in current for c in e if _local(c.tag) == name]
    text = current[0].text if current else None
    return text.strip() if text and text.strip() else None


def _entry_date(url_element: etree._Element) -> datetime | None:
    return _entry_stamp(url_element)[0]


def _entry_stamp(url_element: etree._Element) -> tuple[datetime | None, Precision | None]:
    """The entry's publication date (else its last modification) and its precision."""
    value = _child_text(url_element, "news", "publication_date") or _child_text(
        url_element, "lastmod"
    )
    at = parse_iso(value) if value else None
    return (at, precision_of(value)) if at is not None and value else (None, None)


@dataclass(frozen=True, slots=True)
class Sitemap:
    """One sitemap file: the articles of a url set, or the child sitemaps of an index."""

    found: Discovery
    children: list[str] = field(default_factory=list)


def _text_sitemap(source: SourceConfig, data: bytes) -> Sitemap:
    items = Collector(source)
    for line in data.decode("utf-8", errors="replace").split():
        items.add(line)
    if not items.candidates:
        raise SourceError(source.name, "not a sitemap (no XML and no URLs)")
    return Sitemap(items.discovery())


def _index(source: SourceConfig, entries: list[etree._Element], since: datetime | None) -> Sitemap:
    items = Collector(source)
    children = []
    for entry in entries:
        loc = _child_text(entry, "loc")
        if loc is None or not is_recent(_entry_date(entry), since):
            continue
        try:
            children.append(check_url(loc))
        except InvalidURL as exc:
            items.reject(exc)
    return Sitemap(items.discovery(), children)


def _urlset(source: SourceConfig, entries: list[etree._Element], since: datetime | None) -> Sitemap:
    items = Collector(source)
    for entry in entries:
        loc, (published, precision) = _child_text(entry, "loc"), _entry_stamp(entry)
        if loc is not None and is_recent(published, since):
            items.add(
                loc,
                published_at=published,
                published_precision=precision,
                title=_child_text(entry, "news", "title"),
            )
    return Sitemap(items.discovery())


def parse_sitemap(source: SourceConfig, data: bytes, *, since: datetime | None) -> Sitemap:
    """The article candidates of a url set (or a plain-text sitemap: one URL a line), or the
    child sitemap URLs of an index."""
    if data.lstrip()[:1] not in (b"<", b""):
        return _text_sitemap(source, data)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SourceError(source.name, f"malformed sitemap XML: {exc}") from None
    kind = _local(root.tag)
    entries = [e for e in root if _local(e.tag) in ("url", "sitemap")]
    if kind == "sitemapindex":
        return _index(source, entries, since)
    if kind != "urlset":
        raise SourceError(source.name, f"not a sitemap (root element <{kind}>)")
    return _urlset(source, entries, since)


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> Discovery:
    """Read the sitemap at ``source.url``, following indexes up to ``fetch.max_sitemaps`` files."""
    pending, depth_of = [require_url(source)], {require_url(source): 0}
    budget = fetcher.settings.max_sitemaps
    candidates: list[Candidate] = []
    rejected: list[Rejection] = []
    while pending and budget > 0:
        url = pending.pop(0)
        budget -= 1
        try:
            page = await fetcher.get(url, kind="feed")
            sitemap = parse_sitemap(source, page.body, since=since)
        except (FetchError, SourceError) as exc:
            if depth_of[url] == 0:
                raise
            logger.warning("source %s: child sitemap %s skipped: %s", source.name, url, exc)
            continue
        candidates.extend(sitemap.found.candidates)
        rejected.extend(sitemap.found.rejected)
        for child in sitemap.children:
            if child not in depth_of and depth_of[url] < _MAX_DEPTH:
                depth_of[child] = depth_of[url] + 1
                pending.append(child)
    return Discovery(unique(candidates), rejected)

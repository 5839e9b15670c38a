"""Sitemaps: url sets, sitemap indexes, Google News sitemaps, gzip files, plain-text lists.

Entries whose ``lastmod`` (or news ``publication_date``) is older than ``since`` are skipped,
and so are child sitemaps of an index whose ``lastmod`` is older.
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime

from lxml import etree

from ingest.config import SourceConfig
from ingest.errors import FetchError, SourceError
from ingest.fetch import Getter
from ingest.records import Candidate, Precision
from ingest.sources._common import (
    is_recent,
    make_candidate,
    parse_iso,
    precision_of,
    require_url,
    unique,
)

__all__ = ["discover", "parse_sitemap"]

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


def _decompress(source: SourceConfig, body: bytes, max_bytes: int) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise SourceError(source.name, f"broken gzip sitemap: {exc}") from None
    if len(data) > max_bytes:
        raise SourceError(source.name, f"sitemap larger than {max_bytes} bytes uncompressed")
    return data


def _entry_date(url_element: etree._Element) -> datetime | None:
    return _entry_stamp(url_element)[0]


def _entry_stamp(url_element: etree._Element) -> tuple[datetime | None, Precision | None]:
    """The entry's publication date (else its last modification) and its precision."""
    value = _child_text(url_element, "news", "publication_date") or _child_text(
        url_element, "lastmod"
    )
    at = parse_iso(value) if value else None
    return (at, precision_of(value)) if at is not None and value else (None, None)


def _text_sitemap(source: SourceConfig, data: bytes) -> list[Candidate]:
    lines = data.decode("utf-8", errors="replace").split()
    found = [c for line in lines if (c := make_candidate(source, line)) is not None]
    if not found:
        raise SourceError(source.name, "not a sitemap (no XML and no URLs)")
    return found


def parse_sitemap(
    source: SourceConfig, body: bytes, *, since: datetime | None, max_bytes: int = 50_000_000
) -> tuple[list[Candidate], list[str]]:
    """The article candidates of a url set (or a plain-text sitemap: one URL a line), or the
    child sitemap URLs of an index."""
    data = _decompress(source, body, max_bytes)
    if data.lstrip()[:1] not in (b"<", b""):
        return _text_sitemap(source, data), []
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SourceError(source.name, f"malformed sitemap XML: {exc}") from None
    kind = _local(root.tag)
    entries = [e for e in root if _local(e.tag) in ("url", "sitemap")]
    if kind == "sitemapindex":
        children = [
            loc
            for e in entries
            if (loc := _child_text(e, "loc")) and is_recent(_entry_date(e), since)
        ]
        return [], children
    if kind != "urlset":
        raise SourceError(source.name, f"not a sitemap (root element <{kind}>)")
    candidates = []
    for entry in entries:
        loc, (published, precision) = _child_text(entry, "loc"), _entry_stamp(entry)
        if loc is None or not is_recent(published, since):
            continue
        title = _child_text(entry, "news", "title")
        candidate = make_candidate(
            source, loc, published_at=published, published_precision=precision, title=title
        )
        if candidate is not None:
            candidates.append(candidate)
    return candidates, []


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> list[Candidate]:
    """Read the sitemap at ``source.url``, following indexes up to ``fetch.max_sitemaps`` files."""
    pending, depth_of = [require_url(source)], {require_url(source): 0}
    budget = fetcher.settings.max_sitemaps
    candidates: list[Candidate] = []
    while pending and budget > 0:
        url = pending.pop(0)
        budget -= 1
        try:
            page = await fetcher.get(url, kind="feed")
            found, children = parse_sitemap(source, page.body, since=since)
        except (FetchError, SourceError) as exc:
            if depth_of[url] == 0:
                raise
            logger.warning("source %s: child sitemap %s skipped: %s", source.name, url, exc)
            continue
        candidates.extend(found)
        for child in children:
            if child not in depth_of and depth_of[url] < _MAX_DEPTH:
                depth_of[child] = depth_of[url] + 1
                pending.append(child)
    return unique(candidates)

"""Listing pages: article links found on a section or index page.

Links are kept when they stay on the site's registered domain, look like articles to courlan
(no tag, category, login or file links) and match ``link_pattern`` when one is set. With
``max_pages`` > 1 the ``rel="next"`` (or "Selanjutnya", "Next", "»") links are followed, or
``page_url`` ("https://site/berita/page/{page}") gives page N; ``ingest backfill`` walks
``backfill_pages`` pages.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from courlan.filters import extension_filter, is_navigation_page, is_not_crawlable, type_filter

from ingest.config import SourceConfig
from ingest.errors import FetchError, InvalidURL, SourceError
from ingest.fetch import Getter
from ingest.records import Candidate, Discovery
from ingest.sources._common import make_candidate, require_url, unique
from ingest.urls import canonicalize, is_http_url, join, registered_domain

__all__ = ["discover", "parse_listing"]

logger = logging.getLogger(__name__)

_NEXT_TEXT = re.compile(r"^\s*(selanjutnya|berikutnya|next|»|›|>>)\s*$", re.IGNORECASE)


def _is_article_link(url: str, site: str, pattern: re.Pattern[str] | None) -> bool:
    if not is_http_url(url) or registered_domain(url) != site:
        return False
    if not urlsplit(url).path.strip("/"):  # the home page
        return False
    if pattern is not None:
        return pattern.search(url) is not None
    return (
        extension_filter(url)
        and type_filter(url)
        and not is_not_crawlable(url)
        and not is_navigation_page(url)
    )


def _pattern(source: SourceConfig) -> re.Pattern[str] | None:
    if not source.link_pattern:
        return None
    try:
        return re.compile(source.link_pattern)
    except re.error as exc:
        raise SourceError(source.name, f"invalid link_pattern: {exc}") from None


def parse_listing(
    source: SourceConfig, html: str, page_url: str
) -> tuple[list[Candidate], str | None]:
    """The article links of one listing page and the URL of the next page, if any."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise SourceError(source.name, f"unreadable listing page {page_url}: {exc}") from None
    site, pattern = registered_domain(page_url), _pattern(source)
    candidates, next_url = [], None
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        try:
            url = join(page_url, href)
        except InvalidURL:  # a broken link in the page's markup: not an article link
            continue
        rel = (anchor.get("rel") or "").lower().split()
        if next_url is None and ("next" in rel or _NEXT_TEXT.match(anchor.text_content() or "")):
            next_url = url if is_http_url(url) else None
            continue
        if _is_article_link(url, site, pattern):
            title = anchor.text_content().strip() or anchor.get("title")
            candidate = make_candidate(source, url, title=title)
            if candidate.url != canonicalize(page_url):
                candidates.append(candidate)
    return unique(candidates), next_url


def _page_limit(source: SourceConfig, since: datetime | None) -> int:
    """A run walks ``max_pages``; a backfill (``since`` set) walks ``backfill_pages``."""
    if since is not None:
        return max(source.backfill_pages, source.max_pages or 1)
    return source.max_pages or 1


def _numbered(source: SourceConfig, number: int) -> str | None:
    if not source.page_url:
        return None
    return source.page_url.replace("{page}", str(number))


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> Discovery:
    """Walk the listing from ``source.url``: ``max_pages`` pages on a run, ``backfill_pages``
    when ``since`` is set (a backfill: listings carry no dates, so older articles are reached
    by page number). Page N is the previous page's next link, or ``page_url`` with ``{page}``."""
    url: str | None = require_url(source)
    seen: set[str] = set()
    candidates: list[Candidate] = []
    for number in range(2, _page_limit(source, since) + 2):
        if url is None or url in seen:
            break
        seen.add(url)
        try:
            page = await fetcher.get(url, kind="page")
        except FetchError as exc:
            if len(seen) == 1:
                raise
            logger.warning("source %s: listing page %s skipped: %s", source.name, url, exc)
            break
        found, next_url = parse_listing(source, page.text, page.final_url)
        if not found and len(seen) > 1:
            break  # past the last page
        candidates.extend(found)
        url = _numbered(source, number) or next_url
    return Discovery(unique(candidates))

"""RSS 0.9x/1.0/2.0 and Atom feeds, parsed by feedparser.

An entry's link may be relative: it is resolved against the feed's URL. An entry whose link
cannot be requested is rejected alone (:class:`~ingest.records.Rejection`); a date that cannot
be read leaves the entry undated.
"""

from __future__ import annotations

import calendar
import logging
from datetime import UTC, datetime
from typing import Any

import feedparser

from ingest.clean.dates import in_calendar
from ingest.config import SourceConfig
from ingest.errors import InvalidURL, SourceError
from ingest.fetch import Getter
from ingest.records import Discovery, Precision
from ingest.sources._common import Collector, is_recent, precision_of, require_url
from ingest.urls import join

__all__ = ["discover", "parse_feed"]

logger = logging.getLogger(__name__)


def _entry_date(entry: Any) -> tuple[datetime | None, Precision | None]:
    """The entry's publication time (else its update or creation time) and its precision."""
    for key in ("published", "updated", "created"):
        value = entry.get(f"{key}_parsed")
        if not value:
            continue
        try:
            at = datetime.fromtimestamp(calendar.timegm(value), UTC)
        except (OverflowError, ValueError, OSError):  # a year feedparser read but UTC lacks
            continue
        if in_calendar(at):
            return at, precision_of(str(entry.get(key) or ""))
    return None, None


def _entry_url(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    guid = entry.get("id")
    if guid and str(guid).startswith(("http://", "https://")):
        return str(guid)
    return None


def _add_entry(
    items: Collector, entry: Any, link: str, feed_url: str, since: datetime | None
) -> None:
    """Keep or reject one entry with a link; one older than ``since`` is left out."""
    published_at, precision = _entry_date(entry)
    if not is_recent(published_at, since):
        return
    try:
        url = join(feed_url, link)
    except InvalidURL as exc:
        items.reject(exc)
        return
    guid = entry.get("id")
    items.add(
        url,
        published_at=published_at,
        published_precision=precision,
        title=entry.get("title"),
        guid=str(guid) if guid else None,
    )


def parse_feed(source: SourceConfig, body: bytes, *, url: str, since: datetime | None) -> Discovery:
    """The entries of a feed document found at ``url``; raises SourceError when it is not a
    usable feed (empty, broken XML with no entry that has a link, or not a feed at all)."""
    parsed = feedparser.parse(body)
    items = Collector(source)
    linked = 0
    for entry in parsed.get("entries", []):
        link = _entry_url(entry)
        if link is not None:
            linked += 1
            _add_entry(items, entry, link, url, since)
    if not linked and parsed.get("bozo"):
        problem = parsed.get("bozo_exception") or "not a feed"
        raise SourceError(source.name, f"malformed feed: {problem}")
    if not linked and not parsed.get("version"):
        raise SourceError(source.name, "not an RSS or Atom feed")
    if parsed.get("bozo"):
        logger.info("source %s: feed parsed with problems: %s", source.name, parsed.bozo_exception)
    return items.discovery()


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> Discovery:
    """Fetch the feed at ``source.url`` and list its entries."""
    page = await fetcher.get(require_url(source), kind="feed")
    return parse_feed(source, page.body, url=page.final_url, since=since)

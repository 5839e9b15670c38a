"""RSS 0.9x/1.0/2.0 and Atom feeds, parsed by feedparser."""

from __future__ import annotations

import calendar
import logging
from datetime import UTC, datetime
from typing import Any

import feedparser

from ingest.config import SourceConfig
from ingest.errors import SourceError
from ingest.fetch import Getter
from ingest.records import Candidate, Precision
from ingest.sources._common import (
    is_recent,
    make_candidate,
    precision_of,
    require_url,
    unique,
)

__all__ = ["discover", "parse_feed"]

logger = logging.getLogger(__name__)


def _entry_date(entry: Any) -> tuple[datetime | None, Precision | None]:
    """The entry's publication time (else its update or creation time) and its precision."""
    for key in ("published", "updated", "created"):
        value = entry.get(f"{key}_parsed")
        if value:
            at = datetime.fromtimestamp(calendar.timegm(value), UTC)
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


def _entry_candidate(source: SourceConfig, entry: Any) -> Candidate | None:
    url = _entry_url(entry)
    if url is None:
        return None
    guid = entry.get("id")
    published_at, precision = _entry_date(entry)
    return make_candidate(
        source,
        url,
        published_at=published_at,
        published_precision=precision,
        title=entry.get("title"),
        guid=str(guid) if guid else None,
    )


def parse_feed(source: SourceConfig, body: bytes, *, since: datetime | None) -> list[Candidate]:
    """Candidates from a feed document; raises SourceError when it is not a usable feed
    (broken XML that yields no entry with an http(s) link, or not a feed at all)."""
    parsed = feedparser.parse(body)
    usable = [c for e in parsed.entries if (c := _entry_candidate(source, e)) is not None]
    if parsed.bozo and not usable:
        problem = parsed.get("bozo_exception", "not a feed")
        raise SourceError(source.name, f"malformed feed: {problem}")
    if not parsed.version and not usable:
        raise SourceError(source.name, "not an RSS or Atom feed")
    if parsed.bozo:
        logger.info("source %s: feed parsed with problems: %s", source.name, parsed.bozo_exception)
    return unique([c for c in usable if is_recent(c.published_at, since)])


async def discover(
    source: SourceConfig, fetcher: Getter, *, since: datetime | None = None
) -> list[Candidate]:
    """Fetch the feed at ``source.url`` and list its entries."""
    page = await fetcher.get(require_url(source), kind="feed")
    return parse_feed(source, page.body, since=since)

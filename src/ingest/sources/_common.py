"""Helpers shared by the source kinds."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from ingest.config import SourceConfig
from ingest.errors import SourceError
from ingest.records import Candidate, Precision
from ingest.urls import canonicalize, host_of, is_http_url

__all__ = [
    "aware",
    "is_recent",
    "make_candidate",
    "parse_iso",
    "precision_of",
    "require_url",
    "unique",
]

_TIME_OF_DAY = re.compile(r"\d:\d\d")

logger = logging.getLogger(__name__)


def aware(value: datetime) -> datetime:
    """``value`` with a time zone; a naive one is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 date or datetime (``Z`` allowed), timezone-aware; None when unparseable."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def precision_of(value: str) -> Precision:
    """Whether a written date gives the time of day ("2024-09-04T07:00+08:00", "Wed, 04 Sep
    2024 07:00:00 +0800") or only the day ("2024-09-04")."""
    return Precision.MINUTE if _TIME_OF_DAY.search(value) else Precision.DAY


def is_recent(published_at: datetime | None, since: datetime | None) -> bool:
    """Keep undated entries; drop dated ones older than ``since``."""
    return since is None or published_at is None or aware(published_at) >= aware(since)


def make_candidate(
    source: SourceConfig,
    url: str,
    *,
    published_at: datetime | None = None,
    title: str | None = None,
    guid: str | None = None,
    published_precision: Precision | None = None,
) -> Candidate | None:
    """A Candidate with a canonical URL and the source's outlet; None for a non-http URL."""
    if not is_http_url(url):
        logger.debug("source %s: skipping non-http URL %r", source.name, url)
        return None
    canonical = canonicalize(url)
    return Candidate(
        url=canonical,
        source=source.name,
        outlet=source.outlet or host_of(canonical),
        published_at=published_at,
        published_precision=published_precision,
        title=title.strip() if title and title.strip() else None,
        guid=guid,
    )


def unique(candidates: list[Candidate]) -> list[Candidate]:
    """First occurrence of each URL, order kept."""
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.url, candidate)
    return list(seen.values())


def require_url(source: SourceConfig) -> str:
    """The source's ``url``; SourceError when it has none."""
    if not source.url:
        raise SourceError(source.name, f"kind {source.kind!r} needs a url")
    return source.url

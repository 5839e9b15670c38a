"""Helpers shared by the source kinds."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from ingest.clean.dates import in_calendar
from ingest.config import SourceConfig
from ingest.errors import InvalidURL, SourceError
from ingest.records import Candidate, Discovery, Precision, Rejection
from ingest.urls import canonicalize, check_url, host_of

__all__ = [
    "Collector",
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
    """An ISO 8601 date or datetime (``Z`` allowed), timezone-aware; None when unparseable or
    out of the calendar (:func:`~ingest.clean.dates.in_calendar`)."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return aware(parsed) if in_calendar(parsed) else None


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
) -> Candidate:
    """A Candidate with a canonical URL and the source's outlet; InvalidURL for a URL that
    cannot be requested (:func:`~ingest.urls.check_url`)."""
    canonical = canonicalize(check_url(url))
    return Candidate(
        url=canonical,
        source=source.name,
        outlet=source.outlet or host_of(canonical),
        published_at=published_at,
        published_precision=published_precision,
        title=title.strip() if title and title.strip() else None,
        guid=guid,
    )


class Collector:
    """The items of one discovery, gathered one by one: an item that cannot be used is
    rejected alone, with its reason, and the others are kept::

        items = Collector(source)
        for entry in entries:
            items.add(entry.link, title=entry.title)
        return items.discovery()
    """

    def __init__(self, source: SourceConfig) -> None:
        self.source = source
        self.candidates: list[Candidate] = []
        self.rejected: list[Rejection] = []

    def add(
        self,
        url: str,
        *,
        published_at: datetime | None = None,
        published_precision: Precision | None = None,
        title: str | None = None,
        guid: str | None = None,
    ) -> None:
        """Keep the item at ``url``, or reject it when the URL cannot be requested."""
        try:
            candidate = make_candidate(
                self.source,
                url,
                published_at=published_at,
                published_precision=published_precision,
                title=title,
                guid=guid,
            )
        except InvalidURL as exc:
            self.reject(exc)
            return
        self.candidates.append(candidate)

    def reject(self, error: InvalidURL) -> None:
        """Count an item as rejected because of ``error``."""
        self.rejected.append(Rejection(error.error_class, str(error)))

    def discovery(self) -> Discovery:
        """The candidates gathered (first of each URL) and the items rejected."""
        return Discovery(unique(self.candidates), self.rejected)


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

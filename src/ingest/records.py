"""Plain records passed between the pipeline's stages.

They are frozen dataclasses so that a stage can never change what an earlier stage produced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, tzinfo
from enum import StrEnum
from operator import attrgetter
from typing import Any, Protocol, TypeVar

__all__ = [
    "Article",
    "Candidate",
    "Candidates",
    "Discovery",
    "FetchedPage",
    "Precision",
    "Rejection",
    "publication_key",
    "published_day",
    "published_fields",
    "shown_in",
]

_T = TypeVar("_T")


def _pickled_as_tuples(cls: type[_T]) -> type[_T]:
    """Pickle ``cls`` as the tuple of its field values. A slotted dataclass's own pickling
    looks its fields up again for every object, which costs more than the values themselves
    when thousands of records a minute cross to worker processes and back."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    values = attrgetter(*names)

    def getstate(self: _T) -> tuple[Any, ...]:
        return values(self)

    def setstate(self: _T, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = getstate  # type: ignore[assignment]
    cls.__setstate__ = setstate  # type: ignore[attr-defined]
    return cls


class Precision(StrEnum):
    """How precisely a publication time is known: to its day (a page, feed or sitemap that
    gives only a date) or to the minute."""

    DAY = "day"
    MINUTE = "minute"


def published_fields(
    published_at: datetime | None, precision: Precision | None
) -> tuple[datetime | None, Precision | None]:
    """A publication time and its precision as records keep them: no precision without a
    time, and a time known only to its day as 00:00 UTC of the date it was given in (the date
    in its own zone, or as written when naive), so that the date reads back the same whatever
    zone it is shown in::

        >>> at = datetime.fromisoformat("2024-09-04T00:00+07:00")  # a date, at 00:00 WIB
        >>> published_fields(at, Precision.DAY)[0].isoformat()
        '2024-09-04T00:00:00+00:00'
    """
    if published_at is None:
        return None, None
    if precision is Precision.DAY:
        day = published_at.date()
        return datetime(day.year, day.month, day.day, tzinfo=UTC), precision
    return published_at, precision


def published_day(at: datetime, precision: str | None, tz: tzinfo) -> date:
    """The calendar day of a publication in ``tz``: its own date when known only to the day
    (00:00 of it in the zone it carries: UTC as stored, ``tz`` as shown)."""
    return at.date() if precision == Precision.DAY else at.astimezone(tz).date()


def shown_in(at: datetime | None, precision: str | None, tz: tzinfo) -> datetime | None:
    """A stored publication time as shown in ``tz``: the instant in that zone, or, known only
    to the day, 00:00 of its own date there (the same date in every zone)."""
    if at is None:
        return None
    if precision == Precision.DAY:
        return datetime.combine(published_day(at, precision, tz), time(), tzinfo=tz)
    return at.astimezone(tz)


def publication_key(at: datetime, precision: str | None, tz: tzinfo) -> tuple[date, int, datetime]:
    """How publications sort, earliest first: by their day in ``tz``, then a time known to the
    minute before a time known only to its day (which never looks earlier than a precise time
    of the same day), then by instant."""
    return published_day(at, precision, tz), int(precision == Precision.DAY), at.astimezone(UTC)


def _keep_published(record: Candidate | Article) -> None:
    at, precision = published_fields(record.published_at, record.published_precision)
    if at is not record.published_at or precision is not record.published_precision:
        object.__setattr__(record, "published_at", at)
        object.__setattr__(record, "published_precision", precision)


@_pickled_as_tuples
@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A URL a source offers, with what the source says about it.

    Local kinds (``html_dir``, ``jsonl``) carry the content itself in ``html`` or ``text``;
    remote kinds leave both empty and the page is fetched.
    """

    url: str
    source: str
    outlet: str
    published_at: datetime | None = None
    title: str | None = None
    guid: str | None = None
    html: str | None = None
    text: str | None = None
    published_precision: Precision | None = None
    """How precisely ``published_at`` is known (None with it, or when the source cannot tell)."""

    def __post_init__(self) -> None:
        _keep_published(self)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An item a source offered that cannot be used (a feed entry whose link is no URL):
    ``reason`` is a short stable key (``bad_url``), ``message`` one line for the run's log."""

    reason: str
    message: str


class Candidates(Protocol):
    """Candidates that can be counted and iterated: a list, or the documents of a file read
    again, a line at a time, each time they are iterated."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Candidate]: ...


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a source offers now: its candidates, and the items it rejected one by one."""

    candidates: list[Candidate] | Candidates
    rejected: list[Rejection] = field(default_factory=list)


@_pickled_as_tuples
@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedPage:
    """The result of one HTTP request. ``not_modified`` is True for a 304 (``body`` is empty)."""

    url: str
    final_url: str
    status_code: int
    body: bytes
    content_type: str
    encoding: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    not_modified: bool = False
    content_sha1: str | None = None
    """The body's SHA-1 when the body itself was dropped (a queued fetch state keeps only it)."""

    @property
    def text(self) -> str:
        """The body decoded with the detected encoding."""
        return self.body.decode(self.encoding or "utf-8", errors="replace")


@_pickled_as_tuples
@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """A cleaned article, ready for dedup and the store.

    ``text`` is the cleaned body (boilerplate, dateline and credits removed); what was split off
    is kept in ``dateline``, ``credits`` and ``syndicated_from``. Datetimes are timezone-aware.
    A publication known only to its day keeps that date in every zone: ``published_at`` is
    00:00 UTC of it and ``published_precision`` is :attr:`Precision.DAY`.
    """

    url: str
    outlet: str
    title: str | None
    text: str
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    event_date: date | None = None
    language: str | None = None
    site_name: str | None = None
    dateline: str | None = None
    credits: tuple[str, ...] = field(default_factory=tuple)
    syndicated_from: str | None = None
    page_url: str | None = None
    """The URL the page declares for itself (rel=canonical, og:url), if any."""
    published_precision: Precision | None = None
    """How precisely ``published_at`` is known: a day-precision time is 00:00 UTC of its
    date (see :func:`published_fields`); None with ``published_at`` None."""
    short: bool = False
    """A short article (a brief, a breaking item): ``text`` is shorter than
    ``extract.short_chars``."""

    def __post_init__(self) -> None:
        _keep_published(self)

"""The read side, shared by the CLI, the Python API and the HTTP API.

with open_store(url) as store, store.read_session() as session:
    for story in stories(session, Filters(outlet="kukarkab.go.id")):
        print(story.story_id, story.title, len(story.members))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ingest.errors import NotFound
from ingest.records import Precision, publication_key, shown_in
from ingest.store.models import Document, Story, StoryMember

__all__ = [
    "DocumentRecord",
    "Filters",
    "MemberRecord",
    "StoryRecord",
    "documents",
    "stories",
    "story",
]

RELATION_ORDER = {"canonical": 0, "exact": 1, "near_duplicate": 2, "same_story": 3}

#: The zone of days and times when none is given: Kutai Kartanegara's (WITA, UTC+8).
DEFAULT_ZONE: tzinfo = ZoneInfo("Asia/Makassar")


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """What to select. Dates are inclusive days in ``tz`` (a publication known only to its day
    is on that day in every zone), and records show times in ``tz``; ``text`` matches title
    or body::

        Filters(since=date(2024, 9, 4), tz=ZoneInfo("Asia/Jakarta"))
    """

    since: date | None = None
    until: date | None = None
    outlet: str | None = None
    text: str | None = None
    limit: int | None = None
    tz: tzinfo = DEFAULT_ZONE


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRecord:
    document_id: int
    url: str
    outlet: str
    title: str | None
    published_at: datetime | None
    relation: str
    similarity: float
    matched_document_id: int | None
    evidence: dict[str, Any] = field(default_factory=dict)
    published_precision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "outlet": self.outlet,
            "published_at": _iso(self.published_at),
            "published_precision": self.published_precision,
            "relation": self.relation,
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryRecord:
    story_id: int
    canonical_url: str | None
    title: str | None
    published_at: datetime | None
    members: tuple[MemberRecord, ...]
    published_precision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "published_at": _iso(self.published_at),
            "published_precision": self.published_precision,
            "members": [m.to_dict() for m in self.members],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentRecord:
    url: str
    outlet: str
    title: str | None
    published_at: datetime | None
    event_date: date | None
    language: str | None
    story_id: int | None
    text: str
    published_precision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "published_at": _iso(self.published_at),
            "published_precision": self.published_precision,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "language": self.language,
            "story_id": self.story_id,
            "text": self.text,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _on_or_after(doc: type[Document] | Any, day: date, tz: tzinfo) -> ColumnElement[bool]:
    """Published on ``day`` in ``tz`` or later; a day-only date (00:00 UTC of it) by its date."""
    is_day = func.coalesce(doc.published_precision, "") == Precision.DAY.value
    return or_(
        and_(is_day, doc.published_at >= _day_start(day, UTC)),
        and_(~is_day, doc.published_at >= _day_start(day, tz)),
    )


def _document_conditions(filters: Filters, doc: type[Document] | Any) -> list[Any]:
    conditions: list[Any] = []
    if filters.since:
        conditions.append(_on_or_after(doc, filters.since, filters.tz))
    if filters.until:
        after = _on_or_after(doc, filters.until + timedelta(days=1), filters.tz)
        conditions.append(and_(doc.published_at.is_not(None), ~after))
    if filters.outlet:
        conditions.append(func.lower(doc.outlet) == filters.outlet.lower())
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        conditions.append(
            or_(func.lower(doc.title).like(pattern), func.lower(doc.text).like(pattern))
        )
    return conditions


def _story_ids(filters: Filters) -> Select[tuple[int]]:
    """Stories with at least one member matching every filter, newest first."""
    member = aliased(StoryMember)
    doc = aliased(Document)
    query = select(Story.id)
    conditions = _document_conditions(filters, doc)
    if conditions:
        query = query.where(
            exists()
            .where(member.story_id == Story.id)
            .where(doc.id == member.document_id)
            .where(and_(*conditions))
        )
    canonical = aliased(Document)
    query = query.outerjoin(canonical, canonical.id == Story.canonical_document_id)
    query = query.order_by(canonical.published_at.desc().nulls_last(), Story.id.desc())
    return query.limit(filters.limit) if filters.limit else query


def stories(session: Session, filters: Filters | None = None) -> Iterator[StoryRecord]:
    """Stories matching ``filters``, newest first, each with all its members."""
    filters = filters or Filters()
    ids = list(session.scalars(_story_ids(filters)))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        loaded = _load_stories(session, chunk, filters.tz)
        for story_id in chunk:
            yield loaded[story_id]


def story(session: Session, story_id: int, *, tz: tzinfo = DEFAULT_ZONE) -> StoryRecord:
    """One story, its times shown in ``tz``; raises NotFound when there is none with that id."""
    loaded = _load_stories(session, [story_id], tz)
    if story_id not in loaded:
        raise NotFound(f"story {story_id} not found")
    return loaded[story_id]


def _load_stories(session: Session, ids: list[int], tz: tzinfo) -> dict[int, StoryRecord]:
    rows = session.execute(
        select(Story.id, Story.canonical_document_id, StoryMember, Document)
        .join(StoryMember, StoryMember.story_id == Story.id)
        .join(Document, Document.id == StoryMember.document_id)
        .where(Story.id.in_(ids))
    ).all()
    grouped: dict[int, list[MemberRecord]] = {}
    canonical_ids: dict[int, int | None] = {}
    for story_id, canonical_id, member, document in rows:
        canonical_ids[story_id] = canonical_id
        grouped.setdefault(story_id, []).append(_member(member, document, tz))
    result = {}
    for story_id, members in grouped.items():
        members.sort(key=_member_order)
        canonical = next(
            (m for m in members if m.document_id == canonical_ids[story_id]), members[0]
        )
        result[story_id] = StoryRecord(
            story_id=story_id,
            canonical_url=canonical.url,
            title=canonical.title,
            published_at=canonical.published_at,
            published_precision=canonical.published_precision,
            members=tuple(members),
        )
    return result


def _member_order(member: MemberRecord) -> tuple[int, bool, tuple[date, int, datetime], int]:
    at, precision = member.published_at, member.published_precision
    published = publication_key(at, precision, at.tzinfo or UTC) if at else _UNDATED
    return (RELATION_ORDER.get(member.relation, 9), at is None, published, member.document_id)


_UNDATED = (date.max, 0, datetime.max.replace(tzinfo=UTC))


def _member(member: StoryMember, document: Document, tz: tzinfo) -> MemberRecord:
    return MemberRecord(
        document_id=document.id,
        url=document.url,
        outlet=document.outlet,
        title=document.title,
        published_at=shown_in(document.published_at, document.published_precision, tz),
        published_precision=document.published_precision,
        relation=member.relation,
        similarity=member.similarity,
        matched_document_id=member.matched_document_id,
        evidence=dict(member.evidence or {}),
    )


def documents(
    session: Session, filters: Filters | None = None, *, story_id: int | None = None
) -> Iterator[DocumentRecord]:
    """Stored documents matching ``filters``, newest first (like :func:`stories`), streamed.
    With ``story_id``, that story's documents; a story that does not exist is NotFound."""
    filters = filters or Filters()
    query = (
        select(Document, StoryMember.story_id)
        .outerjoin(StoryMember, StoryMember.document_id == Document.id)
        .where(and_(True, *_document_conditions(filters, Document)))
        .order_by(Document.published_at.desc().nulls_last(), Document.id.desc())
    )
    if story_id is not None:
        if session.get(Story, story_id) is None:
            raise NotFound(f"story {story_id} not found")
        query = query.where(StoryMember.story_id == story_id)
    if filters.limit:
        query = query.limit(filters.limit)
    for document, member_story in session.execute(query.execution_options(yield_per=500)):
        yield DocumentRecord(
            url=document.url,
            outlet=document.outlet,
            title=document.title,
            published_at=shown_in(document.published_at, document.published_precision, filters.tz),
            published_precision=document.published_precision,
            event_date=document.event_date,
            language=document.language,
            story_id=member_story,
            text=document.text,
        )

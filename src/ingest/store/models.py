"""SQLAlchemy 2 models of the store.

    sources ─┐
    runs ────┼─< documents >── story_members >── stories
    fetch_state (one row per fetched URL: conditional-GET validators)

Every document belongs to exactly one story through its ``story_members`` row; the story's
``canonical_document_id`` names the member that represents it. Datetimes are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Document",
    "FetchState",
    "Run",
    "Source",
    "Story",
    "StoryMember",
    "UTCDateTime",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC (SQLite keeps no offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    """A configured source, its health, and the lease of the run ingesting it now (so that
    two runs never ingest one source at the same time)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    outlet: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(Text)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_class: Mapped[str | None] = mapped_column(String(40))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None]
    lease_run_id: Mapped[int | None] = mapped_column(Integer)
    lease_until: Mapped[datetime | None]


class FetchState(Base):
    """What we know of a fetched URL: validators for conditional GET and the outcome."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source_name: Mapped[str | None] = mapped_column(String(200))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_sha1: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[datetime | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))


class Run(Base):
    """One pipeline run and its summary. While it runs, ``heartbeat_at`` is renewed and
    ``host``, ``pid`` and ``process_start`` say which process it is, so that another run can
    tell it died (:mod:`ingest.store.liveness`); a run found dead is ``interrupted`` and its
    ``finished_at`` is when it was last heard from."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    trigger: Mapped[str] = mapped_column(String(40), default="manual")
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    process_start: Mapped[str | None] = mapped_column(String(80))
    heartbeat_at: Mapped[datetime | None]


class Document(Base):
    """One stored article, cleaned."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_name: Mapped[str | None] = mapped_column(String(200))
    outlet: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_precision: Mapped[str | None] = mapped_column(String(8))
    """``day`` or ``minute`` (:class:`~ingest.records.Precision`); NULL when unknown (stored
    before precision was kept) or with no ``published_at``. A day is 00:00 UTC of its date."""
    modified_at: Mapped[datetime | None]
    event_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(10))
    site_name: Mapped[str | None] = mapped_column(String(200))
    dateline: Mapped[str | None] = mapped_column(String(300))
    credits: Mapped[list[Any]] = mapped_column(default=list)
    syndicated_from: Mapped[str | None] = mapped_column(String(2000))
    text: Mapped[str] = mapped_column(Text)
    short: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A short article (a brief, a breaking item): its text is shorter than
    ``extract.short_chars``."""
    text_sha1: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))

    membership: Mapped[StoryMember | None] = relationship(
        back_populates="document", foreign_keys="StoryMember.document_id"
    )


class Story(Base):
    """One story: a canonical document and every document that reports it."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    canonical: Mapped[Document | None] = relationship(foreign_keys=[canonical_document_id])
    members: Mapped[list[StoryMember]] = relationship(back_populates="story")


class StoryMember(Base):
    """How one document belongs to its story.

    ``relation`` is ``canonical``, ``exact``, ``near_duplicate`` or ``same_story``;
    ``similarity`` is the score that joined it (1.0 for the canonical member);
    ``matched_document_id`` is the document it was matched against and ``evidence`` says why.
    """

    __tablename__ = "story_members"
    __table_args__ = (Index("ix_story_members_story", "story_id"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    relation: Mapped[str] = mapped_column(String(20))
    similarity: Mapped[float] = mapped_column(Float, default=1.0)
    matched_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(
        back_populates="membership", foreign_keys=[document_id]
    )
    story: Mapped[Story] = relationship(back_populates="members")

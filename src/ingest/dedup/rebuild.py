"""Re-clustering the whole store with (possibly other) settings, without refetching."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup.assign import assign
from ingest.store.dedup_models import (
    DedupAnchor,
    DedupAnchorCount,
    DedupBand,
    DedupEntry,
    DedupPassageCount,
    DedupStoryPassage,
)
from ingest.store.models import Document, Story, StoryMember

__all__ = ["RebuildSummary", "clear", "rebuild"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What a rebuild produced."""

    documents: int
    stories: int
    relations: dict[str, int]
    duration_s: float


def clear(session: Session) -> None:
    """Delete the index, every membership and every story."""
    for model in (
        DedupStoryPassage,
        DedupPassageCount,
        DedupAnchorCount,
        DedupAnchor,
        DedupBand,
        DedupEntry,
        StoryMember,
    ):
        session.execute(delete(model))
    session.execute(update(Story).values(canonical_document_id=None))
    session.execute(delete(Story))


def rebuild(session: Session, settings: DedupSettings, *, batch: int = 200) -> RebuildSummary:
    """Drop the index and the stories, then assign every document again in
    ``(published_at, id)`` order (undated documents last). Runs in the caller's transaction."""
    started = time.perf_counter()
    clear(session)
    session.flush()
    session.expunge_all()
    ids = session.scalars(
        select(Document.id).order_by(
            Document.published_at.is_(None), Document.published_at, Document.id
        )
    ).all()
    relations: Counter[str] = Counter()
    stories = 0
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(part)))}
        for doc_id in part:
            result = assign(session, docs[doc_id], settings)
            stories += result.new_story
            relations["joined" if not result.new_story else "new_story"] += 1
        session.flush()
        session.expunge_all()
        logger.info("rebuild: %d/%d documents", start + len(part), len(ids))
    final = Counter(session.scalars(select(StoryMember.relation)))
    return RebuildSummary(len(ids), stories, dict(final), time.perf_counter() - started)

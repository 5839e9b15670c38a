"""Re-clustering the whole store with (possibly other) settings, without refetching."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup.assign import assign_batch
from ingest.dedup.story_ids import canonicals, lasting_ids, stories_before
from ingest.store.dedup_models import (
    DedupAnchor,
    DedupAnchorCount,
    DedupBand,
    DedupEntry,
    DedupPassageCount,
    DedupStoryPassage,
)
from ingest.store.models import Document, Story, StoryMember
from ingest.store.renumber import renumber_stories

__all__ = ["RebuildSummary", "assign_pending", "clear", "rebuild"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What a rebuild produced: documents assigned, stories created, and the relations of the
    assigned documents to their canonical records."""

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


def _publication_order(session: Session, *, unassigned_only: bool) -> list[int]:
    query = select(Document.id)
    if unassigned_only:
        query = query.outerjoin(StoryMember, StoryMember.document_id == Document.id).where(
            StoryMember.document_id.is_(None)
        )
    order = (Document.published_at.is_(None), Document.published_at, Document.id)
    return list(session.scalars(query.order_by(*order)))


def _assign_all(session: Session, ids: list[int], settings: DedupSettings, batch: int) -> int:
    """Assign documents in the given order, ``batch`` at a time (the same result as one by
    one); returns the number of new stories."""
    stories = 0
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(part)))}
        assigned = assign_batch(session, [docs[doc_id] for doc_id in part], settings)
        stories += sum(a.new_story for a in assigned)
        session.flush()
        session.expunge_all()
        logger.info("dedup: %d/%d documents assigned", start + len(part), len(ids))
    return stories


def rebuild(session: Session, settings: DedupSettings, *, batch: int = 200) -> RebuildSummary:
    """Drop the index and the stories, then assign every document again in
    ``(published_at, id)`` order (undated documents last). Reads only stored text; runs in the
    caller's transaction, so a failed rebuild leaves the previous clustering. A story keeps
    its id when its canonical document does (see :mod:`ingest.dedup.story_ids`)."""
    started = time.perf_counter()
    before = stories_before(session)
    clear(session)
    session.flush()
    session.expunge_all()
    ids = _publication_order(session, unassigned_only=False)
    stories = _assign_all(session, ids, settings, batch)
    renumber_stories(session, lasting_ids(before, canonicals(session)))
    final = Counter(session.scalars(select(StoryMember.relation)))
    return RebuildSummary(len(ids), stories, dict(final), time.perf_counter() - started)


def assign_pending(
    session: Session, settings: DedupSettings, *, batch: int = 200
) -> RebuildSummary:
    """Assign the stored documents that have no story yet (stored before dedup ran, or by a
    bulk import), in publication order, keeping every existing story."""
    started = time.perf_counter()
    ids = _publication_order(session, unassigned_only=True)
    stories = _assign_all(session, ids, settings, batch)
    relations = Counter(
        session.scalars(select(StoryMember.relation).where(StoryMember.document_id.in_(ids)))
        if ids
        else []
    )
    return RebuildSummary(len(ids), stories, dict(relations), time.perf_counter() - started)

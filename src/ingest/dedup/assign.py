"""Assigning one new document to a story: the step the pipeline calls for each document.

    features -> candidates from the index -> rules on each candidate -> join the best match's
    story (or start one) -> index rows -> canonical rule -> relations to the canonical record

Nothing here commits: the caller's transaction holds the document, its index rows and its
membership together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from ingest.config import DedupSettings
from ingest.dedup.canonical import choose_canonical
from ingest.dedup.features import Features, featurize
from ingest.dedup.index import (
    add_story_passages,
    candidate_ids,
    index_rows,
    passage_counts,
    write_index,
)
from ingest.dedup.rules import DocView, Verdict, compare
from ingest.errors import IngestError
from ingest.store.models import Document, Story, StoryMember

__all__ = ["AlreadyAssigned", "Assignment", "assign"]

logger = logging.getLogger(__name__)


class AlreadyAssigned(IngestError):
    """The document already belongs to a story (use ``rebuild`` to re-cluster)."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a document went: its story, its relation to the story's canonical record
    (``canonical`` when it is that record), the score and the document it matched."""

    story_id: int
    relation: str
    similarity: float
    matched_document_id: int | None
    new_story: bool
    matched_as: str | None = None
    """How the document matched when it joined a story (``exact``, ``near_duplicate`` or
    ``same_story``), even when it then became the story's canonical record."""


def view(document: Document, features: Features) -> DocView:
    return DocView(
        document.id,
        document.outlet,
        document.published_at,
        document.event_date,
        document.text_sha1,
        features,
    )


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "relation": verdict.relation,
        "similarity": verdict.similarity,
        "rule": verdict.rule,
        "scores": verdict.scores,
        "dates": verdict.dates,
        "passages": [
            {
                "text": m.left,
                "matched_text": m.right,
                "shared_shingles": m.shared,
                "score": m.score,
                "stories": m.stories,
            }
            for m in verdict.passages
        ],
    }


def _best_match(
    session: Session, document: Document, features: Features, settings: DedupSettings
) -> tuple[tuple[Verdict, Document] | None, int]:
    """The best matching candidate (None when none matches) and the number verified."""
    ids = candidate_ids(session, document, features, settings)
    if not ids:
        return None, 0
    candidates = list(
        session.scalars(
            select(Document)
            .join(StoryMember, StoryMember.document_id == Document.id)
            .options(contains_eager(Document.membership))
            .where(Document.id.in_(ids))
            .order_by(Document.id)
        )
    )
    feats = featurize([c.text for c in candidates], settings)
    keys = [*features.sentence_keys, *(k for f in feats for k in f.sentence_keys)]
    counts = passage_counts(session, keys)
    new = view(document, features)
    best: tuple[Verdict, Document] | None = None
    for candidate, cf in zip(candidates, feats, strict=True):
        verdict = compare(new, view(candidate, cf), settings, counts)
        if verdict.relation and (best is None or verdict.rank() > best[0].rank()):
            best = (verdict, candidate)
    logger.debug(
        "document %s: %d candidates, match %s", document.id, len(candidates), best and best[1].id
    )
    return best, len(candidates)


def assign(session: Session, document: Document, settings: DedupSettings) -> Assignment:
    """Index ``document`` (stored and flushed, without a story yet) and put it in a story."""
    if document.membership is not None:
        raise AlreadyAssigned(
            f"document {document.id} is already in story {document.membership.story_id}"
        )
    features = featurize([document.text], settings)[0]
    match, verified = _best_match(session, document, features, settings)
    if match is None:
        story = Story(canonical_document_id=document.id)
        session.add(story)
        session.flush()
        evidence: dict[str, Any] = {"rule": "no matching document", "candidates": verified}
        matched_id = None
    else:
        verdict, matched = match
        assert matched.membership is not None
        story = matched.membership.story
        evidence = {
            "matched_document_id": matched.id,
            "candidates": verified,
            **_verdict_json(verdict),
        }
        matched_id = matched.id
    member = StoryMember(
        document=document,
        story=story,
        relation="canonical",
        similarity=1.0,
        matched_document_id=matched_id,
        evidence=evidence,
    )
    session.add(member)
    write_index(session, [index_rows(document.id, features, settings)])
    add_story_passages(session, story.id, features.sentence_keys)
    session.flush()
    _apply_canonical(session, story, settings, {document.id: features})
    return Assignment(
        story_id=story.id,
        relation=member.relation,
        similarity=member.similarity,
        matched_document_id=matched_id,
        new_story=match is None,
        matched_as=None if match is None else match[0].relation,
    )


def _apply_canonical(
    session: Session, story: Story, settings: DedupSettings, known: dict[int, Features]
) -> None:
    """Choose the canonical member; set every changed member's relation to it."""
    members: Sequence[StoryMember] = session.scalars(
        select(StoryMember)
        .where(StoryMember.story_id == story.id)
        .options(selectinload(StoryMember.document))
    ).all()
    canonical = choose_canonical([m.document for m in members], settings)
    changed = story.canonical_document_id != canonical.id
    story.canonical_document_id = canonical.id
    todo = [m for m in members if changed or m.document_id in known]
    if not todo:
        return
    need = [m.document for m in todo if m.document_id not in known]
    if canonical.id not in known:
        need.append(canonical)
    for doc, feats in zip(need, featurize([d.text for d in need], settings), strict=True):
        known[doc.id] = feats
    counts = passage_counts(session, [k for f in known.values() for k in f.sentence_keys])
    target = view(canonical, known[canonical.id])
    for member in todo:
        _relate(member, target, view(member.document, known[member.document_id]), settings, counts)


def _relate(
    member: StoryMember,
    canonical: DocView,
    doc: DocView,
    settings: DedupSettings,
    counts: dict[int, int],
) -> None:
    evidence = dict(member.evidence or {})
    if doc.id == canonical.id:
        member.relation, member.similarity = "canonical", 1.0
        evidence.pop("canonical", None)
    else:
        verdict = compare(doc, canonical, settings, counts)
        joined = float(evidence.get("similarity", verdict.similarity))
        member.relation = verdict.relation or "same_story"
        member.similarity = verdict.similarity if verdict.relation else joined
        evidence["canonical"] = {"document_id": canonical.id, **_verdict_json(verdict)}
    member.evidence = evidence

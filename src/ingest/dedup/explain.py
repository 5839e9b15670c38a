"""Why a story's members were joined: the data behind ``ingest story ID --why``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ingest.errors import NotFound
from ingest.store.models import Story

__all__ = ["MemberExplanation", "SharedPassage", "StoryExplanation", "explain"]


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A sentence of the member and the matching sentence of the document it matched."""

    text: str
    matched_text: str
    score: float
    shared_shingles: int
    stories: int


@dataclass(frozen=True, slots=True)
class MemberExplanation:
    """One member: how it relates to the canonical record and why it was joined."""

    document_id: int
    url: str
    outlet: str
    published_at: datetime | None
    event_date: date | None
    relation: str
    similarity: float
    matched_document_id: int | None
    rule: str
    scores: dict[str, float]
    dates: dict[str, Any]
    shared_passages: tuple[SharedPassage, ...]
    canonical_scores: dict[str, float]


@dataclass(frozen=True, slots=True)
class StoryExplanation:
    """A story, its canonical record and its members in publication order."""

    story_id: int
    canonical_document_id: int | None
    canonical_rule: str
    members: tuple[MemberExplanation, ...]


def _passages(raw: list[dict[str, Any]]) -> tuple[SharedPassage, ...]:
    return tuple(
        SharedPassage(
            p["text"],
            p["matched_text"],
            float(p["score"]),
            int(p["shared_shingles"]),
            int(p["stories"]),
        )
        for p in raw
    )


def explain(session: Session, story_id: int) -> StoryExplanation:
    """The explanation of one story; raises :class:`~ingest.errors.NotFound`."""
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(f"story {story_id} does not exist")
    members = []
    for member in story.members:
        doc, evidence = member.document, member.evidence or {}
        members.append(
            MemberExplanation(
                document_id=doc.id,
                url=doc.url,
                outlet=doc.outlet,
                published_at=doc.published_at,
                event_date=doc.event_date,
                relation=member.relation,
                similarity=member.similarity,
                matched_document_id=member.matched_document_id,
                rule=str(evidence.get("rule", "")),
                scores=dict(evidence.get("scores", {})),
                dates=dict(evidence.get("dates", {})),
                shared_passages=_passages(evidence.get("passages", [])),
                canonical_scores=dict(evidence.get("canonical", {}).get("scores", {})),
            )
        )
    members.sort(
        key=lambda m: (
            (m.published_at is None, m.published_at or datetime.min, m.document_id)
            if m.published_at is None
            else (False, m.published_at, m.document_id)
        )
    )
    canonical_rule = "canonical record: " + (
        f"document {story.canonical_document_id}" if story.canonical_document_id else "none"
    )
    return StoryExplanation(story.id, story.canonical_document_id, canonical_rule, tuple(members))

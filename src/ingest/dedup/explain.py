"""Why a story's members were joined: the data behind ``ingest story ID --why``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from ingest.errors import NotFound
from ingest.records import publication_key, shown_in
from ingest.store.models import Story

__all__ = [
    "MemberExplanation",
    "SharedPassage",
    "StoryExplanation",
    "explain",
    "format_explanation",
]


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
    """One member: how it relates to the canonical record and why it was joined.

    ``matched_document_id``, ``rule``, ``scores``, ``dates`` and ``shared_passages`` describe
    the comparison that joined the member; for the member that started the story they describe
    its comparison with the canonical record (when that is another document).
    ``published_at`` is shown in the zone :func:`explain` was given."""

    document_id: int
    url: str
    outlet: str
    published_at: datetime | None
    published_precision: str | None
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


def _publication_order(member: MemberExplanation) -> tuple[bool, tuple[Any, ...], int]:
    at = member.published_at
    when = publication_key(at, member.published_precision, at.tzinfo or UTC) if at else ()
    return (at is None, when, member.document_id)


def _dates_in(dates: dict[str, Any], tz: tzinfo) -> dict[str, Any]:
    """The evidence's dates with its publication times (ISO 8601, kept in UTC) in ``tz``; a
    date alone stays as it is."""
    published = dates.get("published")
    if isinstance(published, list):
        dates["published"] = [_time_in(value, tz) for value in published]
    return dates


def _time_in(value: Any, tz: tzinfo) -> Any:
    if not isinstance(value, str) or "T" not in value:
        return value
    try:
        return datetime.fromisoformat(value).astimezone(tz).isoformat()
    except ValueError:
        return value


def explain(session: Session, story_id: int, *, tz: tzinfo = UTC) -> StoryExplanation:
    """The explanation of one story, its times in ``tz``; raises
    :class:`~ingest.errors.NotFound`."""
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(f"story {story_id} does not exist")
    members = []
    for member in story.members:
        doc, evidence = member.document, member.evidence or {}
        why, matched = evidence, member.matched_document_id
        if matched is None and "canonical" in evidence:  # first of its story: use the
            why = evidence["canonical"]  # comparison with the canonical record that came later
            matched = why.get("document_id")
        members.append(
            MemberExplanation(
                document_id=doc.id,
                url=doc.url,
                outlet=doc.outlet,
                published_at=shown_in(doc.published_at, doc.published_precision, tz),
                published_precision=doc.published_precision,
                event_date=doc.event_date,
                relation=member.relation,
                similarity=member.similarity,
                matched_document_id=matched,
                rule=str(why.get("rule", "")),
                scores=dict(why.get("scores", {})),
                dates=_dates_in(dict(why.get("dates", {})), tz),
                shared_passages=_passages(why.get("passages", [])),
                canonical_scores=dict(evidence.get("canonical", {}).get("scores", {})),
            )
        )
    members.sort(key=_publication_order)
    canonical_rule = "canonical record: " + (
        f"document {story.canonical_document_id}" if story.canonical_document_id else "none"
    )
    return StoryExplanation(story.id, story.canonical_document_id, canonical_rule, tuple(members))


def _clip(text: str, width: int = 400) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_explanation(explanation: StoryExplanation) -> str:
    """Plain text for ``ingest story ID --why``: one block per member."""
    lines = [f"story {explanation.story_id}: {explanation.canonical_rule}"]
    for m in explanation.members:
        when = m.published_at.isoformat() if m.published_at else "?"
        lines.append(f"- document {m.document_id} {m.outlet} {when} {m.url}")
        if m.relation == "canonical":
            lines.append(f"  canonical record (joined by: {m.rule or 'first of its story'})")
            if m.matched_document_id is None:
                continue
        else:
            lines.append(f"  {m.relation} of the canonical record, similarity {m.similarity:.3f}")
        lines.append(f"  matched document {m.matched_document_id}: rule {m.rule!r}")
        scores = ", ".join(f"{k} {v:g}" for k, v in m.scores.items())
        lines.append(f"  scores: {scores}")
        dates = m.dates
        lines.append(
            f"  dates: published {dates.get('published')}, gap {dates.get('gap_days')} days, "
            f"event {dates.get('event_date')}"
        )
        for p in m.shared_passages:
            lines.append(f"  shared passage (score {p.score:g}, seen in {p.stories} stories):")
            lines.append(f"    this:    {_clip(p.text)}")
            lines.append(f"    matched: {_clip(p.matched_text)}")
    return "\n".join(lines)

"""The stories a batch touches, held in memory while the batch is assigned, then written.

:class:`StoryBook` loads, in one statement, every member of the stories that hold a batch's
stored candidates (with the facts the canonical rule reads), and records the batch's steps:
document *i* joins story *s* and adds these sentences to it. :meth:`StoryBook.plan` then
replays the steps through the canonical rule (it reads only the members' facts), which tells
the caller which members' relations must be recomputed and against which canonical record;
:meth:`StoryBook.relate` recomputes them, step by step, with the sentence counts of that step;
:meth:`StoryBook.write` writes stories, memberships and story sentences with Core bulk
statements, a constant number per batch.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, Text, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup.canonical import choose_canonical
from ingest.dedup.facts import FACT_COLUMNS, Facts, view
from ingest.dedup.features import Features
from ingest.dedup.index import write_story_passages
from ingest.dedup.lookups import key_in, story_passages
from ingest.dedup.rules import DocView, Verdict, compare
from ingest.store.models import Document, Story, StoryMember

_STORIES = cast(Table, Story.__table__)
_MEMBERS = cast(Table, StoryMember.__table__)
_DOCUMENTS = cast(Table, Document.__table__)

__all__ = ["Member", "PassageCounts", "Plan", "Step", "StoryBook", "StoryState", "verdict_json"]


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """A verdict as stored in a membership's ``evidence``."""
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


@dataclass(slots=True)
class Member:
    """A membership as it stands in the batch; ``stored`` when its row exists already."""

    facts: Facts
    relation: str
    similarity: float
    matched_document_id: int | None
    evidence: dict[str, Any] | str
    """The evidence, or the JSON text of a stored membership's (parsed only if it changes)."""
    stored: bool = False
    dirty: bool = False


@dataclass(slots=True)
class StoryState:
    """A story as it stands in the batch. ``key`` is its id, or a negative number for a story
    started by the batch (its id is known once written)."""

    key: int
    canonical_id: int
    stored_canonical_id: int | None
    members: list[Member] = field(default_factory=list)
    passages: set[int] = field(default_factory=set)

    @property
    def canonical_changed(self) -> bool:
        return self.stored_canonical_id != self.canonical_id


@dataclass(frozen=True, slots=True)
class Step:
    """A document of the batch joined ``story`` and brought these sentences new to it."""

    member: Member
    story: int
    new_keys: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """After ``step``: the story's canonical record and the members to relate to it."""

    step: Step
    canonical: Facts
    todo: tuple[Member, ...]


class PassageCounts:
    """Stories per sentence: the stored counts plus those the batch has added so far."""

    def __init__(self, stored: dict[int, int]) -> None:
        self._counts = dict(stored)

    def add(self, keys: Iterable[int]) -> None:
        for key in keys:
            self._counts[key] = self._counts.get(key, 0) + 1

    def among(self, *docs: DocView) -> dict[int, int]:
        """The counts of the sentences of ``docs`` (sentences in no story left out)."""
        get = self._counts.get
        return {k: n for d in docs for k in d.features.sentence_keys if (n := get(k, 0))}


class StoryBook:
    """The stories touched by a batch and where each touched document belongs."""

    def __init__(self) -> None:
        self.stories: dict[int, StoryState] = {}
        self.story_of: dict[int, int] = {}
        self.steps: list[Step] = []
        self._started = 0

    @classmethod
    def load(
        cls, session: Session, document_ids: Collection[int], keys: Collection[int]
    ) -> StoryBook:
        """Every member of the stories holding ``document_ids``, and which of ``keys`` those
        stories hold already."""
        book = cls()
        if not document_ids:
            return book
        members, stories = _MEMBERS.c, _STORIES.c
        held = select(members.story_id).where(key_in(session, members.document_id, document_ids))
        query = (
            select(
                members.story_id,
                stories.canonical_document_id,
                members.relation,
                members.similarity,
                members.matched_document_id,
                members.evidence.cast(Text),
                *FACT_COLUMNS,
            )
            .join(_DOCUMENTS, _DOCUMENTS.c.id == members.document_id)
            .join(_STORIES, stories.id == members.story_id)
            .where(members.story_id.in_(held))
            .order_by(members.document_id)
        )
        for row in session.execute(query).all():
            story_id, canonical_id, relation, similarity, matched, evidence, *facts = row
            story = book.stories.get(story_id)
            if story is None:
                story = book.stories[story_id] = StoryState(story_id, canonical_id, canonical_id)
            member = Member(Facts(*facts), relation, similarity, matched, evidence, True)
            story.members.append(member)
            book.story_of[member.facts.id] = story_id
        for story_id, key in story_passages(session, book.stories, keys):
            book.stories[story_id].passages.add(key)
        return book

    def join(self, member: Member, story: int | None, keys: Iterable[int]) -> Step:
        """Put ``member`` in ``story`` (a new story when None); returns the step."""
        if story is None:
            self._started += 1
            story = -self._started
            self.stories[story] = StoryState(story, member.facts.id, None)
        state = self.stories[story]
        new_keys = tuple(k for k in dict.fromkeys(sorted(keys)) if k not in state.passages)
        state.passages.update(new_keys)
        self.story_of[member.facts.id] = story
        step = Step(member, story, new_keys)
        self.steps.append(step)
        return step

    def plan(self, settings: DedupSettings) -> list[Plan]:
        """Replay the steps through the canonical rule: after each, the canonical record and
        the members whose relation to it must be computed (all of them when it changed)."""
        plans = []
        for step in self.steps:
            story = self.stories[step.story]
            story.members.append(step.member)
            canonical = choose_canonical([m.facts for m in story.members], settings)
            changed = canonical.id != story.canonical_id
            story.canonical_id = canonical.id
            todo = tuple(story.members) if changed else (step.member,)
            plans.append(Plan(step, canonical, todo))
        return plans

    @staticmethod
    def relate(
        plans: Sequence[Plan],
        features: dict[int, Features],
        stored_counts: dict[int, int],
        settings: DedupSettings,
    ) -> list[tuple[str, float]]:
        """Set each planned member's relation to its canonical record, step by step with
        the counts of that step; returns the new member's relation and score after each."""
        counts = PassageCounts(stored_counts)
        out = []
        for plan in plans:
            counts.add(plan.step.new_keys)
            target = view(plan.canonical, features[plan.canonical.id])
            for member in plan.todo:
                doc = view(member.facts, features[member.facts.id])
                _relate(member, target, doc, settings, counts.among(doc, target))
            out.append((plan.step.member.relation, plan.step.member.similarity))
        return out

    def write(self, session: Session) -> dict[int, int]:
        """Write stories, memberships and story sentences; returns story key -> story id."""
        ids = {key: key for key in self.stories if key >= 0}
        new = sorted((k for k in self.stories if k < 0), reverse=True)
        if new:
            rows = [{"canonical_document_id": self.stories[k].canonical_id} for k in new]
            # a story's canonical record belongs to it alone: it names the row (one statement,
            # where asking for the rows in parameter order costs one statement per story)
            returning = insert(_STORIES).returning(_STORIES.c.canonical_document_id, _STORIES.c.id)
            created = dict(session.execute(returning, rows).tuples().all())
            ids.update((k, created[self.stories[k].canonical_id]) for k in new)
        moved = [s for s in self.stories.values() if s.key >= 0 and s.canonical_changed]
        if moved:
            stmt = update(_STORIES).where(_STORIES.c.id == bindparam("b_id"))
            session.execute(
                stmt.values(canonical_document_id=bindparam("b_canonical")),
                [{"b_id": s.key, "b_canonical": s.canonical_id} for s in moved],
            )
        self._write_members(session, ids)
        write_story_passages(session, [(ids[s.story], s.new_keys) for s in self.steps])
        return ids

    def _write_members(self, session: Session, ids: dict[int, int]) -> None:
        rows = [
            {
                "document_id": s.member.facts.id,
                "story_id": ids[s.story],
                "relation": s.member.relation,
                "similarity": s.member.similarity,
                "matched_document_id": s.member.matched_document_id,
                "evidence": s.member.evidence,
            }
            for s in self.steps
        ]
        if rows:
            session.execute(insert(_MEMBERS), rows)
        table = _MEMBERS
        changed = [
            {
                "b_doc": m.facts.id,
                "b_relation": m.relation,
                "b_similarity": m.similarity,
                "b_evidence": m.evidence,
            }
            for s in self.stories.values()
            for m in s.members
            if m.stored and m.dirty
        ]
        if changed:
            stmt = update(table).where(table.c.document_id == bindparam("b_doc"))
            session.execute(
                stmt.values(
                    relation=bindparam("b_relation"),
                    similarity=bindparam("b_similarity"),
                    evidence=bindparam("b_evidence"),
                ),
                changed,
            )


def _relate(
    member: Member,
    canonical: DocView,
    doc: DocView,
    settings: DedupSettings,
    counts: dict[int, int],
) -> None:
    stored = member.evidence
    evidence = dict((json.loads(stored) or {}) if isinstance(stored, str) else stored)
    if doc.id == canonical.id:
        member.relation, member.similarity = "canonical", 1.0
        evidence.pop("canonical", None)
    else:
        verdict = compare(doc, canonical, settings, counts)
        joined = float(evidence.get("similarity", verdict.similarity))
        member.relation = verdict.relation or "same_story"
        member.similarity = verdict.similarity if verdict.relation else joined
        evidence["canonical"] = {"document_id": canonical.id, **verdict_json(verdict)}
    member.evidence = evidence
    member.dirty = True

"""Assigning new documents to stories: the step the pipeline calls for each batch it stores.

    features of the batch -> candidates of every document (stored index + earlier documents
    of the batch) -> stored candidates, their stories and sentence counts, in bulk -> rules
    on each candidate, in batch order -> canonical rule per step -> rows, in bulk

The result is the same as assigning the documents one by one in batch order (a document can
join a story started by an earlier document of its batch), with a constant number of SQL
statements per batch. Nothing here commits: the caller's transaction holds the documents,
their index rows and their memberships together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ingest.config import DedupSettings
from ingest.dedup import lookups
from ingest.dedup.candidates import BatchIndex
from ingest.dedup.facts import Facts, facts_of, view
from ingest.dedup.features import Features, RecentFeatures, featurize
from ingest.dedup.index import index_rows, write_index
from ingest.dedup.rules import Verdict, compare
from ingest.dedup.stories import Member, PassageCounts, Plan, StoryBook, verdict_json
from ingest.errors import IngestError
from ingest.store.models import Document, Story, StoryMember

__all__ = [
    "AlreadyAssigned",
    "Assignment",
    "assign",
    "assign_batch",
    "assign_stored",
    "batch_features",
]

logger = logging.getLogger(__name__)


#: Features of the documents assigned or read lately in this process: the next batches'
#: stored candidates are mostly among them.
_RECENT = RecentFeatures(1024)


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


def assign(session: Session, document: Document, settings: DedupSettings) -> Assignment:
    """Index ``document`` (stored and flushed, without a story yet) and put it in a story."""
    return assign_batch(session, [document], settings)[0]


def assign_batch(
    session: Session,
    documents: Sequence[Document],
    settings: DedupSettings,
    precomputed: Sequence[Features | None] | None = None,
) -> list[Assignment]:
    """Index ``documents`` (stored and flushed, without stories yet) and put each in a
    story, in order: the same stories, relations and scores as :func:`assign` on each.

    ``precomputed``, one per document, are their texts' features computed beforehand with the
    same settings (a caller may compute them ahead); those missing
    (``None``, or no list at all) are computed here.
    """
    if not documents:
        return []
    session.flush()
    texts = [d.text for d in documents]
    assigned = assign_stored(
        session, [facts_of(d) for d in documents], texts, settings, precomputed
    )
    for document in documents:
        session.expire(document, ["membership"])
    return assigned


def assign_stored(
    session: Session,
    batch: Sequence[Facts],
    texts: Sequence[str],
    settings: DedupSettings,
    precomputed: Sequence[Features | None] | None = None,
) -> list[Assignment]:
    """:func:`assign_batch` of stored documents given by their facts and texts (no ORM
    objects: the caller inserted their rows with Core, say)."""
    if not batch:
        return []
    _refuse_assigned(session, [d.id for d in batch])
    features = dict(
        zip((d.id for d in batch), batch_features(texts, precomputed, settings), strict=True)
    )
    candidates = _candidates(session, batch, features, settings)
    stored = {c for ids in candidates for c in ids} - features.keys()
    book = StoryBook.load(session, stored, {k for f in features.values() for k in f.sentence_keys})
    features.update(_featurize_stored(session, stored, settings))
    counts = _StoredCounts(session, features)
    counts.fetch(_matched(batch, candidates))
    matches = _match_all(batch, candidates, features, book, counts.counts, settings)
    plans = book.plan(settings)
    missing = {m.facts.id for p in plans for m in p.todo} | {p.canonical.id for p in plans}
    features.update(_featurize_stored(session, missing - features.keys(), settings))
    counts.fetch(_related(plans))
    relations = book.relate(plans, features, counts.counts, settings)
    story_ids = book.write(session)
    write_index(session, [index_rows(d.id, features[d.id], settings) for d in batch])
    _expire(session, book, story_ids.values())
    logger.debug("%d documents assigned, %d stored candidates", len(batch), len(stored))
    return [
        Assignment(story_ids[step.story], relation, score, matched, matched is None, how)
        for step, (relation, score), (matched, how) in zip(
            book.steps, relations, matches, strict=True
        )
    ]


def _matched(batch: Sequence[Facts], candidates: Sequence[Sequence[int]]) -> set[int]:
    """The documents that matching compares: those with candidates, and the candidates."""
    found = {c for ids in candidates for c in ids}
    return found | {d.id for d, ids in zip(batch, candidates, strict=True) if ids}


def _related(plans: Sequence[Plan]) -> set[int]:
    """The documents that relating compares: each member to relate and its canonical record
    (a canonical record related to itself compares nothing)."""
    return {
        i
        for p in plans
        for m in p.todo
        if m.facts.id != p.canonical.id
        for i in (m.facts.id, p.canonical.id)
    }


class _StoredCounts:
    """Stories per sentence as stored, read for the sentences of the documents that are
    compared (only their counts are ever read), each sentence once."""

    def __init__(self, session: Session, features: dict[int, Features]) -> None:
        self._session, self._features = session, features
        self.counts: dict[int, int] = {}
        self._fetched: set[int] = set()

    def fetch(self, document_ids: Iterable[int]) -> None:
        """Read the counts of the sentences of ``document_ids`` not read yet."""
        keys = {k for i in set(document_ids) for k in self._features[i].sentence_keys}
        keys -= self._fetched
        self.counts.update(lookups.passage_counts(self._session, keys))
        self._fetched |= keys


def _refuse_assigned(session: Session, ids: Sequence[int]) -> None:
    if len(set(ids)) != len(ids):
        raise AlreadyAssigned("the same document appears twice in one batch")
    for doc_id, story_id in lookups.assigned(session, ids):
        raise AlreadyAssigned(f"document {doc_id} is already in story {story_id}")


def _candidates(
    session: Session, batch: Sequence[Facts], features: dict[int, Features], settings: DedupSettings
) -> list[list[int]]:
    """Each document's candidate ids, as the index stands when its turn comes."""
    index = BatchIndex(session, batch, [features[d.id] for d in batch], settings)
    return [index.candidates(i) for i in range(len(batch))]


def batch_features(
    texts: Sequence[str],
    precomputed: Sequence[Features | None] | None,
    settings: DedupSettings,
) -> list[Features]:
    """The features of each text: the precomputed ones, the rest computed (one featurize for
    all of those, kept for later batches)."""
    given: Sequence[Features | None] = precomputed or [None] * len(texts)
    if len(given) != len(texts):
        raise ValueError(f"{len(given)} precomputed features for {len(texts)} documents")
    todo = [i for i, f in enumerate(given) if f is None]
    fresh = [texts[i] for i in todo]
    features = featurize(fresh, settings)
    _RECENT.keep(fresh, features, settings)
    computed = dict(zip(todo, features, strict=True))
    return [f if f is not None else computed[i] for i, f in enumerate(given)]


def _featurize_stored(
    session: Session, ids: Iterable[int], settings: DedupSettings
) -> dict[int, Features]:
    """Features of stored documents, from their stored text (one query, one featurize of the
    texts not featurized lately)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    texts = lookups.texts(session, wanted)
    features = _RECENT.featurize([texts[i] for i in wanted], settings)
    return dict(zip(wanted, features, strict=True))


def _match_all(
    batch: Sequence[Facts],
    candidates: Sequence[Sequence[int]],
    features: dict[int, Features],
    book: StoryBook,
    counts: dict[int, int],
    settings: DedupSettings,
) -> list[tuple[int | None, str | None]]:
    """Match each document in order and put it in a story: the matched document and how."""
    facts = {m.facts.id: m.facts for s in book.stories.values() for m in s.members}
    running = PassageCounts(counts)
    out: list[tuple[int | None, str | None]] = []
    for doc, ids in zip(batch, candidates, strict=True):
        new = view(doc, features[doc.id])
        best: tuple[Verdict, int] | None = None
        mine = running.among(new) if ids else {}
        for cid in sorted(ids):
            other = view(facts[cid], features[cid])
            verdict = compare(new, other, settings, {**mine, **running.among(other)})
            if verdict.relation and (best is None or verdict.rank() > best[0].rank()):
                best = (verdict, cid)
        matched = None if best is None else best[1]
        member = Member(doc, "canonical", 1.0, matched, _evidence(best, len(ids)))
        story = None if matched is None else book.story_of[matched]
        running.add(book.join(member, story, new.features.sentence_keys).new_keys)
        facts[doc.id] = doc
        out.append((matched, None if best is None else best[0].relation))
    return out


def _evidence(best: tuple[Verdict, int] | None, verified: int) -> dict[str, Any]:
    if best is None:
        return {"rule": "no matching document", "candidates": verified}
    verdict, matched = best
    return {"matched_document_id": matched, "candidates": verified, **verdict_json(verdict)}


def _expire(session: Session, book: StoryBook, story_ids: Iterable[int]) -> None:
    """Rows were written with Core: let the session reload what it holds of them."""
    if not session.identity_map:
        return
    held: list[object] = [session.identity_map.get(identity_key(Story, i)) for i in story_ids]
    held += [session.identity_map.get(identity_key(StoryMember, i)) for i in book.story_of]
    for instance in held:
        if instance is not None:
            session.expire(instance)

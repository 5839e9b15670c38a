"""Story ids last through a rebuild, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import assign, rebuild
from ingest.dedup.story_ids import StoriesBefore, lasting_ids
from ingest.store import Store
from ingest.store.models import Document, Story, StoryMember
from tests.dedup.seedlib import Seed, add_document

SETTINGS = DedupSettings()
#: 003 and 004 (the same meeting, seven hours apart) are one story only within a day.
SPLIT = SETTINGS.model_copy(update={"same_story_max_days": 0.0})


def _stories(session: Session) -> dict[int, tuple[str, frozenset[str]]]:
    """Story id -> (canonical seed, member seeds)."""
    rows = session.execute(
        select(StoryMember.story_id, Document.url, Story.canonical_document_id, Document.id)
        .join(Document, Document.id == StoryMember.document_id)
        .join(Story, Story.id == StoryMember.story_id)
    ).tuples()
    members: dict[int, set[str]] = {}
    canonical: dict[int, str] = {}
    for story, url, canonical_id, document_id in rows:
        name = url.rsplit("/", 1)[1]
        members.setdefault(story, set()).add(name)
        if canonical_id == document_id:
            canonical[story] = name
    return {s: (canonical[s], frozenset(m)) for s, m in members.items()}


def _store_newest_first(
    store: Store, seeds: dict[str, Seed]
) -> dict[int, tuple[str, frozenset[str]]]:
    """The seeds assigned newest first, so their ids are not in publication order."""
    with store.session() as session:
        for seed in sorted(seeds.values(), key=lambda s: s.published_at, reverse=True):
            doc = add_document(
                session, f"https://{seed.outlet}/{seed.name}", seed.text, seed.outlet,
                seed.published_at, seed.event_date,
            )  # fmt: skip
            assign(session, doc, SETTINGS)
        return _stories(session)


def test_a_rebuild_keeps_every_story_id(store: Store, seeds: dict[str, Seed]) -> None:
    stored = _store_newest_first(store, seeds)
    assert len(stored) == 4
    with store.session() as session:
        rebuild(session, SETTINGS)
    with store.session() as session:
        assert _stories(session) == stored
    with store.session() as session:  # and again: nothing moves
        rebuild(session, SETTINGS)
        assert _stories(session) == stored


def test_split_and_merge_keep_the_canonical_documents_ids(
    store: Store, seeds: dict[str, Seed]
) -> None:
    stored = _store_newest_first(store, seeds)
    (joined,) = [s for s, (_, members) in stored.items() if members == {"003", "004"}]
    canonical = stored[joined][0]
    with store.session() as session:
        rebuild(session, SPLIT)
    with store.session() as session:
        split = _stories(session)
    assert split[joined] == (canonical, frozenset({canonical}))
    (other,) = [s for s, (c, _) in split.items() if c == ({"003", "004"} - {canonical}).pop()]
    assert other > max(stored)  # a new id, never one that named another story
    assert {s: v for s, v in split.items() if s not in (joined, other)} == {
        s: v for s, v in stored.items() if s != joined
    }
    with store.session() as session:
        rebuild(session, SETTINGS)
    with store.session() as session:
        assert _stories(session) == stored
        later = add_document(
            session, "https://later.test/x", "Teks lain sama sekali. " * 40, "later.test",
            None, None,
        )  # fmt: skip
        assigned = assign(session, later, SETTINGS)
    assert assigned.new_story and assigned.story_id not in {other, *stored}


def test_lasting_ids_rules() -> None:
    before = StoriesBefore(
        story_of={10: 1, 11: 1, 12: 2, 13: 3}, canonical_of={1: 11, 2: 12, 3: 13}
    )
    # story 1 split: 11 (its canonical) keeps 1, 10 a new id; 12 and 13 merged under 13.
    assert lasting_ids(before, {5: 10, 6: 11, 7: 13}) == {6: 1, 5: 5, 7: 3}
    assert lasting_ids(before, {2: 10, 6: 11, 7: 13}) == {6: 1, 2: 8, 7: 3}
    # no canonical of the old story among the claims: the lowest canonical document wins
    assert lasting_ids(before, {8: 10, 9: 12}) == {8: 1, 9: 2}

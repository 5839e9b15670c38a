"""The persisted index on SQLite and PostgreSQL: atomicity, consistency, incremental joins,
canonical changes, explanations, rebuilds and per-document cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import (
    AlreadyAssigned,
    assign,
    assign_pending,
    explain,
    format_explanation,
    rebuild,
)
from ingest.errors import NotFound
from ingest.store import Store
from ingest.store.dedup_models import DedupAnchor, DedupAnchorCount, DedupBand, DedupEntry
from ingest.store.models import Document, Story, StoryMember
from tests.dedup.seedlib import Seed, add_document

SETTINGS = DedupSettings()


def _add(session: Session, seed: Seed, suffix: str = "", **changes: object) -> Document:
    values = {
        "text": seed.text,
        "outlet": seed.outlet,
        "published_at": seed.published_at,
        "event": seed.event_date,
    }
    values.update(changes)
    return add_document(
        session,
        f"https://{values['outlet']}/{seed.name}{suffix}",
        str(values["text"]),
        str(values["outlet"]),
        values["published_at"],
        values["event"],
    )  # type: ignore[arg-type]


def _check_consistent(session: Session) -> None:
    documents = session.scalar(select(func.count()).select_from(Document))
    members = session.scalar(select(func.count()).select_from(StoryMember))
    entries = session.scalar(select(func.count()).select_from(DedupEntry))
    assert documents == members == entries
    anchors = session.scalar(select(func.count()).select_from(DedupAnchor))
    counted = session.scalar(select(func.sum(DedupAnchorCount.documents)))
    assert anchors == (counted or 0)
    for story in session.scalars(select(Story)):
        assert story.canonical_document_id in {m.document_id for m in story.members}


def test_failed_transaction_leaves_neither_document_nor_index(
    store: Store, seeds: dict[str, Seed]
) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        doc = _add(session, seeds["001"])
        assign(session, doc, SETTINGS)
        raise RuntimeError("crash after assign, before commit")
    with store.session() as session:
        for model in (Document, DedupEntry, DedupBand, DedupAnchor, StoryMember, Story):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_later_document_joins_and_canonical_moves(store: Store, seeds: dict[str, Seed]) -> None:
    s3, s4 = seeds["003"], seeds["004"]
    with store.session() as session:
        first = assign(session, _add(session, s3), SETTINGS)
        copy_text = "SAMARINDA – " + s3.text + "\nEditor: Rudi"
        copy = assign(
            session,
            _add(
                session,
                s3,
                "-copy",
                outlet="copy.id",
                text=copy_text,
                published_at=s3.published_at + timedelta(hours=3),
            ),
            SETTINGS,
        )
    assert first.new_story and first.relation == "canonical"
    assert (copy.story_id, copy.relation, copy.new_story) == (
        first.story_id,
        "near_duplicate",
        False,
    )
    with store.session() as session:  # a later run: the official report arrives
        official = assign(session, _add(session, s4), SETTINGS)
    assert official.story_id == first.story_id and official.relation == "canonical"
    with store.session() as session:
        story = session.get(Story, first.story_id)
        assert story is not None and story.canonical is not None
        assert story.canonical.outlet == "kukarkab.go.id"
        relations = {m.document.url.rsplit("/", 1)[-1]: m.relation for m in story.members}
        assert relations == {"003": "same_story", "003-copy": "same_story", "004": "canonical"}
        _check_consistent(session)


def test_explain_shows_passages_scores_and_dates(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        for name in ("004", "003"):
            assign(session, _add(session, seeds[name]), SETTINGS)
        story_id = session.scalars(select(Story.id)).one()
    with store.session() as session:
        why = explain(session, story_id)
    joined = next(m for m in why.members if m.relation == "same_story")
    assert joined.rule == "shared passages"
    assert "Selasa (3/9)" in joined.shared_passages[0].text
    assert joined.dates["event_date"] == ["2024-09-03", "2024-09-03"]
    assert joined.dates["gap_days"] < 1
    assert joined.scores["passages"] == 1
    assert why.canonical_document_id == joined.matched_document_id
    with store.session() as session, pytest.raises(NotFound):
        explain(session, story_id + 100)


def test_assigning_twice_is_refused(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        doc = _add(session, seeds["000"])
        assign(session, doc, SETTINGS)
        with pytest.raises(AlreadyAssigned):
            assign(session, doc, SETTINGS)


def test_rebuild_with_other_settings(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        for seed in seeds.values():
            assign(session, _add(session, seed), SETTINGS)
    strict = SETTINGS.model_copy(update={"same_story_max_days": 0.0})
    with store.session() as session:
        summary = rebuild(session, strict)
    assert summary.documents == 5 and summary.stories == 5
    assert summary.relations == {"canonical": 5}
    with store.session() as session:
        summary = rebuild(session, SETTINGS)
        _check_consistent(session)
    assert summary.stories == 4
    assert summary.relations == {"canonical": 4, "same_story": 1}


def test_cost_per_document_does_not_grow_with_the_store(
    store: Store, seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def add_round(session: Session, n: int, tag: str) -> int:
        for i, art in enumerate(unrelated[:n]):
            doc = add_document(
                session,
                f"https://{tag}/{i}",
                art["text"] + f" {tag}",
                art["source"],
                seeds["000"].published_at + timedelta(days=i),
            )
            assign(session, doc, SETTINGS)
        statements.clear()
        assign(session, _add(session, seeds["001"], tag), SETTINGS)
        return len(statements)

    event.listen(store.engine, "before_cursor_execute", count)
    with store.session() as session:
        small = add_round(session, 4, "a")
    with store.session() as session:
        large = add_round(session, 24, "b")
    event.remove(store.engine, "before_cursor_execute", count)
    assert large <= small + 2


def test_why_text_names_passages_and_dates(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        for name in ("003", "004"):
            assign(session, _add(session, seeds[name]), SETTINGS)
        story_id = session.scalars(select(Story.id)).one()
        text = format_explanation(explain(session, story_id))
    assert "same_story of the canonical record" in text
    assert "Selasa (3/9)" in text
    assert "gap 0.125 days" in text
    assert "event ['2024-09-03', '2024-09-03']" in text


def test_bulk_rows_then_incremental_join(store: Store, seeds: dict[str, Seed]) -> None:
    """Index rows written in bulk (as a bulk load does) serve later assignments."""
    from ingest.dedup.features import featurize
    from ingest.dedup.index import index_rows, write_index, write_new_story_passages

    with store.session() as session:
        docs = [_add(session, seeds[name]) for name in ("000", "001", "004")]
        feats = featurize([d.text for d in docs], SETTINGS)
        stories = [Story(canonical_document_id=d.id) for d in docs]
        session.add_all(stories)
        session.flush()
        for doc, story in zip(docs, stories, strict=True):
            session.add(StoryMember(document=doc, story=story, relation="canonical"))
        write_index(
            session, [index_rows(d.id, f, SETTINGS) for d, f in zip(docs, feats, strict=True)]
        )
        write_new_story_passages(
            session, [(s.id, f.sentence_keys) for s, f in zip(stories, feats, strict=True)]
        )
        _check_consistent(session)
    with store.session() as session:
        joined = assign(session, _add(session, seeds["003"]), SETTINGS)
        assert (joined.relation, joined.new_story) == ("same_story", False)
        assert joined.story_id == stories[2].id
        _check_consistent(session)


def test_assign_pending_keeps_existing_stories(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        first = assign(session, _add(session, seeds["004"]), SETTINGS)
        for name in ("000", "003"):
            _add(session, seeds[name])  # stored without a story
    with store.session() as session:
        summary = assign_pending(session, SETTINGS)
        _check_consistent(session)
    assert (summary.documents, summary.stories) == (2, 1)
    assert summary.relations == {"canonical": 1, "same_story": 1}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 2
        assert session.get(Story, first.story_id) is not None

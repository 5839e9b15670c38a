"""``add_articles``: documents inserted with Core hold every column ``new_document`` gives,
and are assigned exactly as ``assign_batch`` assigns the same documents made as ORM objects."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ingest.config import DedupSettings
from ingest.dedup import assign_batch
from ingest.records import Article
from ingest.store import Store, open_store
from ingest.store.documents import add_articles, new_document
from ingest.store.models import Document, StoryMember

SETTINGS = DedupSettings()
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "indosum" / "sample.jsonl"


def _articles() -> list[Article]:
    """IndoSum articles, each second one with a light copy from another outlet."""
    day = datetime(2017, 6, 15, 1, tzinfo=UTC)
    out = []
    for i, line in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines()[:12]):
        row = json.loads(line)
        when = day + timedelta(hours=5 * i)
        out.append(
            Article(
                url=row["source_url"],
                outlet=row["source"],
                title=None,
                text=row["text"],
                published_at=when,
            )
        )
        if i % 2 == 0:
            copy = f"SAMARINDA – {row['text']}\nEditor: Rudi"
            out.append(
                Article(
                    url=f"https://copy.id/{i}",
                    outlet="copy.id",
                    title="Salinan",
                    text=copy,
                    published_at=when + timedelta(hours=2),
                    syndicated_from=row["source_url"],
                )
            )
    return out


def _full() -> Article:
    return Article(
        url="https://kaltim.id/lengkap",
        outlet="kaltim.id",
        title="Judul",
        text="Rakor lintas sektoral digelar di Tenggarong, Selasa (3/9). Semua hadir.",
        source="kaltim",
        author="Rudi",
        published_at=datetime(2024, 9, 3, 2, tzinfo=UTC),
        modified_at=datetime(2024, 9, 3, 5, tzinfo=UTC),
        event_date=date(2024, 9, 3),
        language="id",
        site_name="Kaltim",
        dateline="TENGGARONG",
        credits=("Editor: Rudi",),
        syndicated_from="https://asal.id/1",
        short=True,
    )


_COLUMNS = [c.key for c in Document.__table__.columns if c.key not in ("id", "created_at")]


def test_every_column_is_stored_and_repeated_urls_are_left_alone(store: Store) -> None:
    article = _full()
    with store.session() as session:
        first = add_articles(session, [article, article], dedup_settings=SETTINGS, run_id=None)
    with store.session() as session:
        again = add_articles(session, [article], dedup_settings=SETTINGS, run_id=None)
        stored = session.scalars(select(Document)).one()
        member = session.scalars(select(StoryMember)).one()
    expected = new_document(article, run_id=None)
    assert {c: getattr(stored, c) for c in _COLUMNS} == {c: getattr(expected, c) for c in _COLUMNS}
    assert stored.created_at is not None
    assert [(o.document_id, o.created) for o in first] == [(stored.id, True), (stored.id, False)]
    assert first[0].assignment is not None and first[1].assignment is None
    assert (first[0].assignment.story_id, first[0].assignment.relation) == (
        member.story_id,
        "canonical",
    )
    assert [(o.document_id, o.created, o.assignment) for o in again] == [(stored.id, False, None)]


def _members(store: Store) -> list[tuple[Any, ...]]:
    with store.session() as session:
        rows = session.execute(
            select(Document.url, StoryMember).join(
                StoryMember, StoryMember.document_id == Document.id
            )
        ).tuples()
        return sorted(
            (
                url,
                m.story_id,
                m.relation,
                m.similarity,
                m.matched_document_id,
                json.dumps(m.evidence, sort_keys=True),
            )
            for url, m in rows
        )


def test_core_rows_are_assigned_like_orm_documents(tmp_path: Path) -> None:
    articles = _articles()
    with open_store(f"sqlite:///{tmp_path / 'core.db'}") as core:
        outcomes = []
        for start in range(0, len(articles), 5):
            with core.session() as session:
                outcomes += add_articles(
                    session, articles[start : start + 5], dedup_settings=SETTINGS, run_id=None
                )
        by_core = _members(core)
    with open_store(f"sqlite:///{tmp_path / 'orm.db'}") as orm:
        assigned = []
        for start in range(0, len(articles), 5):
            with orm.session() as session:
                docs = [new_document(a, run_id=None) for a in articles[start : start + 5]]
                session.add_all(docs)
                session.flush()
                assigned += assign_batch(session, docs, SETTINGS)
        by_orm = _members(orm)
    assert by_core == by_orm
    assert {m[2] for m in by_core} >= {"canonical", "near_duplicate"}
    assert [o.assignment for o in outcomes] == assigned

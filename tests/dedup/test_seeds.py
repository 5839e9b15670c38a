"""The five seeds give exactly {003, 004}, {000}, {001}, {002}, whatever the order."""

from __future__ import annotations

import itertools
import random
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import assign
from ingest.store import Store, open_store
from ingest.store.models import Document, StoryMember
from tests.dedup.seedlib import Seed, add_document, event_date

EXPECTED = {frozenset({"003", "004"}), frozenset({"000"}), frozenset({"001"}), frozenset({"002"})}


def _stories(session: Session) -> set[frozenset[str]]:
    rows = session.execute(
        select(Document.url, StoryMember.story_id).join(
            StoryMember, StoryMember.document_id == Document.id
        )
    ).all()
    groups: dict[int, set[str]] = {}
    for url, story_id in rows:
        groups.setdefault(story_id, set()).add(url.rsplit("/", 1)[-1])
    return {frozenset(g) for g in groups.values()}


def _import(session: Session, order: list[Seed], settings: DedupSettings) -> None:
    for seed in order:
        doc = add_document(
            session,
            f"https://{seed.outlet}/{seed.name}",
            seed.text,
            seed.outlet,
            seed.published_at,
            seed.event_date,
        )
        assign(session, doc, settings)


def test_seed_stories(store: Store, seeds: dict[str, Seed]) -> None:
    with store.session() as session:
        _import(session, list(seeds.values()), DedupSettings())
    with store.session() as session:
        assert _stories(session) == EXPECTED
        member = session.scalars(
            select(StoryMember)
            .join(Document, StoryMember.document_id == Document.id)
            .where(Document.url.endswith("/003"))
        ).one()
        assert member.relation == "same_story"
        canonical = member.story.canonical
        assert canonical is not None and canonical.url.endswith("/004")  # official outlet


@pytest.mark.parametrize("order", list(itertools.permutations("01234"))[::17])
def test_seed_stories_any_order(
    sqlite_url: str, seeds: dict[str, Seed], order: tuple[str, ...], unrelated: list[dict[str, str]]
) -> None:
    store = open_store(sqlite_url)
    settings = DedupSettings()
    rnd = random.Random("".join(order))
    others = rnd.sample(unrelated, 10)
    with store.session() as session:
        for i, name in enumerate(order):
            seed = seeds[f"00{name}"]
            for art in others[i * 2 : i * 2 + 2]:
                published = seed.published_at.replace(hour=1)
                doc = add_document(
                    session,
                    art["source_url"],
                    art["text"],
                    art["source"],
                    published,
                    event_date(art["text"], published),
                )
                assign(session, doc, settings)
            _import(session, [seed], settings)
    with store.session() as session:
        found = {g for g in _stories(session) if g & {"000", "001", "002", "003", "004"}}
        assert found == EXPECTED
    store.close()


def test_simple_event_date_parser() -> None:
    assert event_date("Selasa (3/9) di", datetime(2024, 9, 3)).isoformat() == "2024-09-03"

"""``assign_batch`` gives what ``assign`` gives one document at a time, in the same order
(stories, relations, scores, matched documents, evidence), with a bounded number of SQL
statements per batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import Assignment, assign, assign_batch, rebuild
from ingest.dedup.bulk import SQLITE_ROWS
from ingest.store import Store, open_store
from ingest.store.models import Document, StoryMember
from tests.dedup.seedlib import Seed, add_document, event_date

SETTINGS = DedupSettings()
#: Every statement ``assign_batch`` may run, each at most once: the assigned check; exact, band
#: and anchor lookups; stored members, story sentences, texts and sentence counts (twice);
#: stories, memberships, story sentences and their counts, index entries, bands, anchors and
#: anchor counts written (on SQLite, bulk inserts run full chunks, then one with the rest);
#: stories and memberships updated.
MAX_STATEMENTS = 20


@dataclass(frozen=True)
class Spec:
    """A document to store: what ``add_document`` takes."""

    url: str
    text: str
    outlet: str
    published_at: datetime
    event: date | None = None
    syndicated_from: str | None = None


def _seed_specs(seeds: dict[str, Seed]) -> list[Spec]:
    return [
        Spec(f"https://{s.outlet}/{s.name}", s.text, s.outlet, s.published_at, s.event_date)
        for s in seeds.values()
    ]


def _mixed_specs(seeds: dict[str, Seed], unrelated: list[dict[str, str]]) -> list[Spec]:
    """Seeds, unrelated IndoSum articles, and copies of them: exact, light, trimmed, official
    (the canonical record moves) and syndicated (the footer names the original)."""
    day = datetime(2017, 6, 15, 1, tzinfo=UTC)
    specs = _seed_specs(seeds)
    for i, art in enumerate(unrelated[:14]):
        when = day + timedelta(hours=3 * i)
        specs.append(
            Spec(art["source_url"], art["text"], art["source"], when, event_date(art["text"], when))
        )
    base = specs[5:]
    lines = base[1].text.splitlines()
    s3 = specs[3]
    specs += [
        Spec("https://copy.id/exact", base[0].text, "copy.id", base[0].published_at),
        Spec(
            "https://copy.id/light",
            "SAMARINDA – " + base[1].text + "\nEditor: Rudi",
            "copy.id",
            base[1].published_at + timedelta(hours=5),
        ),
        Spec(
            "https://trim.id/half",
            "\n".join(lines[: max(2, len(lines) // 2)]),
            "trim.id",
            base[1].published_at + timedelta(days=1),
        ),
        Spec(
            "https://diskominfo.kaltimprov.go.id/003",
            "TENGGARONG – " + s3.text,
            "diskominfo.kaltimprov.go.id",
            s3.published_at + timedelta(hours=2),
            s3.event,
        ),
        Spec(
            "https://syndic.id/2",
            base[2].text + "\nSumber: " + base[2].url,
            "syndic.id",
            base[2].published_at - timedelta(hours=1),
            syndicated_from=base[2].url,
        ),
    ]
    return specs


def _add(session: Session, spec: Spec) -> Document:
    return add_document(
        session,
        spec.url,
        spec.text,
        spec.outlet,
        spec.published_at,
        spec.event,
        spec.syndicated_from,
    )


@dataclass(frozen=True)
class Outcome:
    """What assigning gave, with document ids replaced by URLs (ids differ between runs)."""

    assignments: list[tuple[Any, ...]]
    stories: set[frozenset[str]]
    members: dict[str, tuple[Any, ...]]


def _outcome(session: Session, docs: Sequence[Document], got: Sequence[Assignment]) -> Outcome:
    session.flush()
    url = dict(session.execute(select(Document.id, Document.url)).tuples().all())
    rows = session.execute(
        select(Document.url, StoryMember).join(StoryMember, StoryMember.document_id == Document.id)
    ).tuples()
    groups: dict[int, set[str]] = {}
    members = {}
    for doc_url, m in rows:
        groups.setdefault(m.story_id, set()).add(doc_url)
        evidence = dict(m.evidence)
        evidence["matched_document_id"] = url.get(evidence.get("matched_document_id", 0))
        if "canonical" in evidence:
            evidence["canonical"] = {**evidence["canonical"]}
            evidence["canonical"]["document_id"] = url[evidence["canonical"]["document_id"]]
        members[doc_url] = (m.relation, m.similarity, url.get(m.matched_document_id or 0), evidence)
    story_of = {u: frozenset(g) for g in groups.values() for u in g}
    assignments = [
        (
            d.url,
            story_of[d.url],
            a.relation,
            a.similarity,
            url.get(a.matched_document_id or 0),
            a.new_story,
            a.matched_as,
        )
        for d, a in zip(docs, got, strict=True)
    ]
    return Outcome(assignments, {frozenset(g) for g in groups.values()}, members)


@pytest.fixture
def rolled_back(store: Store) -> Iterator[Callable[[], Session]]:
    """Sessions whose work is rolled back, so one store serves many orders."""
    opened: list[Session] = []

    def make() -> Session:
        session = Session(store.engine)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.rollback()
        session.close()


def _run(
    session: Session, before: Sequence[Spec], specs: Sequence[Spec], sizes: Sequence[int]
) -> Outcome:
    """Assign ``before`` one by one, then ``specs`` in batches of the given sizes (cycled);
    roll everything back."""
    try:
        for spec in before:
            assign(session, _add(session, spec), SETTINGS)
        docs = [_add(session, spec) for spec in specs]
        got: list[Assignment] = []
        start, size = 0, itertools.cycle(sizes)
        while start < len(docs):
            part = docs[start : start + next(size)]
            got += assign_batch(session, part, SETTINGS)
            start += len(part)
        return _outcome(session, docs, got)
    finally:
        session.rollback()


def test_seeds_in_every_order_give_the_same_result_batched(
    rolled_back: Callable[[], Session], seeds: dict[str, Seed]
) -> None:
    specs = _seed_specs(seeds)
    session = rolled_back()
    for order in itertools.permutations(range(5)):
        ordered = [specs[i] for i in order]
        one_by_one = _run(session, [], ordered, [1])
        batched = _run(session, [], ordered, [5])
        assert batched == one_by_one, order
        assert len(batched.stories) == 4
        assert frozenset({specs[3].url, specs[4].url}) in batched.stories


@pytest.mark.parametrize("order_seed", [1, 2, 3])
def test_mixed_sample_gives_the_same_result_batched(
    rolled_back: Callable[[], Session],
    seeds: dict[str, Seed],
    unrelated: list[dict[str, str]],
    order_seed: int,
) -> None:
    specs = _mixed_specs(seeds, unrelated)
    random.Random(order_seed).shuffle(specs)
    session = rolled_back()
    one_by_one = _run(session, [], specs, [1])
    relations = {m[0] for m in one_by_one.members.values()}
    assert {"canonical", "exact", "near_duplicate", "same_story"} <= relations
    for sizes in ([len(specs)], [7], [3, 11]):
        assert _run(session, [], specs, sizes) == one_by_one, sizes
    half = len(specs) // 2  # a batch arriving on a store that holds the other half
    stored_first = _run(session, specs[:half], specs[half:], [1])
    assert _run(session, specs[:half], specs[half:], [len(specs)]) == stored_first


def test_canonical_moves_inside_a_batch(
    rolled_back: Callable[[], Session], seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    specs = {s.url: s for s in _mixed_specs(seeds, unrelated)}
    official = specs["https://diskominfo.kaltimprov.go.id/003"]
    first = specs["https://amanahummat.com/003"]
    session = rolled_back()
    outcome = _run(session, [], [first, official], [2])
    (_, _, rel_first, _, _, new_first, _), (_, _, rel_official, *_) = outcome.assignments
    assert (rel_first, new_first, rel_official) == ("canonical", True, "canonical")
    assert outcome.members[first.url][0] == "near_duplicate"  # related to the new canonical
    assert outcome.members[first.url][3]["canonical"]["document_id"] == official.url


def test_statements_per_batch_do_not_grow_with_the_batch(
    store: Store, seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    day = datetime(2017, 6, 16, tzinfo=UTC)
    more = [Spec(a["source_url"], a["text"], a["source"], day) for a in unrelated[14:]]
    specs = _mixed_specs(seeds, unrelated) + more
    with store.session() as session:  # a store with stories the batches will join
        for spec in specs[:8]:
            assign(session, _add(session, spec), SETTINGS)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    for part in (specs[8:10], specs[10:]):
        with store.session() as session:
            docs = [_add(session, spec) for spec in part]
            event.listen(store.engine, "before_cursor_execute", count)
            assign_batch(session, docs, SETTINGS)
            event.remove(store.engine, "before_cursor_execute", count)
        once = [s for s in statements if not _full_chunk(s)]  # full chunks of a bulk insert
        assert len(once) == len(set(once)), "a statement ran twice in one batch"
        assert len(once) <= MAX_STATEMENTS
        statements.clear()
    assert len(specs[10:]) > MAX_STATEMENTS


def _full_chunk(sql: str) -> bool:
    """Whether ``sql`` inserts as many rows as a SQLite bulk statement holds."""
    if not sql.startswith("INSERT INTO") or " VALUES (?" not in sql:
        return False
    rows = sql.count("), (") + 1
    width = sql.split(" VALUES (", 1)[1].split(")", 1)[0].count("?")
    return rows == min(SQLITE_ROWS, 999 // width)


def test_rebuild_in_batches_equals_rebuild_one_by_one(
    sqlite_url: str, seeds: dict[str, Seed], unrelated: list[dict[str, str]]
) -> None:
    specs = _mixed_specs(seeds, unrelated)
    with open_store(sqlite_url) as store:
        with store.session() as session:
            for spec in specs:
                _add(session, spec)
        found = []
        for batch in (1, 5, 200):
            with store.session() as session:
                summary = rebuild(session, SETTINGS, batch=batch)
                found.append((summary.stories, summary.relations, _members(session)))
        assert found[0] == found[1] == found[2]
        assert found[0][1]["canonical"] == found[0][0] < len(specs)


def _members(session: Session) -> set[tuple[str, frozenset[str], str, float]]:
    rows = session.execute(
        select(
            Document.url, StoryMember.story_id, StoryMember.relation, StoryMember.similarity
        ).join(StoryMember, StoryMember.document_id == Document.id)
    ).tuples()
    groups: dict[int, set[str]] = {}
    found = []
    for url, story, relation, similarity in rows:
        groups.setdefault(story, set()).add(url)
        found.append((url, story, relation, similarity))
    return {(u, frozenset(groups[s]), r, sim) for u, s, r, sim in found}

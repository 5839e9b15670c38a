"""The persisted index: writing documents' rows and reading it for a batch of new ones.

Every lookup is by key on an indexed column and bounded by the batch's own size: its
fingerprints and band keys (at most ``max_candidates`` documents each), its anchors (postings
read only for anchors held by at most ``anchor_max_df`` documents) and its sentences. Nothing
scans the store, so the cost of adding a batch does not grow with it. Each lookup is one
statement per ``_CHUNK`` keys, whatever the number of documents in the batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from ingest.config import DedupSettings
from ingest.dedup.features import Features
from ingest.store.dedup_models import (
    DedupAnchor,
    DedupAnchorCount,
    DedupBand,
    DedupEntry,
    DedupPassageCount,
    DedupStoryPassage,
)
from ingest.store.models import Document, StoryMember

__all__ = [
    "IndexRows",
    "anchor_counts",
    "anchor_postings",
    "band_hits",
    "exact_hits",
    "index_rows",
    "passage_counts",
    "story_passages",
    "write_index",
    "write_new_story_passages",
    "write_story_passages",
]

#: Keys per ``IN (...)`` list: under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
_CHUNK = 10_000


def _core(model: Any) -> Table:
    """The table of a model: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def params_key(settings: DedupSettings) -> str:
    """The settings a stored signature depends on."""
    return f"v1/k{settings.shingle_size}/p{settings.num_perm}/s{settings.seed}"


def _chunks(values: Collection[Any]) -> Iterable[list[Any]]:
    ordered = sorted(set(values))
    for i in range(0, len(ordered), _CHUNK):
        yield ordered[i : i + _CHUNK]


class IndexRows:
    """The index rows of one document, ready for insertion (bulk or one by one)."""

    def __init__(self, document_id: int, features: Features, settings: DedupSettings) -> None:
        self.entry = {
            "document_id": document_id,
            "signature": np.ascontiguousarray(features.signature, dtype="<u4").tobytes(),
            "shingles": len(features.shingles),
            "params": params_key(settings),
        }
        self.bands = [
            {"key": key, "document_id": document_id, "band": i}
            for i, key in enumerate(features.bands(settings.lsh_bands))
        ]
        self.anchors = [
            {"key": key, "document_id": document_id}
            for key in features.anchors(settings.anchor_rate)
        ]


def index_rows(document_id: int, features: Features, settings: DedupSettings) -> IndexRows:
    return IndexRows(document_id, features, settings)


def write_index(session: Session, rows: Sequence[IndexRows]) -> None:
    """Insert the rows of several documents and update the anchor counts."""
    entries = [r.entry for r in rows]
    bands = [b for r in rows for b in r.bands]
    anchors = [a for r in rows for a in r.anchors]
    if entries:
        session.execute(insert(_core(DedupEntry)), entries)
    if bands:
        session.execute(insert(_core(DedupBand)), bands)
    if anchors:
        session.execute(insert(_core(DedupAnchor)), anchors)
        counts = Counter(a["key"] for a in anchors)
        _increment_by(session, counts)


def _increment_by(
    session: Session, counts: Counter[int], model: Any = DedupAnchorCount, column: str = "documents"
) -> None:
    """Add ``counts[key]`` to the count of each key, inserting new keys (one compiled upsert,
    executed for many rows)."""
    if not counts:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = _core(model)
    stmt = upsert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={column: table.c[column] + stmt.excluded[column]},
    )
    rows = [{"key": k, column: n} for k, n in sorted(counts.items())]
    for i in range(0, len(rows), _CHUNK):
        session.execute(stmt, rows[i : i + _CHUNK])


def write_story_passages(session: Session, rows: Sequence[tuple[int, int]]) -> None:
    """Record new ``(story_id, sentence key)`` pairs (none present yet) and count each once
    more in ``dedup_passage_counts``."""
    if not rows:
        return
    session.execute(insert(_core(DedupStoryPassage)), [{"story_id": s, "key": k} for s, k in rows])
    _increment_by(session, Counter(k for _, k in rows), DedupPassageCount, "stories")


def write_new_story_passages(
    session: Session, stories: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """Bulk path for stories created together (a bulk load): record each story's sentence
    keys and count every sentence once per story."""
    write_story_passages(session, [(sid, k) for sid, keys in stories for k in sorted(set(keys))])


def _first_per_key(
    session: Session,
    query: Select[Any],
    key: InstrumentedAttribute[Any],
    doc: InstrumentedAttribute[int],
    keys: Collection[Any],
    limit: int,
) -> dict[Any, list[int]]:
    """For each of ``keys``, the ``limit`` lowest document ids of ``query`` (ascending)."""
    out: dict[Any, list[int]] = {}
    for part in _chunks(keys):
        rank = func.row_number().over(partition_by=key, order_by=doc).label("rank")
        ranked = query.add_columns(rank).where(key.in_(part)).subquery()
        rows = session.execute(
            select(ranked.c[0], ranked.c[1]).where(ranked.c.rank <= limit)
        ).tuples()
        for k, doc_id in rows:
            out.setdefault(k, []).append(doc_id)
    for ids in out.values():
        ids.sort()
    return out


def exact_hits(session: Session, fingerprints: Collection[str], limit: int) -> dict[str, list[int]]:
    """Assigned documents with each ``text_sha1``: the ``limit`` lowest ids per fingerprint."""
    query = select(Document.text_sha1, Document.id).join(
        StoryMember, StoryMember.document_id == Document.id
    )
    return _first_per_key(session, query, Document.text_sha1, Document.id, fingerprints, limit)


def band_hits(session: Session, keys: Collection[int], limit: int) -> dict[int, list[int]]:
    """Documents holding each LSH band key: the ``limit`` lowest ids per key."""
    query = select(DedupBand.key, DedupBand.document_id)
    return _first_per_key(session, query, DedupBand.key, DedupBand.document_id, keys, limit)


def anchor_counts(session: Session, keys: Collection[int]) -> dict[int, int]:
    """Documents holding each anchor (anchors in no document are left out)."""
    out: dict[int, int] = {}
    for part in _chunks(keys):
        query = select(DedupAnchorCount.key, DedupAnchorCount.documents)
        out.update(session.execute(query.where(DedupAnchorCount.key.in_(part))).tuples().all())
    return out


def anchor_postings(session: Session, keys: Collection[int]) -> dict[int, list[int]]:
    """The documents holding each anchor; call it for rare anchors only."""
    out: dict[int, list[int]] = {}
    for part in _chunks(keys):
        query = select(DedupAnchor.key, DedupAnchor.document_id)
        for key, doc_id in session.execute(query.where(DedupAnchor.key.in_(part))).tuples():
            out.setdefault(key, []).append(doc_id)
    return out


def passage_counts(session: Session, keys: Iterable[int]) -> dict[int, int]:
    """Stories holding each sentence key (keys in no story are left out)."""
    out: dict[int, int] = {}
    for part in _chunks(set(keys)):
        query = select(DedupPassageCount.key, DedupPassageCount.stories)
        out.update(session.execute(query.where(DedupPassageCount.key.in_(part))).tuples().all())
    return out


def story_passages(
    session: Session, story_ids: Collection[int], keys: Collection[int]
) -> set[tuple[int, int]]:
    """The ``(story_id, key)`` pairs present among ``story_ids`` × ``keys``."""
    if not story_ids:
        return set()
    out: set[tuple[int, int]] = set()
    stories = sorted(set(story_ids))
    for part in _chunks(keys):
        query = select(DedupStoryPassage.story_id, DedupStoryPassage.key).where(
            DedupStoryPassage.story_id.in_(stories), DedupStoryPassage.key.in_(part)
        )
        out.update(session.execute(query).tuples().all())
    return out

"""The persisted index: writing a document's rows and finding candidates for a new one.

Every lookup is by key on an indexed column and bounded by the new document's own size:
its band keys, its anchors (those held by at most ``anchor_max_df`` documents) and its
sentences. Nothing scans the store, so the cost of adding a document does not grow with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

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
    "add_story_passages",
    "candidate_ids",
    "index_rows",
    "passage_counts",
    "write_index",
    "write_new_story_passages",
]

_CHUNK = 500


def _core(model: Any) -> Table:
    """The table of a model: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def params_key(settings: DedupSettings) -> str:
    """The settings a stored signature depends on."""
    return f"v1/k{settings.shingle_size}/p{settings.num_perm}/s{settings.seed}"


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


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
    for i in range(0, len(rows), 5 * _CHUNK):
        session.execute(stmt, rows[i : i + 5 * _CHUNK])


def write_new_story_passages(
    session: Session, stories: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """Bulk path for stories created together (a rebuild or a bulk load): record each story's
    sentence keys and count every sentence once per story."""
    rows = [{"story_id": sid, "key": k} for sid, keys in stories for k in sorted(set(keys))]
    if not rows:
        return
    session.execute(insert(_core(DedupStoryPassage)), rows)
    _increment_by(session, Counter(r["key"] for r in rows), DedupPassageCount, "stories")


def _anchor_candidates(session: Session, features: Features, settings: DedupSettings) -> list[int]:
    """Documents sharing the most anchors held by at most ``anchor_max_df`` documents."""
    anchors = features.anchors(settings.anchor_rate)
    rare: list[int] = []
    for part in _chunks(anchors):
        query = select(DedupAnchorCount.key, DedupAnchorCount.documents).where(
            DedupAnchorCount.key.in_(part)
        )
        counted = dict(session.execute(query).tuples().all())
        rare.extend(k for k in part if k in counted and counted[k] <= settings.anchor_max_df)
    if not rare:
        return []
    shared = func.count().label("shared")
    return list(
        session.scalars(
            select(DedupAnchor.document_id)
            .where(DedupAnchor.key.in_(rare))
            .group_by(DedupAnchor.document_id)
            .order_by(shared.desc(), DedupAnchor.document_id)
            .limit(settings.max_candidates)
        )
    )


def candidate_ids(
    session: Session, document: Document, features: Features, settings: DedupSettings
) -> list[int]:
    """Indexed documents that may match: exact copies, LSH band hits, then the documents
    sharing the most rare anchors (at most ``max_candidates`` in all)."""
    exact = session.scalars(
        select(Document.id)
        .join(StoryMember, StoryMember.document_id == Document.id)
        .where(Document.text_sha1 == document.text_sha1, Document.id != document.id)
        .order_by(Document.id)
        .limit(settings.max_candidates)
    ).all()
    found: dict[int, None] = dict.fromkeys(exact)
    bands = features.bands(settings.lsh_bands)
    for doc_id in session.scalars(
        select(DedupBand.document_id)
        .where(DedupBand.key.in_(bands))
        .distinct()
        .limit(settings.max_candidates)
    ):
        found.setdefault(doc_id)
    for doc_id in _anchor_candidates(session, features, settings):
        found.setdefault(doc_id)
    found.pop(document.id, None)
    return list(found)[: settings.max_candidates]


def passage_counts(session: Session, keys: Iterable[int]) -> dict[int, int]:
    """Stories holding each sentence key (keys in no story are left out)."""
    wanted = sorted(set(keys))
    out: dict[int, int] = {}
    for part in _chunks(wanted):
        out.update(
            session.execute(
                select(DedupPassageCount.key, DedupPassageCount.stories).where(
                    DedupPassageCount.key.in_(part)
                )
            )
            .tuples()
            .all()
        )
    return out


def add_story_passages(session: Session, story_id: int, keys: Iterable[int]) -> None:
    """Record the sentences of a story member; count each sentence once per story."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    present: set[int] = set()
    for part in _chunks(wanted):
        present.update(
            session.scalars(
                select(DedupStoryPassage.key).where(
                    DedupStoryPassage.story_id == story_id, DedupStoryPassage.key.in_(part)
                )
            )
        )
    new = [k for k in wanted if k not in present]
    if not new:
        return
    session.execute(
        insert(_core(DedupStoryPassage)), [{"story_id": story_id, "key": k} for k in new]
    )
    _increment_by(session, Counter(new), DedupPassageCount, "stories")

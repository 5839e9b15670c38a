"""The persisted index: writing documents' rows and reading it for a batch of new ones.

Every lookup is by key on an indexed column and bounded by the batch's own size: its
fingerprints and band keys (at most ``max_candidates`` documents each), its anchors (postings
read only for anchors held by at most ``anchor_max_df`` documents) and its sentences. Nothing
scans the store, so the cost of adding a batch does not grow with it. Each lookup is one
statement with one bound list (``key_in``), whatever the number of documents in the batch,
and rows of integers are written with one statement per table (``insert_integers``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import Select, Table, any_, func, insert, literal, select, text
from sqlalchemy.dialects import postgresql
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
    "insert_integers",
    "key_in",
    "passage_counts",
    "story_passages",
    "write_index",
    "write_new_story_passages",
    "write_story_passages",
]


def _core(model: Any) -> Table:
    """The table of a model: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


def params_key(settings: DedupSettings) -> str:
    """The settings a stored signature depends on."""
    return f"v1/k{settings.shingle_size}/p{settings.num_perm}/s{settings.seed}"


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
    if entries:
        session.execute(insert(_core(DedupEntry)), entries)
    bands = [(b["key"], b["document_id"], b["band"]) for r in rows for b in r.bands]
    insert_integers(session, _core(DedupBand), ("key", "document_id", "band"), bands)
    anchors = [(a["key"], a["document_id"]) for r in rows for a in r.anchors]
    insert_integers(session, _core(DedupAnchor), ("key", "document_id"), anchors)
    counts = Counter(key for key, _ in anchors)
    insert_integers(
        session, _core(DedupAnchorCount), ("key", "documents"), sorted(counts.items()), "documents"
    )


def insert_integers(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[int, ...]],
    add_to: str | None = None,
) -> None:
    """Insert rows of integers in one statement: ``unnest`` of one array per column on
    PostgreSQL, the driver's ``executemany`` on SQLite (no per-row processing either way).
    With ``add_to``, a row whose ``key`` exists adds its ``add_to`` column to the stored one
    (the keys of ``rows`` must then be distinct)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    conflict = ""
    if add_to is not None:
        target = quote(add_to)
        conflict = (
            f" ON CONFLICT ({quote('key')}) DO UPDATE"
            f" SET {target} = {table.name}.{target} + excluded.{target}"
        )
    if dialect.name == "postgresql":
        arrays = ", ".join(
            f"CAST(:c{i} AS {table.c[c].type.compile(dialect)}[])" for i, c in enumerate(columns)
        )
        params = {f"c{i}": [row[i] for row in rows] for i in range(len(columns))}
        sql = f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}){conflict}"
        session.execute(text(sql), params)
    else:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}){conflict}"
        session.connection().exec_driver_sql(sql, list(rows))


def write_story_passages(session: Session, rows: Sequence[tuple[int, int]]) -> None:
    """Record new ``(story_id, sentence key)`` pairs (none present yet) and count each once
    more in ``dedup_passage_counts``."""
    insert_integers(session, _core(DedupStoryPassage), ("story_id", "key"), rows)
    counts = sorted(Counter(key for _, key in rows).items())
    insert_integers(session, _core(DedupPassageCount), ("key", "stories"), counts, "stories")


def write_new_story_passages(
    session: Session, stories: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """Bulk path for stories created together (a bulk load): record each story's sentence
    keys and count every sentence once per story."""
    write_story_passages(session, [(sid, k) for sid, keys in stories for k in sorted(set(keys))])


def key_in(session: Session, column: InstrumentedAttribute[Any], values: Iterable[Any]) -> Any:
    """``column IN values`` with one bound parameter, however many values: an array on
    PostgreSQL, a JSON list read by ``json_each`` on SQLite (no parameter limit, and no
    per-value parameter processing)."""
    wanted = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(wanted, postgresql.ARRAY(column.type)))
    listed = func.json_each(literal(json.dumps(wanted))).table_valued("value")
    return column.in_(select(listed.c.value))


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
    if not keys:
        return out
    rank = func.row_number().over(partition_by=key, order_by=doc).label("rank")
    ranked = query.add_columns(rank).where(key_in(session, key, keys)).subquery()
    rows = session.execute(select(ranked.c[0], ranked.c[1]).where(ranked.c.rank <= limit))
    for k, doc_id in rows.tuples():
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


def _pairs(session: Session, query: Select[Any], column: Any, keys: Collection[Any]) -> list[Any]:
    if not keys:
        return []
    return list(session.execute(query.where(key_in(session, column, keys))).tuples())


def anchor_counts(session: Session, keys: Collection[int]) -> dict[int, int]:
    """Documents holding each anchor (anchors in no document are left out)."""
    query = select(DedupAnchorCount.key, DedupAnchorCount.documents)
    return dict(_pairs(session, query, DedupAnchorCount.key, keys))


def anchor_postings(session: Session, keys: Collection[int]) -> dict[int, list[int]]:
    """The documents holding each anchor; call it for rare anchors only."""
    out: dict[int, list[int]] = {}
    query = select(DedupAnchor.key, DedupAnchor.document_id)
    for key, doc_id in _pairs(session, query, DedupAnchor.key, keys):
        out.setdefault(key, []).append(doc_id)
    return out


def passage_counts(session: Session, keys: Iterable[int]) -> dict[int, int]:
    """Stories holding each sentence key (keys in no story are left out)."""
    query = select(DedupPassageCount.key, DedupPassageCount.stories)
    return dict(_pairs(session, query, DedupPassageCount.key, set(keys)))


def story_passages(
    session: Session, story_ids: Collection[int], keys: Collection[int]
) -> set[tuple[int, int]]:
    """The ``(story_id, key)`` pairs present among ``story_ids`` × ``keys``."""
    if not story_ids:
        return set()
    query = select(DedupStoryPassage.story_id, DedupStoryPassage.key).where(
        key_in(session, DedupStoryPassage.story_id, story_ids)
    )
    return set(_pairs(session, query, DedupStoryPassage.key, keys))

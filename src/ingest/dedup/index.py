"""The persisted index: writing documents' rows and reading it for a batch of new ones.

Every lookup is by key on an indexed column and bounded by the batch's own size: its
fingerprints and band keys (at most ``max_candidates`` documents each), its anchors (postings
read only for anchors held by at most ``anchor_max_df`` documents) and its sentences. Nothing
scans the store, so the cost of adding a batch does not grow with it. Each lookup is one
statement with one bound list (``key_in``), whatever the number of documents in the batch,
and rows are written with a few statements per table (:mod:`ingest.dedup.bulk`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Column, Select, Table, and_, any_, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from ingest.config import DedupSettings
from ingest.dedup.bulk import insert_columns
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
    "band_hits",
    "exact_hits",
    "index_rows",
    "key_in",
    "passage_counts",
    "rare_anchors",
    "story_passages",
    "write_index",
    "write_new_story_passages",
    "write_story_passages",
]


def _core(model: Any) -> Table:
    """The table of a model: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


_DOCUMENTS, _MEMBERS = _core(Document), _core(StoryMember)
_ENTRIES, _BANDS, _ANCHORS = _core(DedupEntry), _core(DedupBand), _core(DedupAnchor)
_ANCHOR_COUNTS, _PASSAGE_COUNTS = _core(DedupAnchorCount), _core(DedupPassageCount)
_STORY_PASSAGES = _core(DedupStoryPassage)


def params_key(settings: DedupSettings) -> str:
    """The settings a stored signature depends on."""
    return f"v1/k{settings.shingle_size}/p{settings.num_perm}/s{settings.seed}"


@dataclass(frozen=True, slots=True)
class IndexRows:
    """What the index rows of one document are made of (see :func:`write_index`)."""

    document_id: int
    features: Features
    params: str


def index_rows(document_id: int, features: Features, settings: DedupSettings) -> IndexRows:
    """The index rows of one document; ``features`` computed with ``settings``."""
    return IndexRows(document_id, features, params_key(settings))


def write_index(session: Session, rows: Sequence[IndexRows]) -> None:
    """Insert the rows of several documents, one statement per table, and update the anchor
    counts. Rows go in key order: each B-tree page is then visited once per batch."""
    if not rows:
        return
    insert_columns(
        session,
        _ENTRIES,
        {
            "document_id": [r.document_id for r in rows],
            "signature": [r.features.signature.astype("<u4").tobytes() for r in rows],
            "shingles": [r.features.distinct for r in rows],
            "params": [r.params for r in rows],
        },
    )
    ids = np.array([r.document_id for r in rows], dtype=np.int64)
    bands, owners = _flat([r.features.bands for r in rows], ids)
    number = np.tile(np.arange(len(rows[0].features.bands), dtype=np.int64), len(rows))
    order = np.lexsort((owners, bands))
    ordered = {"key": bands[order], "document_id": owners[order], "band": number[order]}
    insert_columns(session, _BANDS, {k: v.tolist() for k, v in ordered.items()})
    anchors, owners = _flat([r.features.anchors for r in rows], ids)
    order = np.lexsort((owners, anchors))
    insert_columns(
        session,
        _ANCHORS,
        {"key": anchors[order].tolist(), "document_id": owners[order].tolist()},
    )
    keys, counts = np.unique(anchors, return_counts=True)
    columns = {"key": keys.tolist(), "documents": counts.tolist()}
    insert_columns(session, _ANCHOR_COUNTS, columns, add_to="documents")


def _flat(
    keys: Sequence[npt.NDArray[np.int64]], ids: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The keys of every document in one array, and the id of the document of each."""
    return np.concatenate(keys), np.repeat(ids, [k.size for k in keys])


def write_story_passages(session: Session, stories: Sequence[tuple[int, Sequence[int]]]) -> None:
    """Record the sentence keys new to each ``(story_id, keys)`` (none present yet, each
    once) and count each once more in ``dedup_passage_counts``."""
    sizes = [len(keys) for _, keys in stories]
    if not sum(sizes):
        return
    story_ids = np.repeat(np.array([sid for sid, _ in stories], dtype=np.int64), sizes)
    keys = np.fromiter(itertools.chain(*(k for _, k in stories)), dtype=np.int64, count=sum(sizes))
    columns = {"story_id": story_ids.tolist(), "key": keys.tolist()}
    insert_columns(session, _STORY_PASSAGES, columns)
    unique, counts = np.unique(keys, return_counts=True)
    columns = {"key": unique.tolist(), "stories": counts.tolist()}
    insert_columns(session, _PASSAGE_COUNTS, columns, add_to="stories")


def write_new_story_passages(
    session: Session, stories: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """Bulk path for stories created together (a bulk load): record each story's sentence
    keys and count every sentence once per story."""
    write_story_passages(session, [(sid, sorted(set(keys))) for sid, keys in stories])


def key_in(
    session: Session, column: InstrumentedAttribute[Any] | ColumnElement[Any], values: Iterable[Any]
) -> Any:
    """``column IN values`` with one bound parameter, however many values: an array on
    PostgreSQL, a JSON list read by ``json_each`` on SQLite (no parameter limit, and no
    per-value parameter processing)."""
    wanted = values if isinstance(values, list) else list(values)  # repeats are harmless
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(wanted, postgresql.ARRAY(column.type)))
    listed = func.json_each(literal(json.dumps(wanted))).table_valued("value")
    return column.in_(select(listed.c.value))


def _first_per_key(
    session: Session,
    query: Select[Any],
    key: Column[Any],
    doc: Column[int],
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
    docs = _DOCUMENTS.c
    query = select(docs.text_sha1, docs.id).join(_MEMBERS, _MEMBERS.c.document_id == docs.id)
    return _first_per_key(session, query, docs.text_sha1, docs.id, fingerprints, limit)


def band_hits(session: Session, keys: Collection[int], limit: int) -> dict[int, list[int]]:
    """Documents holding each LSH band key: the ``limit`` lowest ids per key."""
    bands = _BANDS.c
    query = select(bands.key, bands.document_id)
    return _first_per_key(session, query, bands.key, bands.document_id, keys, limit)


def rare_anchors(
    session: Session, keys: Collection[int], most: int
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Documents per anchor (anchors in no document are left out), and the documents holding
    each anchor held by at most ``most`` documents: one statement."""
    counts: dict[int, int] = {}
    postings: dict[int, list[int]] = {}
    if not keys:
        return counts, postings
    held, anchors = _ANCHOR_COUNTS.c, _ANCHORS.c
    rare = and_(anchors.key == held.key, held.documents <= most)
    query = select(held.key, held.documents, anchors.document_id).select_from(
        _ANCHOR_COUNTS.outerjoin(_ANCHORS, rare)
    )
    for key, documents, doc_id in session.execute(query.where(key_in(session, held.key, keys))):
        counts[key] = documents
        if doc_id is not None:
            postings.setdefault(key, []).append(doc_id)
    return counts, postings


def passage_counts(session: Session, keys: Iterable[int]) -> dict[int, int]:
    """Stories holding each sentence key (keys in no story are left out)."""
    wanted = set(keys)
    if not wanted:
        return {}
    counts = _PASSAGE_COUNTS.c
    query = select(counts.key, counts.stories).where(key_in(session, counts.key, wanted))
    return {key: stories for key, stories in session.execute(query).tuples()}


def story_passages(
    session: Session, story_ids: Collection[int], keys: Collection[int]
) -> set[tuple[int, int]]:
    """The ``(story_id, key)`` pairs present among ``story_ids`` × ``keys``: each story's rows
    are read by story and tested against the keys (``key + 0`` keeps SQLite from looking up
    every pair in the primary key)."""
    if not story_ids or not keys:
        return set()
    passages = _STORY_PASSAGES.c
    query = select(passages.story_id, passages.key).where(
        key_in(session, passages.story_id, story_ids), key_in(session, passages.key + 0, keys)
    )
    return set(session.execute(query).tuples())

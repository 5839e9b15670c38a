"""The persisted index: the rows of a batch's documents and stories, written in bulk.

Rows are written with a few statements per table (:mod:`ingest.dedup.bulk`); the index is read
by :mod:`ingest.dedup.lookups`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table
from sqlalchemy.orm import Session

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

__all__ = [
    "IndexRows",
    "index_rows",
    "write_index",
    "write_new_story_passages",
    "write_story_passages",
]


def _core(model: Any) -> Table:
    """The table of a model: Core inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


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

"""Reading the persisted index for a batch of new documents.

Every lookup is by key on an indexed column and bounded by the batch's own size: its
fingerprints and band keys (at most ``max_candidates`` documents each), its anchors (postings
read only for anchors held by at most ``anchor_max_df`` documents) and its sentences. Nothing
scans the store, so the cost of adding a batch does not grow with it.

Each lookup is one statement with one bound list: an array on PostgreSQL, a JSON list read by
``json_each`` on SQLite (no parameter limit, no per-value parameter processing). The
statements are SQL text made once per dialect: building and compiling a Core ``select`` took
about ten times as long as running these small lookups.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, any_, func, literal, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "assigned",
    "band_hits",
    "documents_at",
    "exact_hits",
    "key_in",
    "passage_counts",
    "rare_anchors",
    "story_passages",
    "texts",
]

#: The statements, with ``{name}`` where a bound list of that name is tested.
_SQL = {
    "assigned": "SELECT document_id, story_id FROM story_members WHERE document_id {ids}",
    "texts": "SELECT id, text FROM documents WHERE id {ids}",
    "urls": "SELECT url, id FROM documents WHERE url {urls}",
    "exact": (
        "SELECT text_sha1, id FROM (SELECT d.text_sha1, d.id, row_number() OVER"
        " (PARTITION BY d.text_sha1 ORDER BY d.id) AS rank FROM documents d"
        " JOIN story_members m ON m.document_id = d.id WHERE d.text_sha1 {fingerprints})"
        " AS ranked WHERE rank <= :limit"
    ),
    "bands": (
        'SELECT "key", document_id FROM (SELECT "key", document_id, row_number() OVER'
        ' (PARTITION BY "key" ORDER BY document_id) AS rank FROM dedup_bands'
        ' WHERE "key" {keys}) AS ranked WHERE rank <= :limit'
    ),
    "anchors": (
        'SELECT c."key", c.documents, a.document_id FROM dedup_anchor_counts c'
        ' LEFT JOIN dedup_anchors a ON a."key" = c."key" AND c.documents <= :most'
        ' WHERE c."key" {keys}'
    ),
    "passage_counts": 'SELECT "key", stories FROM dedup_passage_counts WHERE "key" {keys}',
    # "key" + 0: SQLite would otherwise look up every (story, key) pair in the primary key
    "story_passages": (
        'SELECT story_id, "key" FROM dedup_story_passages'
        ' WHERE story_id {stories} AND "key" + 0 {keys}'
    ),
}
_LIST_TYPES = {
    "ids": "INTEGER",
    "stories": "INTEGER",
    "keys": "BIGINT",
    "fingerprints": "TEXT",
    "urls": "TEXT",
}


def _in(dialect: str, name: str) -> str:
    """``IN`` the bound list ``name``."""
    if dialect == "postgresql":
        return f"= ANY(CAST(:{name} AS {_LIST_TYPES[name]}[]))"
    return f"IN (SELECT value FROM json_each(:{name}))"


@lru_cache(maxsize=32)
def _statement(dialect: str, which: str) -> TextClause:
    return text(_SQL[which].format(**{name: _in(dialect, name) for name in _LIST_TYPES}))


def _run(session: Session, which: str, lists: dict[str, Iterable[Any]], **values: Any) -> Any:
    """The rows of statement ``which`` with its bound lists and other values."""
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = dict(values)
    for name, listed in lists.items():
        wanted = listed if isinstance(listed, list) else list(listed)  # repeats are harmless
        params[name] = wanted if dialect == "postgresql" else json.dumps(wanted)
    return session.execute(_statement(dialect, which), params).tuples().all()


def assigned(session: Session, document_ids: Collection[int]) -> list[tuple[int, int]]:
    """``(document_id, story_id)`` of the documents among ``document_ids`` in a story."""
    return list(_run(session, "assigned", {"ids": document_ids}))


def texts(session: Session, document_ids: Collection[int]) -> dict[int, str]:
    """The stored text of each document."""
    return dict(_run(session, "texts", {"ids": document_ids}))


def documents_at(session: Session, urls: Collection[str]) -> dict[str, int]:
    """The stored documents among ``urls``, as URL → document id."""
    return dict(_run(session, "urls", {"urls": urls})) if urls else {}


def _first_per_key(rows: Iterable[tuple[Any, int]]) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = {}
    for key, doc_id in rows:
        out.setdefault(key, []).append(doc_id)
    for ids in out.values():
        ids.sort()
    return out


def exact_hits(session: Session, fingerprints: Collection[str], limit: int) -> dict[str, list[int]]:
    """Assigned documents with each ``text_sha1``: the ``limit`` lowest ids per fingerprint."""
    if not fingerprints:
        return {}
    return _first_per_key(_run(session, "exact", {"fingerprints": fingerprints}, limit=limit))


def band_hits(session: Session, keys: Collection[int], limit: int) -> dict[int, list[int]]:
    """Documents holding each LSH band key: the ``limit`` lowest ids per key."""
    if not keys:
        return {}
    return _first_per_key(_run(session, "bands", {"keys": keys}, limit=limit))


def rare_anchors(
    session: Session, keys: Collection[int], most: int
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Documents per anchor (anchors in no document are left out), and the documents holding
    each anchor held by at most ``most`` documents: one statement."""
    counts: dict[int, int] = {}
    postings: dict[int, list[int]] = {}
    if not keys:
        return counts, postings
    for key, documents, doc_id in _run(session, "anchors", {"keys": keys}, most=most):
        counts[key] = documents
        if doc_id is not None:
            postings.setdefault(key, []).append(doc_id)
    return counts, postings


def passage_counts(session: Session, keys: Collection[int]) -> dict[int, int]:
    """Stories holding each sentence key (keys in no story are left out)."""
    if not keys:
        return {}
    return dict(_run(session, "passage_counts", {"keys": keys}))


def story_passages(
    session: Session, story_ids: Collection[int], keys: Collection[int]
) -> set[tuple[int, int]]:
    """The ``(story_id, key)`` pairs present among ``story_ids`` × ``keys``."""
    if not story_ids or not keys:
        return set()
    return set(_run(session, "story_passages", {"stories": story_ids, "keys": keys}))


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

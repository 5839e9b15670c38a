"""Candidates for a batch of new documents.

The persisted index is read once for the whole batch and the batch's own keys are indexed in
memory, so each document finds the stored documents *and* the documents before it in its
batch, exactly as if the batch had been assigned one by one:

- documents with the same ``text_sha1`` (lowest ids first);
- documents sharing an LSH band key (lowest ids first);
- the documents sharing the most anchors held by at most ``anchor_max_df`` documents;

``max_candidates`` in all, in that order of preference.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import index
from ingest.dedup.facts import Facts
from ingest.dedup.features import Features

__all__ = ["BatchIndex"]


class BatchIndex:
    """The index as each document of a batch sees it: the stored rows, plus the rows of the
    documents before it in the batch. Only keys held by two or more documents of the batch
    can make one find another, so only those are tracked in memory.
    """

    def __init__(
        self,
        session: Session,
        docs: Sequence[Facts],
        features: Sequence[Features],
        settings: DedupSettings,
    ) -> None:
        self._settings = settings
        self._docs = docs
        self._bands = [f.bands for f in features]
        self._anchors = [f.anchors for f in features]
        limit = settings.max_candidates
        self._exact = index.exact_hits(session, {d.text_sha1 for d in docs}, limit)
        self._band = index.band_hits(session, set(itertools.chain(*self._bands)), limit)
        self._counts, self._postings = index.rare_anchors(
            session, set(itertools.chain(*self._anchors)), settings.anchor_max_df
        )
        self._same_text = _shared([[d.text_sha1] for d in docs])
        self._same_band = _shared_keys(self._bands)
        self._same_anchor = _shared_keys(self._anchors)
        # keys that can give candidates at all: held by a stored or another batch document
        self._band_held = self._band.keys() | self._same_band.keys()
        self._anchor_held = self._counts.keys() | self._same_anchor.keys()

    def candidates(self, i: int) -> list[int]:
        """The candidate ids of document ``i`` of the batch."""
        limit = self._settings.max_candidates
        doc = self._docs[i]
        exact = sorted(self._with_earlier(self._exact, self._same_text, doc.text_sha1, i))
        held = [k for k in self._bands[i] if k in self._band_held]
        banded = {d for k in held for d in self._with_earlier(self._band, self._same_band, k, i)}
        found = dict.fromkeys(exact[:limit])
        for doc_id in (*sorted(banded)[:limit], *self._anchor_candidates(i)):
            found.setdefault(doc_id)
        found.pop(doc.id, None)
        return list(found)[:limit]

    def _with_earlier(
        self, stored: dict[Any, list[int]], shared: dict[Any, list[int]], key: Any, i: int
    ) -> list[int]:
        """The stored documents holding ``key`` and the batch's documents before ``i``."""
        earlier = [self._docs[j].id for j in shared.get(key, ()) if j < i]
        return [*stored.get(key, ()), *earlier]

    def _anchor_candidates(self, i: int) -> list[int]:
        most = self._settings.anchor_max_df
        shared: Counter[int] = Counter()
        for key in (k for k in self._anchors[i] if k in self._anchor_held):
            earlier = sum(1 for j in self._same_anchor.get(key, ()) if j < i)
            if 0 < self._counts.get(key, 0) + earlier <= most:
                shared.update(self._with_earlier(self._postings, self._same_anchor, key, i))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return [doc_id for doc_id, _ in ranked[: self._settings.max_candidates]]


def _shared_keys(keys_per_doc: Sequence[Sequence[int]]) -> dict[int, list[int]]:
    """:func:`_shared` of integer keys, found by sorting all of them at once (most keys are
    held by one document only)."""
    sizes = [len(keys) for keys in keys_per_doc]
    flat = np.fromiter(itertools.chain(*keys_per_doc), dtype=np.int64, count=sum(sizes))
    where = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    order = np.argsort(flat, kind="stable")
    key, doc = flat[order], where[order]
    repeated = key[1:] == key[:-1]
    kept = np.zeros(key.size, dtype=bool)
    kept[1:] |= repeated
    kept[:-1] |= repeated
    out: dict[int, list[int]] = {}
    for k, i in zip(key[kept].tolist(), doc[kept].tolist(), strict=True):
        out.setdefault(k, []).append(i)
    return out


def _shared(keys_per_doc: Iterable[Iterable[Any]]) -> dict[Any, list[int]]:
    """Keys held by two or more documents, with the positions of those documents."""
    where: dict[Any, list[int]] = {}
    for i, keys in enumerate(keys_per_doc):
        for key in keys:
            where.setdefault(key, []).append(i)
    return {key: docs for key, docs in where.items() if len(docs) > 1}

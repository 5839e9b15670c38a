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

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import lookups
from ingest.dedup.facts import Facts
from ingest.dedup.features import Features

__all__ = ["BatchIndex"]


class BatchIndex:
    """The index as each document of a batch sees it: the stored rows, plus the rows of the
    documents before it in the batch. Only keys held by two or more documents of the batch
    can make one find another, so only those are tracked in memory, and each document keeps
    only its keys that another document holds.
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
        limit = settings.max_candidates
        bands, band_owner = _flat([f.bands for f in features])
        anchors, anchor_owner = _flat([f.anchors for f in features])
        band_keys, self._same_band = _shared_keys(bands, band_owner)
        anchor_keys, self._same_anchor = _shared_keys(anchors, anchor_owner)
        self._exact = lookups.exact_hits(session, {d.text_sha1 for d in docs}, limit)
        self._band = lookups.band_hits(session, band_keys, limit)
        self._counts, self._postings = lookups.rare_anchors(
            session, anchor_keys, settings.anchor_max_df
        )
        self._same_text = _shared([[d.text_sha1] for d in docs])
        held = self._band.keys() | self._same_band.keys()
        self._bands = _held(bands, band_owner, held, len(docs))
        held = self._counts.keys() | self._same_anchor.keys()
        self._anchors = _held(anchors, anchor_owner, held, len(docs))

    def candidates(self, i: int) -> list[int]:
        """The candidate ids of document ``i`` of the batch."""
        limit = self._settings.max_candidates
        doc = self._docs[i]
        exact = sorted(self._with_earlier(self._exact, self._same_text, doc.text_sha1, i))
        banded = {
            d for k in self._bands[i] for d in self._with_earlier(self._band, self._same_band, k, i)
        }
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
        for key in self._anchors[i]:
            earlier = sum(1 for j in self._same_anchor.get(key, ()) if j < i)
            if 0 < self._counts.get(key, 0) + earlier <= most:
                shared.update(self._with_earlier(self._postings, self._same_anchor, key, i))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return [doc_id for doc_id, _ in ranked[: self._settings.max_candidates]]


I64 = npt.NDArray[np.int64]


def _flat(keys: Sequence[I64]) -> tuple[I64, I64]:
    """The keys of every document in one array, and the position in the batch of the
    document of each."""
    sizes = [k.size for k in keys]
    flat = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
    return flat, np.repeat(np.arange(len(keys), dtype=np.int64), sizes)


def _held(keys: I64, owner: I64, held: Collection[int], n_docs: int) -> list[list[int]]:
    """Each document's keys that are among ``held`` (``keys`` grouped by document)."""
    kept = np.isin(keys, np.fromiter(held, dtype=np.int64, count=len(held)))
    stops = np.cumsum(np.bincount(owner[kept], minlength=n_docs)).tolist()
    listed = keys[kept].tolist()
    return [listed[a:b] for a, b in zip([0, *stops][:-1], stops, strict=True)]


def _shared_keys(keys: I64, owner: I64) -> tuple[list[int], dict[int, list[int]]]:
    """The distinct keys, and :func:`_shared` of them, from one sort of all the keys (most
    are held by one document only). The positions of a shared key come in any order."""
    order = np.argsort(keys)
    key, doc = keys[order], owner[order]
    repeated = key[1:] == key[:-1]
    first = np.ones(key.size, dtype=bool)
    first[1:] = ~repeated
    kept = np.zeros(key.size, dtype=bool)
    kept[1:] |= repeated
    kept[:-1] |= repeated
    out: dict[int, list[int]] = {}
    for k, i in zip(key[kept].tolist(), doc[kept].tolist(), strict=True):
        out.setdefault(k, []).append(i)
    return key[first].tolist(), out


def _shared(keys_per_doc: Iterable[Iterable[Any]]) -> dict[Any, list[int]]:
    """Keys held by two or more documents, with the positions of those documents."""
    where: dict[Any, list[int]] = {}
    for i, keys in enumerate(keys_per_doc):
        for key in keys:
            where.setdefault(key, []).append(i)
    return {key: docs for key, docs in where.items() if len(docs) > 1}

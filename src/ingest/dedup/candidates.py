"""Candidates for a batch of new documents.

The persisted index is read once for the whole batch; the documents of the batch are then
indexed in memory one after the other, so each document finds the stored documents *and* the
earlier documents of its batch, exactly as if the batch had been assigned one by one:

- documents with the same ``text_sha1`` (lowest ids first);
- documents sharing an LSH band key (lowest ids first);
- the documents sharing the most anchors held by at most ``anchor_max_df`` documents;

``max_candidates`` in all, in that order of preference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from ingest.config import DedupSettings
from ingest.dedup import index
from ingest.dedup.facts import Facts
from ingest.dedup.features import Features

__all__ = ["BatchIndex"]


class BatchIndex:
    """The index as each document of a batch sees it: stored rows plus earlier batch rows.

    Call :meth:`candidates` for document ``i``, then :meth:`add` it, in batch order.
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
        self._bands = [f.bands(settings.lsh_bands) for f in features]
        self._anchors = [f.anchors(settings.anchor_rate) for f in features]
        limit = settings.max_candidates
        self._exact = index.exact_hits(session, {d.text_sha1 for d in docs}, limit)
        self._band = index.band_hits(session, {k for b in self._bands for k in b}, limit)
        self._counts = index.anchor_counts(session, {k for a in self._anchors for k in a})
        rare = [k for k, n in self._counts.items() if n <= settings.anchor_max_df]
        self._postings = index.anchor_postings(session, rare)

    def candidates(self, i: int) -> list[int]:
        """The candidate ids of document ``i`` (documents before it already added)."""
        limit = self._settings.max_candidates
        doc = self._docs[i]
        exact = sorted(self._exact.get(doc.text_sha1, ()))[:limit]
        banded = sorted({d for k in self._bands[i] for d in self._band.get(k, ())})[:limit]
        found = dict.fromkeys(exact)
        for doc_id in (*banded, *self._anchor_candidates(i)):
            found.setdefault(doc_id)
        found.pop(doc.id, None)
        return list(found)[:limit]

    def _anchor_candidates(self, i: int) -> list[int]:
        most = self._settings.anchor_max_df
        rare = [k for k in self._anchors[i] if 0 < self._counts.get(k, 0) <= most]
        shared = Counter(d for k in rare for d in self._postings.get(k, ()))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return [doc_id for doc_id, _ in ranked[: self._settings.max_candidates]]

    def add(self, i: int) -> None:
        """Index document ``i`` in memory (its rows are written with the batch's)."""
        doc_id = self._docs[i].id
        self._exact.setdefault(self._docs[i].text_sha1, []).append(doc_id)
        for key in self._bands[i]:
            self._band.setdefault(key, []).append(doc_id)
        for key in self._anchors[i]:
            self._counts[key] = self._counts.get(key, 0) + 1
            self._postings.setdefault(key, []).append(doc_id)

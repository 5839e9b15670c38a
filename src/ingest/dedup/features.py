"""What the matcher knows about one text: its sentences, their shingles, its signature, its
retrieval keys.

Shingles never cross a sentence boundary, so every document shingle belongs to one sentence
and a shared shingle points at the passages two documents share. A batch of texts is
featurized at once: shingle hashes, signatures, LSH band keys, anchors and distinct shingle
counts come from array passes over the whole batch; the sets of shingle keys the rules compare
are built only for the texts that are compared, when first asked for.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ingest.config import DedupSettings
from ingest.dedup.shingles import shingle_hashes
from ingest.dedup.signatures import band_matrix, signature_matrix
from ingest.dedup.text import normalise, normalised_lines, passages

__all__ = ["Features", "RecentFeatures", "featurize", "passage_key"]

_MASK63 = (1 << 63) - 1
_PARTS_KEPT = 8  # unions of some of a text's sentences kept per text
I64 = npt.NDArray[np.int64]


@dataclass(slots=True)
class _Sets:
    """What a :class:`Features` builds when first asked for."""

    words: tuple[int, ...] | None = None
    sentences: tuple[frozenset[int], ...] | None = None
    union: frozenset[int] | None = None
    parts: dict[frozenset[int], frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Features:
    """Shingles, sentences and retrieval keys of one text.

    ``keys`` holds the shingle keys of every sentence in order (duplicates kept), those of
    ``sentences[i]`` at ``keys[ends[i - 1]:ends[i]]``; ``sentence_shingles[i]`` is their set
    and ``shingles`` the union. Keys are signed 63-bit integers (they are stored in BIGINT
    columns). ``bands`` (LSH band keys of the signature) and ``anchors`` (the distinct
    shingle keys divisible by the anchor rate, ascending) are those of the settings the
    features were computed with; ``distinct`` is ``len(shingles)``; ``fingerprint`` is
    ``text_fingerprint`` of the text (the normalised text is the normalised sentences joined).
    """

    sentences: tuple[str, ...]
    sentence_keys: tuple[int, ...]
    keys: I64
    ends: tuple[int, ...]
    signature: npt.NDArray[np.uint32]
    bands: I64
    anchors: I64
    distinct: int
    fingerprint: str
    _sets: _Sets = field(default_factory=_Sets, init=False, repr=False, compare=False)

    @property
    def sentence_words(self) -> tuple[int, ...]:
        """The number of words of each normalised sentence (counted on first use: only
        sentence pairs of texts of different outlets and dates close enough need it)."""
        if self._sets.words is None:
            self._sets.words = tuple(len(normalise(s).split()) for s in self.sentences)
        return self._sets.words

    @property
    def sentence_shingles(self) -> tuple[frozenset[int], ...]:
        """The set of shingle keys of each sentence (built once, on first use)."""
        if self._sets.sentences is None:
            listed = self.keys.tolist()
            starts = (0, *self.ends)[:-1]
            sets = (frozenset(listed[a:b]) for a, b in zip(starts, self.ends, strict=True))
            self._sets.sentences = tuple(sets)
        return self._sets.sentences

    def shingles_without(self, removed: frozenset[int]) -> frozenset[int]:
        """The shingle keys of the sentences whose key is not in ``removed``: the union of
        their ``sentence_shingles``, read from ``keys`` without building those sets. The last
        few are kept: a text is compared with several others leaving out the same sentences."""
        found = self._sets.parts.get(removed)
        if found is None:
            kept = np.array([key not in removed for key in self.sentence_keys], dtype=bool)
            sizes = [b - a for a, b in itertools.pairwise((0, *self.ends))]
            found = frozenset(self.keys[np.repeat(kept, sizes)].tolist())
            if len(self._sets.parts) >= _PARTS_KEPT:
                self._sets.parts.clear()
            self._sets.parts[removed] = found
        return found

    @property
    def shingles(self) -> frozenset[int]:
        """Every shingle key of the text (built once, on first use)."""
        if self._sets.union is None:
            self._sets.union = frozenset(self.keys.tolist())
        return self._sets.union


def passage_key(sentence: str) -> int:
    """A stable 63-bit key of a normalised sentence."""
    return _key(normalise(sentence).encode("utf-8"))


def _key(normalised: bytes) -> int:
    digest = hashlib.blake2b(normalised, digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK63


def featurize(texts: Sequence[str], settings: DedupSettings) -> list[Features]:
    """Features of each text, computed in one vectorised batch."""
    split = [passages(text) for text in texts]
    flat = [s for sentences in split for s in sentences]
    hashes, offsets = shingle_hashes(flat, settings.shingle_size)
    keys = (hashes >> np.uint64(1)).astype(np.int64)
    doc_bounds = np.concatenate(([0], np.cumsum([len(s) for s in split]))).astype(np.int64)
    doc_offsets = offsets[doc_bounds]
    matrix = signature_matrix(hashes, doc_offsets, num_perm=settings.num_perm, seed=settings.seed)
    bands = band_matrix(matrix, settings.lsh_bands)
    anchors, distinct = _anchors(keys, doc_offsets, settings.anchor_rate)
    offs, bounds = offsets.tolist(), doc_bounds.tolist()
    out: list[Features] = []
    for d, sentences in enumerate(split):
        first, last = bounds[d], bounds[d + 1]
        start = offs[first]
        lines = normalised_lines(sentences)
        out.append(
            Features(
                sentences=tuple(sentences),
                sentence_keys=tuple(map(_key, lines)),
                keys=keys[start : offs[last]],
                ends=tuple([o - start for o in offs[first + 1 : last + 1]]),
                signature=matrix[d],
                bands=bands[d],
                anchors=anchors[d],
                distinct=distinct[d],
                fingerprint=hashlib.sha1(b" ".join(filter(None, lines))).hexdigest(),
            )
        )
    return out


def _anchors(keys: I64, offsets: I64, rate: int) -> tuple[list[I64], list[int]]:
    """Each text's distinct keys divisible by ``rate`` (ascending), and its distinct keys'
    count; the keys of text ``d`` are ``keys[offsets[d]:offsets[d + 1]]``."""
    n_docs = offsets.size - 1
    if not n_docs:
        return [], []
    ordered = keys.copy()
    for d in range(n_docs):  # a few hundred keys each: much faster than one sort of all
        ordered[offsets[d] : offsets[d + 1]].sort()
    sizes = np.diff(offsets)
    owner = np.repeat(np.arange(n_docs, dtype=np.int64), sizes)
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    first[offsets[:-1][sizes > 0]] = True
    distinct = np.bincount(owner[first], minlength=n_docs)
    kept = first & (ordered % rate == 0)
    stops = np.cumsum(np.bincount(owner[kept], minlength=n_docs))
    return np.split(ordered[kept], stops[:-1]), distinct.tolist()


class RecentFeatures:
    """The features of the last ``size`` texts featurized through it, by text and settings.

    A stored document is featurized again from its stored text whenever it is a candidate of
    a new one; the documents stored shortly before are the usual candidates (copies follow
    their original within days), so their features are kept instead of recomputed. Features
    depend only on the text and the settings, so a kept one is exactly what featurizing the
    text again would give."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, tuple[int, ...]], Features] = OrderedDict()
        self._lock = threading.Lock()

    def featurize(self, texts: Sequence[str], settings: DedupSettings) -> list[Features]:
        """:func:`featurize` of ``texts``, computing only those not kept."""
        params = _params(settings)
        with self._lock:
            found = [self._kept.get((text, params)) for text in texts]
        todo = [i for i, f in enumerate(found) if f is None]
        computed = featurize([texts[i] for i in todo], settings)
        self.keep([texts[i] for i in todo], computed, settings)
        done = dict(zip(todo, computed, strict=True))
        return [f if f is not None else done[i] for i, f in enumerate(found)]

    def keep(
        self, texts: Sequence[str], features: Sequence[Features], settings: DedupSettings
    ) -> None:
        """Keep the features of ``texts``, computed by :func:`featurize` with ``settings``
        (the oldest kept ones make room)."""
        params = _params(settings)
        with self._lock:
            for text, feats in zip(texts, features, strict=True):
                self._kept[text, params] = feats
                self._kept.move_to_end((text, params))
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


def _params(settings: DedupSettings) -> tuple[int, ...]:
    """The settings features depend on."""
    return (
        settings.shingle_size,
        settings.num_perm,
        settings.seed,
        settings.lsh_bands,
        settings.anchor_rate,
    )

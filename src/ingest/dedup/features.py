"""What the matcher knows about one text: its sentences, their shingles, its signature.

Shingles never cross a sentence boundary, so every document shingle belongs to one sentence
and a shared shingle points at the passages two documents share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingest.config import DedupSettings
from ingest.dedup.shingles import U64, shingle_hashes
from ingest.dedup.signatures import band_keys, signature_matrix
from ingest.dedup.text import normalise, passages

__all__ = ["Features", "featurize", "passage_key"]

_MASK63 = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Features:
    """Shingles and sentences of one text.

    ``sentence_shingles[i]`` is the set of shingle keys of ``sentences[i]``; ``shingles`` is
    their union. Keys are signed 63-bit integers (they are stored in BIGINT columns).
    """

    sentences: tuple[str, ...]
    sentence_words: tuple[int, ...]
    sentence_keys: tuple[int, ...]
    sentence_shingles: tuple[frozenset[int], ...]
    shingles: frozenset[int]
    signature: npt.NDArray[np.uint32]

    def anchors(self, rate: int) -> list[int]:
        """The shingles kept for retrieval: those whose key is divisible by ``rate`` (the
        same shingle is kept in every document, so two texts sharing a 14-shingle sentence
        share about 14 / rate anchors)."""
        return sorted(k for k in self.shingles if k % rate == 0)

    def bands(self, count: int) -> list[int]:
        return band_keys(self.signature, count)


def passage_key(sentence: str) -> int:
    """A stable 63-bit key of a normalised sentence."""
    return _key(normalise(sentence))


def _key(normalised: str) -> int:
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest()
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
    out: list[Features] = []
    for d, sentences in enumerate(split):
        first = int(doc_bounds[d])
        normalised = [normalise(s) for s in sentences]
        per_sentence = tuple(
            frozenset(keys[offsets[first + i] : offsets[first + i + 1]].tolist())
            for i in range(len(sentences))
        )
        out.append(
            Features(
                sentences=tuple(sentences),
                sentence_words=tuple(len(n.split()) for n in normalised),
                sentence_keys=tuple(_key(n) for n in normalised),
                sentence_shingles=per_sentence,
                shingles=frozenset().union(*per_sentence),
                signature=matrix[d],
            )
        )
    return out


def empty_hashes() -> U64:
    return np.empty(0, np.uint64)

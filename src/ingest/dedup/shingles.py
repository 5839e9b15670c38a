"""Word shingles hashed to 64 bits, for many texts at once with numpy.

Each text is normalised (:func:`ingest.dedup.text.normalise`), split into words, and every run
of ``k`` consecutive words becomes one 64-bit hash. A text shorter than ``k`` words gives one
shingle of all its words; an empty text gives none. Hashing works on the UTF-8 bytes of the
whole batch at once (each word from its length, head and tail bytes; shingles as polynomials
of word hashes; splitmix64 finalisers), so the cost per text
is a few numpy passes instead of Python work per word::

    >>> hashes, offsets = shingle_hashes(["satu dua tiga", "Satu, dua; tiga!"], k=2)
    >>> list(offsets)
    [0, 2, 4]
    >>> bool((hashes[0:2] == hashes[2:4]).all())
    True

Hashes are stable across processes and machines (no Python ``hash``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ingest.dedup import kernels, warmup
from ingest.dedup.text import BATCH_TABLE, encoded_batch, normalised_batch

__all__ = ["U64", "longest_text", "mix64", "shingle_hashes", "shingle_hashes_numpy"]

U64 = npt.NDArray[np.uint64]

_P = np.uint64(0x100000001B3)  # odd multiplier for the byte polynomial
_Q = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier combining word hashes
_SPACE, _NEWLINE = 32, 10
# Keep the first n bytes of a word's head (n = length, at most 8); its tail only from 8 up.
_HEAD_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], np.uint64)
_TAIL_MASKS = np.array([0] * 8 + [(1 << 64) - 1], dtype=np.uint64)


def mix64(x: U64) -> U64:
    """The splitmix64 finaliser, element-wise (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _load8(padded: npt.NDArray[np.uint8], at: npt.NDArray[np.int64]) -> U64:
    """The 8 bytes starting at each offset of ``at``, as little-endian uint64 (``padded``
    ends with 8 zero bytes)."""
    every = np.lib.stride_tricks.as_strided(
        padded[:8].view("<u8"), shape=(padded.size - 7,), strides=(1,), writeable=False
    )
    return every[at].astype(np.uint64)


def _word_hashes(buf: npt.NDArray[np.uint8]) -> tuple[U64, npt.NDArray[np.int64]]:
    """Hash of every word in ``buf`` (words separated by spaces, texts by newlines) and
    the index of the text each word belongs to.

    A word is hashed from its length, its first 8 bytes and its last 8 bytes: one gather per
    word instead of arithmetic per byte. Two words of more than 16 bytes that agree on length,
    head and tail collide; that is rare in news text and only merges two shingles.
    """
    padded = np.full(buf.size + 9, _SPACE, dtype=np.uint8)
    padded[1 : buf.size + 1] = buf
    is_word = padded > _SPACE  # normalised text holds only word bytes, spaces and newlines
    bounds = np.flatnonzero(is_word[1:] != is_word[:-1])
    starts, ends = bounds[0::2], bounds[1::2]
    length = ends - starts
    padded = padded[1:]
    clipped = np.minimum(length, 8)
    head = _load8(padded, starts) & _HEAD_MASKS[clipped]
    tail = _load8(padded, np.maximum(ends - 8, starts)) & _TAIL_MASKS[clipped]
    with np.errstate(over="ignore"):
        words = mix64(head ^ (tail * _P) ^ (length.astype(np.uint64) << np.uint64(56)))
    newlines = np.flatnonzero(buf == _NEWLINE)
    per_text = np.diff(np.searchsorted(starts, newlines), prepend=0)
    text_index = np.repeat(np.arange(newlines.size, dtype=np.int64), per_text)
    return words, text_index


def _combine(
    words: U64, text_index: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], k: int
) -> tuple[U64, npt.NDArray[np.int64]]:
    """Shingle hashes in text order and the offsets of each text's shingles in them."""
    n = words.size
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    per_text = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
    offsets = np.concatenate(([0], np.cumsum(per_text))).astype(np.int64)
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    acc = words.copy()
    with np.errstate(over="ignore"):
        for m in range(1, k + 1):
            if m > 1:
                acc[: n - m + 1] = acc[: n - m + 1] * _Q + words[m - 1 :]
            if m < k:  # a text of m < k words is one shingle of all its words
                short = np.flatnonzero(counts == m)
                out[offsets[short]] = acc[first[short]]
    if n >= k:
        start = np.flatnonzero(text_index[: n - k + 1] == text_index[k - 1 :])
        owner = text_index[start]
        out[offsets[owner] + start - first[owner]] = acc[start]
    return mix64(out), offsets


def shingle_hashes(texts: Sequence[str], k: int) -> tuple[U64, npt.NDArray[np.int64]]:
    """64-bit hashes of the word ``k``-shingles of each text.

    Returns ``(hashes, offsets)``: the shingles of ``texts[i]`` are
    ``hashes[offsets[i]:offsets[i + 1]]``, in text order (duplicates kept).
    """
    if k < 1:
        raise ValueError(f"shingle size must be at least 1, got {k}")
    if not texts:
        return np.empty(0, np.uint64), np.zeros(1, np.int64)
    if warmup.ready():
        joined, ends = encoded_batch(texts)
        raw = np.frombuffer(joined, dtype=np.uint8)
        scratch = kernels.scratch(longest_text(ends))
        return kernels.shingles_of_texts(raw, ends, BATCH_TABLE, k, scratch)
    return shingle_hashes_numpy(normalised_batch(texts), len(texts), k)


def longest_text(ends: npt.NDArray[np.int64]) -> int:
    """Bytes of the longest text of an encoded batch (see :func:`encoded_batch`)."""
    return int(np.diff(ends, prepend=-1).max()) - 1


def shingle_hashes_numpy(
    buf: npt.NDArray[np.uint8], n_texts: int, k: int
) -> tuple[U64, npt.NDArray[np.int64]]:
    """:func:`shingle_hashes` of a normalised batch with numpy passes only (the path without
    numba; the compiled kernel gives the same values)."""
    words, text_index = _word_hashes(buf)
    counts = np.bincount(text_index, minlength=n_texts).astype(np.int64)
    return _combine(words, text_index, counts, k)

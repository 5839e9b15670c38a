"""Compiled loops for shingle hashing and one-permutation MinHash (numba, when installed).

The functions here are plain Python over numpy arrays, compiled by ``numba.njit`` when numba
can be imported; :data:`COMPILED` says whether they were. They compute exactly the values of
the numpy passes in :mod:`ingest.dedup.shingles` and :mod:`ingest.dedup.signatures`. A batch
arrives as the UTF-8 of its texts, each followed by a separator byte (see
:func:`ingest.dedup.text.encoded_batch`), and each text is folded, split into words, hashed,
shingled and binned in one pass over small per-text arrays (:func:`scratch`) that stay in
cache, instead of a dozen passes over batch-sized arrays (the callers fall back to those
passes without numba: the same values, several times slower).

All arithmetic is wrapping ``uint64``: every operand is a ``np.uint64`` so that numba never
promotes a mix of signed and unsigned integers to floats. Compiled code is cached beside the
module (``cache=True``), so only the first process after an install pays the compilation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "COMPILED",
    "Scratch",
    "fold_batch",
    "scratch",
    "shingles_of_texts",
    "signature_rows",
    "signatures_of_texts",
]

logger = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])

# Per-text working arrays (see :func:`scratch`): folded bytes, their 8-byte view, edges, words.
Scratch = tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.uint64]
]

_njit: Callable[..., Any] | None
try:
    from numba import njit as _njit
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _njit = None
    logger.debug("numba is not installed: MinHash uses the numpy passes")

COMPILED: bool = _njit is not None

_SPACE = np.uint8(32)
_NEWLINE = np.uint8(10)
_P = np.uint64(0x100000001B3)
_Q = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint64(1 << 32)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_ONE = np.uint64(1)
_LEAD2, _LEAD3 = np.uint8(0xC2), np.uint8(0xE2)  # UTF-8 lead bytes of U+0080.., U+2000..
_CONT80, _CONTA0, _HIGH7 = np.uint8(0x80), np.uint8(0xA0), np.uint8(0xFE)
_ZERO, _HIGH = np.uint8(0), np.uint8(0x80)
_S8, _S27, _S30, _S31, _S32, _S56 = (np.uint64(s) for s in (8, 27, 30, 31, 32, 56))


def _jit(fn: _F) -> _F:
    """``fn`` compiled by numba (cached, without the GIL), or ``fn`` itself without numba."""
    if _njit is None:
        return fn
    return cast(_F, _njit(cache=True, nogil=True)(fn))


@_jit
def _mix(x: np.uint64) -> np.uint64:
    """The splitmix64 finaliser of one value (see :func:`ingest.dedup.shingles.mix64`)."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@_jit
def _word(every: npt.NDArray[np.uint64], start: int, end: int) -> np.uint64:
    """Hash of the word ``buf[start:end]``: its length, first 8 and last 8 bytes (masks
    instead of branches on the length, which varies too much to predict)."""
    length = end - start
    long = length >= 8
    head_mask = _ALL if long else (_ONE << (_S8 * np.uint64(length))) - _ONE
    tail_mask = _ALL if long else np.uint64(0)
    head = every[start] & head_mask
    tail = every[max(end - 8, 0)] & tail_mask
    return _mix(head ^ (tail * _P) ^ (np.uint64(length) << _S56))


@_jit
def _blanked(raw: npt.NDArray[np.uint8], i: int, b: np.uint8) -> bool:
    """Whether the byte ``b = raw[i]`` (0x80 or more) belongs to the UTF-8 of General
    Punctuation (lead E2 80 or E2 81) or of U+00A0-U+00BF (lead C2, then A0-BF)."""
    n1 = raw[i + 1]
    p1 = raw[i - 1] if i >= 1 else _ZERO
    p2 = raw[i - 2] if i >= 2 else _ZERO
    return bool(
        (b == _LEAD3 and n1 & _HIGH7 == _CONT80)
        or (p1 == _LEAD3 and b & _HIGH7 == _CONT80)
        or (p2 == _LEAD3 and p1 & _HIGH7 == _CONT80)
        or (b == _LEAD2 and n1 >= _CONTA0)
        or (p1 == _LEAD2 and b >= _CONTA0)
    )


@_jit
def _fold_text(
    raw: npt.NDArray[np.uint8],
    start: int,
    end: int,
    table: npt.NDArray[np.uint8],
    out: npt.NDArray[np.uint8],
    edges: npt.NDArray[np.int32],
) -> int:
    """Fold ``raw[start:end]`` (one text's UTF-8, followed by at least one more byte) into
    ``out[0:end - start]``, store where its words start and end, alternately, in ``edges``
    and return the number of edges.

    ``table`` lower-cases ASCII letters and blanks the other ASCII bytes; the UTF-8 of General
    Punctuation and of U+00A0-U+00BF becomes spaces (:func:`_blanked`, only looked at for
    non-ASCII bytes, rare enough in Indonesian news for the branch to be predicted). Word
    edges are found without data-dependent branches (word lengths vary too much to predict):
    each position is stored and the count advanced by 0 or 1.
    """
    n, inside = 0, 0
    for i in range(start, end):
        b = raw[i]
        c = table[b]
        if b >= _HIGH and _blanked(raw, i, b):
            c = _SPACE
        out[i - start] = c
        word = int(c > _SPACE)
        edges[n] = i - start
        n += word ^ inside
        inside = word
    edges[n] = end - start
    return n + inside


@_jit
def fold_batch(
    raw: npt.NDArray[np.uint8], ends: npt.NDArray[np.int64], table: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint8]:
    """The folded bytes of a batch (see :func:`_fold_text`): ``raw`` holds the texts' UTF-8,
    each followed by one separator byte at ``ends[t]``, which becomes a newline."""
    out = np.empty(raw.size, dtype=np.uint8)
    edges = np.empty(raw.size + 1, dtype=np.int32)
    start = 0
    for t in range(ends.size):
        _fold_text(raw, start, ends[t], table, out[start:], edges)
        out[ends[t]] = _NEWLINE
        start = ends[t] + 1
    return out


@_jit
def _text_words(
    raw: npt.NDArray[np.uint8],
    start: int,
    end: int,
    table: npt.NDArray[np.uint8],
    scratch: Scratch,
) -> int:
    """Fold one text into ``scratch`` and hash its words into ``scratch.words``; returns the
    number of words."""
    buf, every, edges, words = scratch
    n_words = _fold_text(raw, start, end, table, buf, edges) // 2
    for w in range(n_words):
        words[w] = _word(every, edges[2 * w], edges[2 * w + 1])
    return n_words


@_jit
def _text_shingles(words: npt.NDArray[np.uint64], k: int, out: npt.NDArray[np.uint64]) -> None:
    """The shingles of one text's ``words`` into ``out``: each run of ``k`` words (all of them
    when fewer) as a polynomial in ``_Q``, then mixed. The polynomial rolls from one shingle to
    the next: drop the oldest word's term, shift, add the new word (wrapping arithmetic)."""
    size = min(k, words.size)
    acc = np.uint64(0)
    top = np.uint64(1)  # _Q ** (size - 1): the weight of the oldest word
    for i in range(size):
        acc = acc * _Q + words[i]
        if i:
            top = top * _Q
    out[0] = _mix(acc)
    for j in range(1, out.size):
        acc = (acc - words[j - 1] * top) * _Q + words[j + size - 1]
        out[j] = _mix(acc)


@_jit
def _shingle_count(n_words: int, k: int) -> int:
    """Shingles of a text of ``n_words`` words: one when it has fewer than ``k``, none when
    it has none."""
    return n_words - k + 1 if n_words >= k else min(n_words, 1)


@_jit
def shingles_of_texts(
    raw: npt.NDArray[np.uint8],
    ends: npt.NDArray[np.int64],
    table: npt.NDArray[np.uint8],
    k: int,
    scratch: Scratch,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """``(hashes, offsets)`` of the word ``k``-shingles of each text of an encoded batch
    (see :func:`fold_batch` for ``raw`` and ``ends``; :func:`scratch` for ``scratch``)."""
    n_texts = ends.size
    offsets = np.zeros(n_texts + 1, dtype=np.int64)
    out = np.empty(raw.size // 2 + 1, dtype=np.uint64)  # a word takes 2 bytes at least
    words = scratch[3]
    start = 0
    for t in range(n_texts):
        n_words = _text_words(raw, start, ends[t], table, scratch)
        count = _shingle_count(n_words, k)
        offsets[t + 1] = offsets[t] + count
        if count:
            _text_shingles(words[:n_words], k, out[offsets[t] : offsets[t + 1]])
        start = ends[t] + 1
    return out[: offsets[n_texts]], offsets


@_jit
def _bin_minima(
    hashes: npt.NDArray[np.uint64], seed: np.uint64, slots: npt.NDArray[np.uint64]
) -> None:
    """One-permutation MinHash of ``hashes`` into ``slots`` (``_EMPTY`` where no hash falls):
    the high bits of a salted hash choose the bin, its low 32 bits compete for the minimum."""
    width = np.uint64(slots.size)
    for i in range(hashes.size):
        salted = _mix(hashes[i] ^ seed)
        b = ((salted >> _S32) * width) >> _S32
        slots[b] = min(slots[b], salted & _LOW32)


@_jit
def signatures_of_texts(
    raw: npt.NDArray[np.uint8],
    ends: npt.NDArray[np.int64],
    table: npt.NDArray[np.uint8],
    k: int,
    num_perm: int,
    seed: np.uint64,
    salts: npt.NDArray[np.uint32],
    scratch: Scratch,
) -> npt.NDArray[np.uint32]:
    """The signature rows of each text of an encoded batch, without an array of all shingle
    hashes: each text is folded, hashed, shingled and binned while its bytes are in cache
    (equal to :func:`signature_rows` of :func:`shingles_of_texts`)."""
    n_texts = ends.size
    out = np.empty((n_texts, num_perm), dtype=np.uint32)
    words = scratch[3]
    shingles = np.empty(words.size, dtype=np.uint64)
    slots = np.empty(num_perm, dtype=np.uint64)
    start = 0
    for t in range(n_texts):
        n_words = _text_words(raw, start, ends[t], table, scratch)
        count = _shingle_count(n_words, k)
        slots[:] = _EMPTY
        if count:
            _text_shingles(words[:n_words], k, shingles[:count])
            _bin_minima(shingles[:count], seed, slots)
        _densify_row(slots, salts, out[t])
        start = ends[t] + 1
    return out


def scratch(longest: int) -> Scratch:
    """Per-text working arrays for texts of up to ``longest`` bytes: the folded bytes (with 8
    spare bytes), the little-endian 8 bytes starting at each of its offsets (one unaligned load
    per word instead of eight byte loads), word edges and word hashes."""
    buf = np.zeros(longest + 8, dtype=np.uint8)
    every = np.lib.stride_tricks.as_strided(
        buf[:8].view("<u8"), shape=(longest + 1,), strides=(1,), writeable=False
    )
    edges = np.empty(longest + 2, dtype=np.int32)
    words = np.empty(longest // 2 + 1, dtype=np.uint64)
    return buf, every, edges, words


@_jit
def _densify_row(slots: npt.NDArray[np.uint64], salts: npt.NDArray[np.uint32], row: Any) -> None:
    """Fill ``row`` from ``slots``: an empty bin takes the next non-empty bin to its right
    (circularly) salted with the distance; a row without values is all ``0xFFFFFFFF``."""
    width = slots.size
    nxt = 2 * width  # in the doubled row: bins width..2 * width - 1 are bins 0..width - 1 again
    for j in range(width):
        if slots[j] != _EMPTY:
            nxt = j + width
            break
    for j in range(width - 1, -1, -1):
        if slots[j] != _EMPTY:
            nxt = j
            row[j] = np.uint32(slots[j])
        elif nxt == 2 * width:
            row[j] = np.uint32(0xFFFFFFFF)
        else:
            row[j] = np.uint32(slots[nxt if nxt < width else nxt - width]) ^ salts[nxt - j]


@_jit
def signature_rows(
    hashes: npt.NDArray[np.uint64],
    offsets: npt.NDArray[np.int64],
    num_perm: int,
    seed: np.uint64,
    salts: npt.NDArray[np.uint32],
) -> npt.NDArray[np.uint32]:
    """One row of ``num_perm`` 32-bit values per text (see
    :func:`ingest.dedup.signatures.signature_matrix`); ``salts[d]`` salts a value borrowed
    from ``d`` bins away."""
    n_docs = offsets.size - 1
    out = np.empty((n_docs, num_perm), dtype=np.uint32)
    slots = np.empty(num_perm, dtype=np.uint64)
    for d in range(n_docs):
        slots[:] = _EMPTY
        _bin_minima(hashes[offsets[d] : offsets[d + 1]], seed, slots)
        _densify_row(slots, salts, out[d])
    return out

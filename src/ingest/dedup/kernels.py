"""Compiled loops for shingle hashing and one-permutation MinHash (numba, when installed).

The functions here are plain Python over numpy arrays, compiled by ``numba.njit`` when numba
can be imported; :data:`COMPILED` says whether they were. They compute exactly the values of
the numpy passes in :mod:`ingest.dedup.shingles` and :mod:`ingest.dedup.signatures`, in one
pass over the bytes and one over the shingles instead of a dozen array passes (the callers
fall back to those passes without numba: the same values, about three times slower).

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

__all__ = ["COMPILED", "shingles_of_batch", "signature_rows", "translate"]

logger = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])

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
def translate(raw: npt.NDArray[np.uint8], table: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """``table[raw]`` into a new array (faster than ``bytes.translate`` or numpy indexing)."""
    out = np.empty(raw.size, dtype=np.uint8)
    for i in range(raw.size):
        out[i] = table[raw[i]]
    return out


def _every8(buf: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """The little-endian 8 bytes starting at each offset of ``buf`` (zeros past its end), as
    a read-only strided view: one unaligned load per word instead of eight byte loads."""
    padded = np.zeros(buf.size + 8, dtype=np.uint8)
    padded[: buf.size] = buf
    return np.lib.stride_tricks.as_strided(
        padded[:8].view("<u8"), shape=(buf.size,), strides=(1,), writeable=False
    )


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
def _edges(buf: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Where words start and end, alternately. Written without data-dependent branches (word
    lengths vary too much to predict): each position is stored and the count advanced by 0 or
    1."""
    edges = np.empty(buf.size + 1, dtype=np.int64)
    n, inside = np.int64(0), np.int64(0)
    for i in range(buf.size):
        word = np.int64(buf[i] > _SPACE)
        edges[n] = i
        n += word ^ inside
        inside = word
    edges[n] = buf.size
    return edges[: n + inside]


@_jit
def _words(
    buf: npt.NDArray[np.uint8], every: npt.NDArray[np.uint64], newlines: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Word hashes of a normalised batch (words split by spaces, texts ended by the newlines
    at ``newlines``) and the number of words of each text."""
    edges = _edges(buf)
    n_words = edges.size // 2
    words = np.empty(n_words, dtype=np.uint64)
    counts = np.zeros(newlines.size, dtype=np.int64)
    text = 0
    for w in range(n_words):
        start = edges[2 * w]
        while newlines[text] < start:
            text += 1
        counts[text] += 1
        words[w] = _word(every, start, edges[2 * w + 1])
    return words, counts


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


def shingles_of_batch(
    buf: npt.NDArray[np.uint8], n_texts: int, k: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """``(hashes, offsets)`` of the word ``k``-shingles of each text of a normalised batch
    (see :func:`ingest.dedup.shingles.shingle_hashes`)."""
    newlines = np.flatnonzero(buf == _NEWLINE)
    if newlines.size != n_texts or newlines[-1] != buf.size - 1:
        raise ValueError(
            f"a batch of {n_texts} texts must hold {n_texts} newlines, the last at the end"
        )
    return _shingles(buf, _every8(buf), newlines, k)


@_jit
def _shingles(
    buf: npt.NDArray[np.uint8],
    every: npt.NDArray[np.uint64],
    newlines: npt.NDArray[np.int64],
    k: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """:func:`shingles_of_batch` once the 8-byte view and the newlines are found."""
    words, counts = _words(buf, every, newlines)
    n_texts = newlines.size
    offsets = np.zeros(n_texts + 1, dtype=np.int64)
    for t in range(n_texts):
        c = counts[t]
        offsets[t + 1] = offsets[t] + (c - k + 1 if c >= k else min(c, 1))
    out = np.empty(offsets[n_texts], dtype=np.uint64)
    first = 0
    for t in range(n_texts):
        if counts[t]:
            _text_shingles(words[first : first + counts[t]], k, out[offsets[t] : offsets[t + 1]])
        first += counts[t]
    return out, offsets


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
    width = np.uint64(num_perm)
    for d in range(n_docs):
        slots[:] = _EMPTY
        for i in range(offsets[d], offsets[d + 1]):
            salted = _mix(hashes[i] ^ seed)
            b = ((salted >> _S32) * width) >> _S32
            value = salted & _LOW32
            slots[b] = min(slots[b], value)
        _densify_row(slots, salts, out[d])
    return out

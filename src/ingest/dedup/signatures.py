"""MinHash signatures for many documents at once, as datasketch ``LeanMinHash`` objects.

The signature is one-permutation MinHash with rotation densification (Li, Owen & Zhang 2012;
Shrivastava & Li 2014): each shingle hash picks one of ``num_perm`` bins with its high bits and
competes with its low 32 bits for the bin's minimum; an empty bin borrows the value of the next
non-empty bin to its right, salted with the distance. That costs one pass over the shingles
instead of ``num_perm`` passes, and the equal-slot fraction of two signatures still estimates
their Jaccard similarity. The values are 32-bit, so a signature is a datasketch
``LeanMinHash(scheme="affine32")`` usable with ``MinHashLSH`` and ``jaccard()``; compare it only
with signatures made here (the slots are not the permutations of ``MinHash.update_batch``)::

    >>> from ingest.dedup.shingles import shingle_hashes
    >>> hashes, offsets = shingle_hashes(["a b c d e f g h", "a b c d e f g x"], k=2)
    >>> one, two = signatures(hashes, offsets, num_perm=64, seed=1)
    >>> 0.5 < one.jaccard(two) <= 1.0
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ingest.dedup import kernels, warmup
from ingest.dedup.shingles import U64, longest_text, mix64, shingle_hashes
from ingest.dedup.text import BATCH_TABLE, encoded_batch

if TYPE_CHECKING:  # datasketch imports scipy: about a second, only where objects are made
    from datasketch import LeanMinHash

__all__ = [
    "band_keys",
    "band_matrix",
    "lean_minhashes",
    "signature_matrix",
    "signature_matrix_numpy",
    "signatures",
    "text_signature_matrix",
    "text_signatures",
]

_EMPTY = np.uint64(1 << 32)
_SCHEME = "affine32"  # datasketch's name for 32-bit values


def signature_matrix(
    hashes: U64, offsets: npt.NDArray[np.int64], *, num_perm: int, seed: int
) -> npt.NDArray[np.uint32]:
    """A ``(len(offsets) - 1, num_perm)`` array of 32-bit MinHash values, one row per text."""
    if num_perm < 2:
        raise ValueError(f"num_perm must be at least 2, got {num_perm}")
    seed64 = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    if warmup.ready():
        return kernels.signature_rows(hashes, offsets, num_perm, seed64, _salts(num_perm))
    return signature_matrix_numpy(hashes, offsets, num_perm=num_perm, seed=seed)


def text_signature_matrix(
    texts: Sequence[str], *, k: int, num_perm: int, seed: int
) -> npt.NDArray[np.uint32]:
    """:func:`signature_matrix` of the word ``k``-shingles of ``texts``, without an array of
    all shingle hashes when the compiled kernels are there: each text is folded, hashed,
    shingled and binned while its bytes are in cache. The same values as
    ``signature_matrix(*shingle_hashes(texts, k), ...)``."""
    if k < 1 or num_perm < 2:
        raise ValueError(f"need k >= 1 and num_perm >= 2, got k={k}, num_perm={num_perm}")
    if not texts or not warmup.ready():
        hashes, offsets = shingle_hashes(texts, k)
        return signature_matrix(hashes, offsets, num_perm=num_perm, seed=seed)
    joined, ends = encoded_batch(texts)
    raw = np.frombuffer(joined, dtype=np.uint8)
    seed64 = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    scratch = kernels.scratch(longest_text(ends))
    return kernels.signatures_of_texts(
        raw, ends, BATCH_TABLE, k, num_perm, seed64, _salts(num_perm), scratch
    )


def text_signatures(texts: Sequence[str], *, k: int, num_perm: int, seed: int) -> list[LeanMinHash]:
    """One datasketch ``LeanMinHash`` per text, from the raw text (see
    :func:`text_signature_matrix`)."""
    matrix = text_signature_matrix(texts, k=k, num_perm=num_perm, seed=seed)
    return lean_minhashes(matrix, seed=seed)


def signature_matrix_numpy(
    hashes: U64, offsets: npt.NDArray[np.int64], *, num_perm: int, seed: int
) -> npt.NDArray[np.uint32]:
    """:func:`signature_matrix` with numpy passes only (the path without numba; the compiled
    kernel gives the same values)."""
    n_docs = offsets.size - 1
    salted = mix64(hashes ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF))
    owner = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(offsets))
    bins = (((salted >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)).astype(np.int64)
    slots = np.full(n_docs * num_perm, _EMPTY, dtype=np.uint64)
    np.minimum.at(slots, owner * num_perm + bins, salted & np.uint64(0xFFFFFFFF))
    return _densify(slots.reshape(n_docs, num_perm))


def _salts(width: int) -> npt.NDArray[np.uint32]:
    """The salt of a value borrowed from ``d`` bins away, for ``d`` in ``0..2 * width``."""
    mixed = mix64(np.arange(2 * width + 1, dtype=np.uint64)) & np.uint64(0xFFFFFFFF)
    return mixed.astype(np.uint32)


def _densify(slots: U64) -> npt.NDArray[np.uint32]:
    """Fill each empty bin from the next non-empty bin to its right (circularly), salted with
    the distance; a text without shingles gets all slots at the maximum."""
    width = slots.shape[1]
    full = slots != _EMPTY
    values = slots.astype(np.uint32)  # empty slots truncate to 0; they are replaced below
    cols = np.arange(2 * width, dtype=np.int32)
    doubled = np.where(np.concatenate([full, full], axis=1), cols, np.int32(2 * width))
    nxt = np.minimum.accumulate(doubled[:, ::-1], axis=1)[:, ::-1][:, :width]
    distance = nxt - cols[:width]
    salts = _salts(width)
    source = np.take_along_axis(values, np.minimum(nxt, 2 * width - 1) % width, axis=1)
    filled = np.where(full, values, source ^ salts[distance])
    filled[~full.any(axis=1)] = 0xFFFFFFFF
    return filled


def signatures(
    hashes: U64, offsets: npt.NDArray[np.int64], *, num_perm: int, seed: int
) -> list[LeanMinHash]:
    """One datasketch ``LeanMinHash`` per text (see :func:`signature_matrix`)."""
    matrix = signature_matrix(hashes, offsets, num_perm=num_perm, seed=seed)
    return lean_minhashes(matrix, seed=seed)


def lean_minhashes(matrix: npt.NDArray[np.uint32], *, seed: int) -> list[LeanMinHash]:
    """One ``LeanMinHash(scheme="affine32")`` per row of ``matrix``, each holding a view of its
    row (no copy). The values are already checked 32-bit integers, so the objects are filled
    directly instead of through ``LeanMinHash.__init__``, which converts and checks every
    row again: equal to ``LeanMinHash(seed=seed, hashvalues=row, scheme="affine32")``."""
    if matrix.dtype != np.uint32 or matrix.ndim != 2 or matrix.shape[1] == 0:
        raise ValueError(
            f"need a 2-d uint32 matrix with columns, got {matrix.dtype} {matrix.shape}"
        )
    from datasketch import LeanMinHash

    make = object.__new__
    out: list[LeanMinHash] = []
    for row in matrix:
        lean = make(LeanMinHash)
        lean.seed, lean.scheme, lean.hashvalues = seed, _SCHEME, row
        out.append(lean)
    return out


def band_keys(row: npt.NDArray[np.uint32], bands: int) -> list[int]:
    """One signed 63-bit key per LSH band of a signature row (``bands`` must divide its
    length): equal keys mean the band's slots are all equal."""
    return [int(k) for k in band_matrix(row.reshape(1, -1), bands)[0]]


def band_matrix(matrix: npt.NDArray[np.uint32], bands: int) -> npt.NDArray[np.int64]:
    """:func:`band_keys` of every row of a signature matrix, one row of keys per row."""
    if bands < 1 or matrix.shape[1] % bands:
        raise ValueError(f"{bands} bands do not divide {matrix.shape[1]} permutations")
    parts = matrix.astype(np.uint64).reshape(matrix.shape[0], bands, matrix.shape[1] // bands)
    acc = np.zeros(parts.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(parts.shape[2]):
            acc = mix64(acc * np.uint64(0x100000001B3) + parts[:, :, c])
    keys = mix64(acc ^ np.arange(bands, dtype=np.uint64)) >> np.uint64(1)
    return keys.astype(np.int64)

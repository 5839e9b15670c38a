"""Normalisation, shingle hashing and signatures."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH

from ingest.dedup import kernels
from ingest.dedup.shingles import shingle_hashes, shingle_hashes_numpy
from ingest.dedup.signatures import (
    band_keys,
    lean_minhashes,
    signature_matrix,
    signature_matrix_numpy,
    signatures,
    text_signature_matrix,
    text_signatures,
)
from ingest.dedup.text import (
    encoded_batch,
    normalise,
    normalised_batch,
    normalised_bytes,
    passages,
    text_fingerprint,
)


def test_normalise_folds_case_punctuation_and_unicode() -> None:
    assert normalise("TENGGARONG – Rakor “Lintas”\u00a0Sektoral, (3/9).") == (
        "tenggarong rakor lintas sektoral 3 9"
    )
    assert normalise("ﬁnal Ｋｕｋａｒ") == "final kukar"  # NFKC ligature and full width


def test_fingerprint_ignores_layout_only() -> None:
    assert text_fingerprint("Rakor  lintas!\nSektoral") == text_fingerprint("rakor LINTAS sektoral")
    assert text_fingerprint("rakor lintas") != text_fingerprint("rakor lintas sektoral")


def test_passages_split_lines_and_sentences() -> None:
    text = "Judul berita\nIa datang. Lalu pergi! “Saya senang,” ujarnya. 3 orang hadir."
    assert passages(text) == [
        "Judul berita",
        "Ia datang.",
        "Lalu pergi!",
        "“Saya senang,” ujarnya.",
        "3 orang hadir.",
    ]


def test_shingles_are_stable_and_ordered() -> None:
    texts = ["Satu dua tiga empat lima enam", "x satu dua tiga empat lima enam", "", "dua kata"]
    hashes, offsets = shingle_hashes(texts, 5)
    assert offsets.tolist() == [0, 2, 5, 5, 6]
    first, second = hashes[0:2], hashes[2:5]
    assert second[1:].tolist() == first.tolist()  # the same shingles after one more word
    again, _ = shingle_hashes(["satu dua tiga empat lima enam"], 5)
    assert again.tolist() == first.tolist()


def test_long_words_are_told_apart() -> None:
    hashes, _ = shingle_hashes(["penyelenggaraannya penyelenggaraan pemerintahannya"], 1)
    assert len(set(hashes.tolist())) == 3


def _exact(a: np.ndarray, b: np.ndarray) -> float:
    x, y = set(a.tolist()), set(b.tolist())
    return len(x & y) / len(x | y)


def test_signatures_estimate_jaccard_and_work_with_datasketch(
    unrelated: list[dict[str, str]],
) -> None:
    texts = []
    for article in unrelated[:10]:
        words = article["text"].split()
        texts += [article["text"], " ".join(words[: len(words) * 2 // 3])]
    hashes, offsets = shingle_hashes(texts, 5)
    sigs = signatures(hashes, offsets, num_perm=128, seed=1)
    assert all(isinstance(s, LeanMinHash) for s in sigs)
    errors = [
        abs(
            sigs[i].jaccard(sigs[i + 1])
            - _exact(hashes[offsets[i] : offsets[i + 1]], hashes[offsets[i + 1] : offsets[i + 2]])
        )
        for i in range(0, len(texts), 2)
    ]
    assert float(np.mean(errors)) < 0.08
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for i, sig in enumerate(sigs[::2]):
        lsh.insert(str(i), sig)
    assert lsh.query(sigs[1]) == ["0"]  # the trimmed copy finds its original, only it


def test_empty_text_signature_and_bands() -> None:
    hashes, offsets = shingle_hashes(
        ["", "satu dua tiga empat lima", "satu dua tiga empat lima"], 5
    )
    matrix = signature_matrix(hashes, offsets, num_perm=64, seed=3)
    assert (matrix[0] == 0xFFFFFFFF).all()
    assert band_keys(matrix[1], 16) == band_keys(matrix[2], 16)
    assert len(set(band_keys(matrix[1], 16))) == 16


def test_batch_normalisation_matches_per_text_normalisation(
    unrelated: list[dict[str, str]],
) -> None:
    texts = [u["text"] for u in unrelated] + ["a\x00b", "“Rakor” – Selasa\u00a0(3/9)…", "", "x\ny"]
    batch = bytes(normalised_batch(texts)).split(b"\n")[:-1]
    assert len(batch) == len(texts)
    for text, folded in zip(texts, batch, strict=True):
        assert folded.split() == normalised_bytes(text.replace("\x00", " ")).split()


# A plain-Python reading of the hashing scheme, one value at a time: the compiled kernels and the
# numpy passes must both give exactly its values.
_MASK = (1 << 64) - 1


def _ref_mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _ref_word(word: bytes) -> int:
    head = int.from_bytes(word[:8], "little")
    tail = int.from_bytes(word[-8:], "little") if len(word) >= 8 else 0
    return _ref_mix(head ^ ((tail * 0x100000001B3) & _MASK) ^ ((len(word) << 56) & _MASK))


def _ref_shingles(text: str, k: int) -> list[int]:
    words = [_ref_word(w) for w in normalised_bytes(text).split()]
    out = []
    for start in range(max(len(words) - k + 1, 1) if words else 0):
        acc = 0
        for w in words[start : start + k]:
            acc = (acc * 0x9E3779B97F4A7C15 + w) & _MASK
        out.append(_ref_mix(acc))
    return out


def _ref_signature(hashes: list[int], num_perm: int, seed: int) -> list[int]:
    slots: list[int | None] = [None] * num_perm
    for h in hashes:
        salted = _ref_mix(h ^ seed)
        b = ((salted >> 32) * num_perm) >> 32
        value = salted & 0xFFFFFFFF
        current = slots[b]
        slots[b] = value if current is None else min(current, value)
    if all(v is None for v in slots):
        return [0xFFFFFFFF] * num_perm
    out = []
    for j in range(num_perm):
        d = 0
        while slots[(j + d) % num_perm] is None:
            d += 1
        salt = _ref_mix(d) & 0xFFFFFFFF if d else 0
        out.append(slots[(j + d) % num_perm] ^ salt)  # type: ignore[operator]
    return out


_SMALL = [
    "Satu dua tiga empat lima enam tujuh",
    "TENGGARONG – Rakor “Lintas”\u00a0Sektoral, Selasa (3/9)… penyelenggaraannya berjalan",
    "",
    "dua kata",
    "   ",
    "x",
    "Rp 1.500.000,00 untuk 12 desa di Kutai Kartanegara pada 2024",
    "kata\x00dengan NUL di tengah teks yang cukup panjang untuk lima",
]


def test_shingle_hashes_equal_the_plain_reference() -> None:
    for k in (1, 2, 5):
        hashes, offsets = shingle_hashes(_SMALL, k)
        for i, text in enumerate(_SMALL):
            got = hashes[offsets[i] : offsets[i + 1]].tolist()
            assert got == _ref_shingles(text.replace("\x00", " "), k), (k, text)


def test_compiled_and_numpy_paths_agree(
    unrelated: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [u["text"] for u in unrelated] + _SMALL
    buf = normalised_batch(texts)
    hashes, offsets = shingle_hashes(texts, 5)
    numpy_hashes, numpy_offsets = shingle_hashes_numpy(buf, len(texts), 5)
    assert offsets.tolist() == numpy_offsets.tolist()
    assert hashes.tolist() == numpy_hashes.tolist()
    for num_perm, seed in ((128, 1), (64, 3), (7, 2**64 - 5)):
        matrix = signature_matrix(hashes, offsets, num_perm=num_perm, seed=seed)
        numpy_matrix = signature_matrix_numpy(hashes, offsets, num_perm=num_perm, seed=seed)
        assert (matrix == numpy_matrix).all()
    monkeypatch.setattr(kernels, "COMPILED", False)
    assert bytes(normalised_batch(texts)) == bytes(buf)
    assert shingle_hashes(texts, 5)[0].tolist() == hashes.tolist()


def test_signature_matrix_equals_the_plain_reference() -> None:
    rng = np.random.default_rng(7)
    sizes = [0, 1, 2, 5, 40, 300, 0, 3]
    hashes = rng.integers(0, 2**64, size=sum(sizes), dtype=np.uint64)
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    for num_perm, seed in ((128, 1), (16, 99)):
        matrix = signature_matrix(hashes, offsets, num_perm=num_perm, seed=seed)
        for d in range(len(sizes)):
            doc = hashes[offsets[d] : offsets[d + 1]].tolist()
            assert matrix[d].tolist() == _ref_signature(doc, num_perm, seed), (num_perm, d)


def test_lean_minhashes_equal_datasketch_construction() -> None:
    hashes, offsets = shingle_hashes([*_SMALL[:2], _SMALL[0] + " delapan sembilan"], 2)
    matrix = signature_matrix(hashes, offsets, num_perm=64, seed=5)
    ours = lean_minhashes(matrix, seed=5)
    theirs = [LeanMinHash(seed=5, hashvalues=row, scheme="affine32") for row in matrix]
    assert ours == theirs
    assert [hash(a) for a in ours] == [hash(b) for b in theirs]
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert ours[a].jaccard(ours[b]) == theirs[a].jaccard(theirs[b])
        assert ours[a].jaccard(theirs[b]) == theirs[a].jaccard(ours[b])
    assert 0.5 < ours[0].jaccard(ours[2]) < 1.0
    assert ours[0].jaccard(ours[1]) < 0.2
    assert pickle.loads(pickle.dumps(ours[2])) == theirs[2]
    buf = bytearray(ours[1].bytesize())
    ours[1].serialize(buf)
    assert LeanMinHash.deserialize(buf) == theirs[1]
    with pytest.raises(ValueError, match="uint32"):
        lean_minhashes(matrix.astype(np.uint64), seed=5)


def test_normalised_batch_of_no_texts_is_empty() -> None:
    assert normalised_batch([]).size == 0
    hashes, offsets = shingle_hashes([], 5)
    assert hashes.size == 0 and offsets.tolist() == [0]


def test_signatures_from_raw_text_equal_the_two_step_path(
    unrelated: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    edge = ["…awal", "akhir—", "\u00a0", "“", "x\u2013y", "é à"]  # punctuation at text edges
    texts = [u["text"] for u in unrelated] + _SMALL + edge
    for k, num_perm, seed in ((5, 128, 1), (1, 16, 2**64 - 5)):
        hashes, offsets = shingle_hashes(texts, k)
        expected = signature_matrix(hashes, offsets, num_perm=num_perm, seed=seed)
        matrix = text_signature_matrix(texts, k=k, num_perm=num_perm, seed=seed)
        assert matrix.tolist() == expected.tolist()
    for i, text in enumerate(edge):
        got = hashes[offsets[len(texts) - len(edge) + i] : offsets[len(texts) - len(edge) + i + 1]]
        assert got.tolist() == _ref_shingles(text, 1), text
    sigs = text_signatures(texts[:3], k=5, num_perm=64, seed=9)
    assert sigs == signatures(*shingle_hashes(texts[:3], 5), num_perm=64, seed=9)
    monkeypatch.setattr(kernels, "COMPILED", False)
    assert (
        text_signature_matrix(texts, k=1, num_perm=16, seed=2**64 - 5).tolist() == matrix.tolist()
    )
    with pytest.raises(ValueError, match="num_perm"):
        text_signature_matrix(texts, k=0, num_perm=16, seed=1)


def test_encoded_batch_marks_each_text_end() -> None:
    for texts in (["ab", "", "cde"], ["ab", "“é”", ""]):
        joined, ends = encoded_batch(texts)
        assert len(joined) == sum(len(t.encode()) + 1 for t in texts)
        assert [joined[e] for e in ends] == [0] * len(texts)
        starts = [0, *(e + 1 for e in ends[:-1])]
        assert [joined[s:e].decode() for s, e in zip(starts, ends, strict=True)] == texts

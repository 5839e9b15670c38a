"""Normalisation, shingle hashing and signatures."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from ingest.dedup.shingles import shingle_hashes
from ingest.dedup.signatures import band_keys, signature_matrix, signatures
from ingest.dedup.text import (
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

"""Features of a batch equal those of a plain per-sentence reading; kept features equal fresh
ones; importing dedup does not import datasketch."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import unicodedata

import numpy as np

from ingest.config import DedupSettings
from ingest.dedup.features import Features, RecentFeatures, featurize, passage_key
from ingest.dedup.shingles import shingle_hashes
from ingest.dedup.signatures import band_keys, band_matrix, signature_matrix
from ingest.dedup.text import normalise, normalised_lines, passages, text_fingerprint

SETTINGS = DedupSettings()

# Pieces whose folding could depend on their neighbours: combining marks at the edges,
# compatibility forms, a final sigma, non-ASCII spaces and punctuation, empty pieces.
_TRICKY = [
    "\u0301Awal dengan tanda",
    "akhir dengan e\u0301",
    "ﬁnal Ｋｕｋａｒ ½",
    "ΟΔΟΣ",
    "Σ",
    "",
    "kata\u00a0kata\u3000kata\u2028",
    "“Kutip” – tanda… ‘satu’",
    "   ",
    "x_y-z",
    "İstanbul ǅ ß",
    "ΟΔΟΣ’α α’Σ Σ\u200bα “Σ”",  # a final sigma sees through ’ and zero-width spaces
    "x\u00a0\u0301y a…b e\u2019\u0301",
]


def _plain_normalise(text: str) -> str:
    """The definition of ``normalise``: NFKC, lower case, what is not a letter or a digit to a
    space, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def test_normalise_equals_its_definition(unrelated: list[dict[str, str]]) -> None:
    for text in [u["text"] for u in unrelated] + _TRICKY:
        assert normalise(text) == _plain_normalise(text), text[:40]


def test_words_of_joined_pieces_equal_each_piece_normalised(
    unrelated: list[dict[str, str]],
) -> None:
    pieces = [s for u in unrelated for s in passages(u["text"])] + _TRICKY
    for group in (pieces, _TRICKY, _TRICKY[::-1], ["a"], []):
        assert normalised_lines(group) == [normalise(p).encode() for p in group]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def _passages_line_by_line(text: str) -> list[str]:
    """The sentences of ``text`` split one line at a time (what ``passages`` does at once)."""
    pieces = (p.strip() for line in text.splitlines() for p in _SENTENCE_END.split(line))
    return [p for p in pieces if p]


def test_passages_equal_the_line_by_line_split(unrelated: list[dict[str, str]]) -> None:
    edges = [
        "A. B\r\nC.\u2028D! \x0cE? “F",
        "x.\u00a0\u00a0Y",
        "a.  \n  B",
        "akhir. ",
        "",
        "\n\n",
        "Q.\x1c R",
        "a.” (B",
        "a.)\u3000 1",
        "a.. B",
        "a.! B",
        "x.\"' 'Y",
        "a.\\1 B",
    ]
    for text in [u["text"] for u in unrelated] + edges:
        assert passages(text) == _passages_line_by_line(text), text[:40]


def _reference(text: str, settings: DedupSettings) -> dict[str, object]:
    """The features of one text read the plain way: one sentence at a time, Python sets."""
    sentences = passages(text)
    hashes, offsets = shingle_hashes(sentences, settings.shingle_size)
    keys = (hashes >> np.uint64(1)).astype(np.int64).tolist()
    sets = tuple(frozenset(keys[a:b]) for a, b in itertools.pairwise(offsets))
    shingles = frozenset(keys)
    doc_offsets = np.array([0, len(hashes)], dtype=np.int64)
    signature = signature_matrix(
        hashes, doc_offsets, num_perm=settings.num_perm, seed=settings.seed
    )[0]
    return {
        "sentences": tuple(sentences),
        "sentence_words": tuple(len(normalise(s).split()) for s in sentences),
        "sentence_keys": tuple(passage_key(s) for s in sentences),
        "sentence_shingles": sets,
        "shingles": shingles,
        "anchors": tuple(sorted(k for k in shingles if k % settings.anchor_rate == 0)),
        "bands": tuple(band_keys(signature, settings.lsh_bands)),
        "distinct": len(shingles),
        "signature": signature.tolist(),
        "fingerprint": text_fingerprint(text),
    }


_FIELDS = (
    "sentences",
    "sentence_words",
    "sentence_keys",
    "sentence_shingles",
    "shingles",
    "anchors",
    "bands",
    "distinct",
    "fingerprint",
)


def _read(features: Features) -> dict[str, object]:
    got = {name: getattr(features, name) for name in _FIELDS}
    arrays = {name: tuple(getattr(features, name).tolist()) for name in ("anchors", "bands")}
    return {**got, **arrays, "signature": features.signature.tolist()}


def test_batch_features_equal_the_plain_reading(unrelated: list[dict[str, str]]) -> None:
    tricky = ["\n".join(_TRICKY), "Ia datang.” Lalu\u00a0pergi! “Saya”\u2028(3/9) hadir."]
    texts = [u["text"] for u in unrelated] + ["", "satu", " \n ", *tricky]
    other = DedupSettings(shingle_size=3, num_perm=64, lsh_bands=8, anchor_rate=3)
    for settings in (SETTINGS, other):
        for text, features in zip(texts, featurize(texts, settings), strict=True):
            assert _read(features) == _reference(text, settings), text[:40]
            removed = frozenset(features.sentence_keys[1::3])
            pairs = zip(features.sentence_keys, features.sentence_shingles, strict=True)
            sets = [s for key, s in pairs if key not in removed]
            assert features.shingles_without(removed) == frozenset().union(*sets)
            assert features.shingles_without(removed) is features.shingles_without(removed)


def test_band_matrix_equals_band_keys_of_each_row() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 2**32, size=(5, 64), dtype=np.uint32)
    keys = band_matrix(matrix, 16)
    assert keys.shape == (5, 16) and keys.dtype == np.int64
    assert [band_keys(row, 16) for row in matrix] == keys.tolist()
    assert band_matrix(matrix[:0], 16).shape == (0, 16)


def test_recent_features_are_kept_by_text_and_settings(unrelated: list[dict[str, str]]) -> None:
    texts = [u["text"] for u in unrelated[:6]]
    recent = RecentFeatures(4)
    first = recent.featurize(texts[:3], SETTINGS)
    assert [_read(f) for f in first] == [_read(f) for f in featurize(texts[:3], SETTINGS)]
    again = recent.featurize(texts[:3], SETTINGS)
    assert all(a is b for a, b in zip(first, again, strict=True))  # kept, not recomputed
    other = recent.featurize(texts[:1], DedupSettings(shingle_size=3))
    assert other[0] is not first[0]
    assert _read(other[0]) != _read(first[0])
    recent.featurize(texts[3:6], SETTINGS)  # the oldest make room
    assert recent.featurize(texts[:1], SETTINGS)[0] is not first[0]
    assert recent.featurize(texts[5:6], SETTINGS)[0] is recent.featurize(texts[5:6], SETTINGS)[0]


def test_importing_dedup_does_not_import_datasketch() -> None:
    code = "import sys, ingest.dedup, ingest.store.documents; print('datasketch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"

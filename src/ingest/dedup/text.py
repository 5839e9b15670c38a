"""Text normalisation shared by hashing, shingling and the exact-copy fingerprint.

``normalise`` is Unicode NFKC, lower case, every character that is not a letter or a digit
turned into a space, and runs of spaces collapsed::

    >>> normalise("TENGGARONG – Rakor “Lintas” Sektoral, Selasa (3/9).")
    'tenggarong rakor lintas sektoral selasa 3 9'
    >>> text_fingerprint("Rakor  lintas!") == text_fingerprint("rakor LINTAS")
    True

``passages`` splits a cleaned text into sentences (the unit of passage evidence).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ingest.dedup import kernels, warmup

__all__ = [
    "BATCH_TABLE",
    "encoded_batch",
    "normalise",
    "normalised_batch",
    "normalised_bytes",
    "normalised_lines",
    "passages",
    "text_fingerprint",
]

# A sentence end: its mark (kept), closing quotes and spaces (dropped), then a capital, a digit
# or an opening quote; never across a line break.
_SENTENCE_END = re.compile(r"([.!?])[\"'”’)]*[^\S\n]+(?=[\"'“‘(]?[A-Z0-9])")


# A non-ASCII character that is not a letter or a digit (``_`` is ASCII).
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]")
# ASCII letters and digits stay, other ASCII bytes become spaces, UTF-8 bytes pass through.
_ASCII_TABLE = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))


# Non-ASCII characters frequent in Indonesian news that normalise to spaces wherever they stand:
# neither letters nor digits, never composed with a neighbour (NFKC keeps them, or makes them
# spaces or dots). Replaced by spaces first, they leave most texts ASCII. Some of them are
# "case-ignorable", seen through by the one casing rule that looks at neighbours (a final
# capital sigma), so texts holding that letter keep them.
_SPACED = ("\u00a0", "\u201c", "\u201d", "\u2018", "\u2019", "\u2013", "\u2014", "\u2026", "\u200b")


def _spaced(text: str) -> str:
    """``text`` with the characters of ``_SPACED`` as spaces (unless it holds a capital
    sigma): normalised exactly as ``text`` is."""
    if text.isascii() or "\u03a3" in text:
        return text
    for char in _SPACED:
        if char in text:
            text = text.replace(char, " ")
    return text


def normalised_bytes(text: str) -> bytes:
    """UTF-8 of the normalised text before whitespace is collapsed (the fast path used for
    hashing; runs of spaces are harmless there). No newline survives."""
    text = _spaced(text)
    if text.isascii():  # ASCII is already in NFKC
        return text.lower().encode("ascii").translate(_ASCII_TABLE)
    folded = _NON_ASCII_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return folded.encode("utf-8").translate(_ASCII_TABLE)


# For batches: ASCII letters are lower-cased, other ASCII bytes (NUL and newline too) become spaces.
_BATCH_BYTES = bytes(c + 32 if 65 <= c <= 90 else _ASCII_TABLE[c] for c in range(256))
BATCH_TABLE = np.frombuffer(_BATCH_BYTES, dtype=np.uint8)  # the same, for the kernels


def encoded_batch(texts: Sequence[str]) -> tuple[bytes, npt.NDArray[np.int64]]:
    """The UTF-8 of every text, each followed by one NUL byte, and the position of each NUL.

    Texts are encoded one by one unless all are ASCII: a joined string with one non-ASCII
    character would be encoded from 2 or 4 bytes per character, several times slower.
    """
    if all(t.isascii() for t in texts):  # a flag lookup per text
        joined = "\x00".join([*texts, ""]).encode("ascii")
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        encoded = [t.encode("utf-8") for t in texts]
        joined = b"\x00".join([*encoded, b""])
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(texts))
    return joined, np.cumsum(lengths + 1) - 1


def normalised_batch(texts: Sequence[str]) -> npt.NDArray[np.uint8]:
    """The UTF-8 bytes of every text, each followed by a newline, folded for hashing.

    This is the fast path of :func:`normalised_bytes`, computed on the whole batch with a few
    passes over its bytes: ASCII letters are lower-cased and other ASCII bytes become spaces;
    General Punctuation (U+2000-U+206F: dashes, curly quotes, ellipsis, thin spaces) and
    U+00A0-U+00BF (no-break space, guillemets, symbols) become spaces; other characters are
    kept as written (no NFKC, no non-ASCII case folding: rare in Indonesian news).
    """
    if not texts:
        return np.empty(0, dtype=np.uint8)
    joined, ends = encoded_batch(texts)
    if warmup.ready():
        return kernels.fold_batch(np.frombuffer(joined, dtype=np.uint8), ends, BATCH_TABLE)
    buf = np.frombuffer(joined.translate(_BATCH_BYTES), dtype=np.uint8).copy()
    buf[ends] = 10
    if not joined.isascii():
        _blank_punctuation(buf)
    return buf


def _blank_punctuation(buf: npt.NDArray[np.uint8]) -> None:
    """Turn the UTF-8 of U+2000-U+206F and U+00A0-U+00BF in ``buf`` into spaces, in place."""
    high = np.flatnonzero(buf[:-2] >= 0xC2)  # one pass for both lead bytes
    lead = high[buf[high] == 0xE2]
    lead = lead[(buf[lead + 1] == 0x80) | (buf[lead + 1] == 0x81)]
    lead2 = high[buf[high] == 0xC2]
    lead2 = lead2[(buf[lead2 + 1] >= 0xA0) & (buf[lead2 + 1] <= 0xBF)]
    for offset in range(3):
        buf[lead + offset] = 32
    buf[lead2] = 32
    buf[lead2 + 1] = 32


# The same, keeping line breaks: they separate the pieces of ``normalised_lines``.
_LINE_TABLE = bytes(10 if c == 10 else _ASCII_TABLE[c] for c in range(256))


def normalised_lines(pieces: Sequence[str]) -> list[bytes]:
    """The UTF-8 of ``normalise(piece)`` for each of ``pieces`` (none holding a line break),
    folded together: NFKC, lower case and ``\\n`` commute (a line break never composes and
    bounds every casing context), so one pass over the joined text folds them all."""
    if not pieces:
        return []
    joined = _spaced("\n".join(pieces))
    if joined.isascii():
        folded = joined.lower().encode("ascii").translate(_LINE_TABLE)
    else:
        text = unicodedata.normalize("NFKC", joined).lower()
        folded = _NON_ASCII_NON_WORD.sub(" ", text).encode("utf-8").translate(_LINE_TABLE)
    lines = [b" ".join(line.split()) for line in folded.split(b"\n")]
    if len(lines) != len(pieces):
        raise ValueError("a piece holds a line break")
    return lines


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation and symbols to spaces, whitespace collapsed."""
    return " ".join(normalised_bytes(text).decode("utf-8").split())


def text_fingerprint(text: str) -> str:
    """SHA-1 (hex) of the normalised text: equal for texts that differ only in case,
    punctuation, spacing or Unicode form. Stored as ``Document.text_sha1``."""
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def passages(text: str) -> list[str]:
    """Sentences of ``text``: split at line breaks and at sentence ends followed by a capital,
    digit or opening quote. Empty pieces are dropped; the original wording is kept."""
    lines = "\n".join(text.splitlines())  # the one line break left is \n
    return [piece for p in _SENTENCE_END.sub("\\1\n", lines).split("\n") if (piece := p.strip())]

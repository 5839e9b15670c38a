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

__all__ = [
    "normalise",
    "normalised_batch",
    "normalised_bytes",
    "passages",
    "text_fingerprint",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_WORD = re.compile(r"[\W_]")
# ASCII letters and digits stay, other ASCII bytes become spaces, UTF-8 bytes pass through.
_ASCII_TABLE = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))


def _fold_run(match: re.Match[str]) -> str:
    return _NON_WORD.sub(" ", match.group())


def normalised_bytes(text: str) -> bytes:
    """UTF-8 of the normalised text before whitespace is collapsed (the fast path used for
    hashing; runs of spaces are harmless there). No newline survives."""
    if text.isascii():  # ASCII is already in NFKC
        return text.lower().encode("ascii").translate(_ASCII_TABLE)
    folded = _NON_ASCII.sub(_fold_run, unicodedata.normalize("NFKC", text).lower())
    return folded.encode("utf-8").translate(_ASCII_TABLE)


_BATCH_TABLE = b"\n" + _ASCII_TABLE[1:]  # NUL separates the texts of a batch


def normalised_batch(texts: Sequence[str]) -> bytes:
    """``normalised_bytes`` of every text, each followed by a newline, computed on the whole
    batch at once (a few C passes over one string instead of several per text)."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a text holds NUL: it is not a separator
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    if joined.isascii():
        folded = joined.lower()
    else:
        folded = _NON_ASCII.sub(_fold_run, unicodedata.normalize("NFKC", joined).lower())
    return folded.encode("utf-8").translate(_BATCH_TABLE) + b"\n"


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
    out: list[str] = []
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip()
            if piece:
                out.append(piece)
    return out

"""Language identification of a cleaned body."""

from __future__ import annotations

import py3langid

__all__ = ["detect_language"]


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """The ISO 639-1 code of ``text`` ("id" for Indonesian), by py3langid; ``declared`` (the
    page's ``lang`` attribute) is only used when there is no text to classify.

    Malay ("ms") is reported as Indonesian when the page declares Indonesian: the two are close
    enough that short Indonesian texts are sometimes classified as Malay.
    """
    sample = text[:5000].strip()
    if not sample:
        return declared.split("-")[0].lower() if declared else None
    code, _score = py3langid.classify(sample)
    language = str(code)
    if language == "ms" and declared and declared.lower().startswith("id"):
        return "id"
    return language

"""Language identification of a cleaned body."""

from __future__ import annotations

import py3langid

__all__ = ["detect_language"]

#: Characters classified: the cost grows with the sample; on 1,500 IndoSum articles 2,000
#: characters give the same answers as 5,000 in two thirds of the time.
_SAMPLE_CHARS = 2000


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """The ISO 639-1 code of ``text`` ("id" for Indonesian), by py3langid; ``declared`` (the
    page's ``lang`` attribute) is only used when there is no text to classify.

    Malay ("ms") is reported as Indonesian when the page declares Indonesian: the two are close
    enough that short Indonesian texts are sometimes classified as Malay.
    """
    sample = text[:_SAMPLE_CHARS].strip()
    if not sample:
        return declared.split("-")[0].lower() if declared else None
    code, _score = py3langid.classify(sample)
    language = str(code)
    if language == "ms" and declared and declared.lower().startswith("id"):
        return "id"
    return language

"""Datelines at the start of the first paragraph, split off into their own field.

"TENGGARONG – ", "KUTAI KARTANEGARA, eksposisi.com – ", "TENGGARONG, tenggarongpos – ",
"Jakarta (ANTARA) - ", "KUTAI KARTANEGARA (KaltimRaya) – ", "REPUBLIKA.CO.ID, JAKARTA - ",
"Mediaetam.com,Tenggarong – ", "KUTAI KRTANEGARA (Amanah Ummat.Com) ". Without a dash the place
must be a known one (:mod:`ingest.clean.places`): "Tenggarong, Pemerintah ..." and
"Liputan6.com, Jakarta Film ..." are datelines, "Tenggarong, Samarinda dan Bontang ..." is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean.places import is_known_place

__all__ = ["Dateline", "opens_with_dateline", "split_dateline"]

_DASH = r"\s*(?:[–—]|-{1,2})\s*"
_PLACE = r"[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,3}"
_OUTLET = (
    r"[\w.-]+\.(?:com|co\.id|id|net|org|news|co)\b|\w+\.com|[A-Z][\w]+(?:\s[A-Z][\w]+)?"
    r"|[a-z][a-z0-9]{3,}"
)
_AGENCY = r"\([^()\n]{2,40}\)"
_DATE = r"(?:,\s*\d{1,2}\s+\w+\s+\d{4})?"
_FORMS = (
    # KUTAI KARTANEGARA, eksposisi.com – / JAKARTA, KOMPAS.com - / Mediaetam.com,Tenggarong –
    rf"(?:{_PLACE}\s*,\s*(?:{_OUTLET})|(?:{_OUTLET})\s*,\s*{_PLACE}){_DATE}(?:\s*{_AGENCY})?{_DASH}",
    # Jakarta (ANTARA) - / Mataram, NTB (ANTARA News) - / ISTANBUL, 23 Februari 2016 (Antara) -
    rf"{_PLACE}(?:\s*,\s*{_PLACE})?{_DATE}\s*{_AGENCY}{_DASH}",
    # KUTAI KRTANEGARA (Amanah Ummat.Com) Tidak ...: a place in capitals needs no dash
    rf"[A-Z][A-Z.'’ ]{{2,40}}{_AGENCY}\s+",
    # TENGGARONG – / Tenggarong –
    rf"{_PLACE}{_DASH}",
    # VIVA.co.id - / Kapanlagi.com -
    rf"(?:{_OUTLET}){_DASH}",
)
_DATELINE = re.compile(r"^(?:" + "|".join(f"(?:{form})" for form in _FORMS) + r")")
# Dash-less forms, accepted only with a known place: "Tenggarong, " / "Liputan6.com, Jakarta "
_PLACE_COMMA = re.compile(r"^(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})\s*,\s+(?=[A-Z])")
_OUTLET_COMMA = re.compile(r"^[\w-]+\.(?:com|co\.id|id|net|org|news)\s*,\s*", re.IGNORECASE)
_WORD = re.compile(r"[\w'’-]+")
_MAX_CAPTION_WORDS = 45


@dataclass(frozen=True, slots=True)
class Dateline:
    """The first paragraph without its dateline, and the dateline (``None`` if there was none)."""

    lines: list[str]
    dateline: str | None


def split_dateline(lines: list[str], *, max_words: int = 8, head: int = 3) -> Dateline:
    """Split the dateline off the first paragraph that has one among the first ``head`` lines;
    the lines above it (a photo caption or kicker placed before the lead, as kompas.com and
    tempo.co print them, at most 45 words each) are dropped; there only datelines with a dash
    count. A dateline alone on its line ("... (Antara) -") is taken
    together with the line after it.

    >>> split_dateline(["TENGGARONG – Sekda membuka rapat."]).dateline
    'TENGGARONG'
    """
    for index, line in enumerate(lines[:head]):
        found = _match(line, max_words, dashless=index == 0)
        if found is None:
            continue
        if any(len(above.split()) > _MAX_CAPTION_WORDS for above in lines[:index]):
            break
        dateline, rest = found
        after = lines[index + 1 :]
        return Dateline(lines=[rest, *after] if rest else after, dateline=dateline)
    return Dateline(lines=lines, dateline=None)


def opens_with_dateline(line: str, *, max_words: int = 8) -> bool:
    """Whether ``line`` opens with a dateline written with a dash ("TENGGARONG – ",
    "Jakarta (ANTARA) - "), or is one alone."""
    match = _DATELINE.match(line)
    return match is not None and len(match.group(0).split()) <= max_words


def _match(line: str, max_words: int, *, dashless: bool) -> tuple[str, str] | None:
    """The dateline and the rest of ``line``, or ``None`` when it opens with no dateline.
    Dash-less datelines are looked for only when ``dashless`` (in the first line)."""
    match = _DATELINE.match(line)
    end = match.end() if match and len(match.group(0).split()) <= max_words else None
    if end is None and dashless:
        end = _known_place_end(line)
    if end is None:
        return None
    rest = line[end:].lstrip(" ,")
    if rest and not rest[0].isupper() and not rest[0].isdigit() and rest[0] not in "\"“'":
        return None
    return line[:end].strip(" ,–—-"), rest


def _known_place_end(line: str) -> int | None:
    """End of a dash-less dateline: "Tenggarong, " when the next words do not name another
    place (a list of places starts a sentence), or "Liputan6.com, Jakarta "."""
    outlet = _OUTLET_COMMA.match(line)
    if outlet:
        size = _place_prefix(line[outlet.end() :])
        return outlet.end() + size if size else None
    match = _PLACE_COMMA.match(line)
    if match is None or not is_known_place(match["place"]):
        return None
    return None if _place_prefix(line[match.end() :]) else match.end()


def _place_prefix(text: str) -> int:
    """Length of the longest known place (one to three words) opening ``text``, else 0."""
    words = list(_WORD.finditer(text[:80]))
    for count in (3, 2, 1):
        if len(words) >= count and is_known_place(text[: words[count - 1].end()]):
            return words[count - 1].end()
    return 0

"""Datelines at the start of the first paragraph, split off into their own field.

"TENGGARONG – ", "KUTAI KARTANEGARA, eksposisi.com – ", "Jakarta (ANTARA) - ",
"REPUBLIKA.CO.ID, JAKARTA - ", "Mediaetam.com,Tenggarong – ",
"KUTAI KRTANEGARA (Amanah Ummat.Com) ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Dateline", "split_dateline"]

_DASH = r"\s*(?:[–—]|-{1,2})\s*"
_PLACE = r"[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,3}"
_OUTLET = r"[\w.-]+\.(?:com|co\.id|id|net|org|news|co)\b|\w+\.com|[A-Z][\w]+(?:\s[A-Z][\w]+)?"
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


@dataclass(frozen=True, slots=True)
class Dateline:
    """The first paragraph without its dateline, and the dateline (``None`` if there was none)."""

    lines: list[str]
    dateline: str | None


def split_dateline(lines: list[str], *, max_words: int = 8) -> Dateline:
    """Split the dateline off the first line. A dateline alone on its line ("... (Antara) -")
    is taken together with the line after it.

    >>> split_dateline(["TENGGARONG – Sekda membuka rapat."]).dateline
    'TENGGARONG'
    """
    if not lines:
        return Dateline(lines=lines, dateline=None)
    first = lines[0]
    match = _DATELINE.match(first)
    if match is None or len(match.group(0).split()) > max_words:
        return Dateline(lines=lines, dateline=None)
    rest = first[match.end() :].lstrip(" ,")
    if rest and not rest[0].isupper() and not rest[0].isdigit() and rest[0] not in "\"“'":
        return Dateline(lines=lines, dateline=None)
    dateline = match.group(0).strip(" –—-")
    if rest:
        return Dateline(lines=[rest, *lines[1:]], dateline=dateline)
    return Dateline(lines=lines[1:], dateline=dateline)

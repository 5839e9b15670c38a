"""Indonesian dates: publication stamps and the event date written in an article's text.

Forms understood: "Senin, 18 November 2024 - 19:15 WIB", "Kamis, 05/11/2015 09:25 WIB",
"18 Nopember 2024", ISO 8601; in running text "Jumat (20/11/2020)", "Selasa (3/9)" (day/month,
the year taken from the publication date) and "Rabu tanggal 27 Nopember 2024".
Time zones: WIB is UTC+7, WITA UTC+8, WIT UTC+9.

A stamp within two days of the calendar's ends (``0001-01-01T00:00:00+08:00``, what a CMS with
no date set prints, or ``9999-12-31``) is no date: it could not be moved to UTC for storing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ingest.records import Precision

__all__ = [
    "DAYS",
    "MONTHS",
    "ZONES",
    "in_calendar",
    "parse_event_date",
    "parse_indonesian_datetime",
    "parse_stamp",
]

DAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "jum’at": 4,
    "sabtu": 5, "minggu": 6, "ahad": 6,
}  # fmt: skip
MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agust": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nopember": 11, "nov": 11,
    "nop": 11, "desember": 12, "des": 12, "dec": 12, "may": 5,
}  # fmt: skip
ZONES: dict[str, timezone] = {
    "wib": timezone(timedelta(hours=7), "WIB"),
    "wita": timezone(timedelta(hours=8), "WITA"),
    "wit": timezone(timedelta(hours=9), "WIT"),
}

_DAY = r"(?P<day>senin|selasa|rabu|kamis|jum['’]?at|sabtu|minggu|ahad)"
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:\s*[-–,|]?\s*(?:pukul\s*)?(?P<hh>\d{1,2})[:.](?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?"
_ZONE = r"(?:\s*(?P<zone>wita|wib|wit)\b)?"
_NAMED = re.compile(
    r"(?:" + _DAY + r"\s*,?\s*(?:tanggal\s+|tgl\.?\s+)?)?"
    r"\b(?P<d>\d{1,2})\s+" + _MONTH + r"\s+(?P<y>\d{4})\b" + _TIME + _ZONE,
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?:"
    + _DAY
    + r"\s*,?\s*)?\b(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})\b"
    + _TIME
    + _ZONE,
    re.IGNORECASE,
)
# Running-text forms for the event date.
_PAREN = re.compile(
    _DAY + r"\s*,?\s*\(\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{2,4}))?\s*\)",
    re.IGNORECASE,
)
_IN_TEXT = re.compile(
    _DAY
    + r"\s*,?\s*(?:tanggal\s+|tgl\.?\s+)?\b(?P<d>\d{1,2})\s+"
    + _MONTH
    + r"(?:\s+(?P<y>\d{4}))?\b",
    re.IGNORECASE,
)
_FUTURE_BEFORE = re.compile(r"\b(?:akan|nanti|lagi|rencananya|dijadwalkan)\b", re.IGNORECASE)
_FUTURE_AFTER = re.compile(r"^\W*(?:mendatang|nanti|yang akan datang)\b", re.IGNORECASE)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
# Where a day name can start: found with plain string search in the lowered text, which is ten
# times faster than letting a case-insensitive pattern try every position.
_DAY_STARTS = (
    "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "jum’at", "sabtu", "minggu", "ahad",
)  # fmt: skip
# Letters a case-insensitive pattern takes for "i" or "s" that ``str.lower`` does not turn
# into them; in a text holding one, the patterns scan every position.
_ODD_CASES = ("\u0131", "\u017f", "\u0130")


#: The range :func:`in_calendar` accepts: any offset (under a day) and a day either way keep a
#: datetime in it within years 1 to 9999.
_EARLIEST = datetime(1, 1, 3)
_LATEST = datetime(9999, 12, 29)


def in_calendar(value: datetime) -> bool:
    """True unless ``value`` is within two days of year 1 or year 9999 (see the module's
    docstring), naive or not.

    >>> in_calendar(datetime.fromisoformat("0001-01-01T00:00:00+08:00"))
    False
    """
    return _EARLIEST <= value.replace(tzinfo=None) <= _LATEST


def parse_indonesian_datetime(value: str) -> datetime | None:
    """Parse a date stamp as Indonesian outlets print it; ``None`` when none is found.

    The result is timezone-aware when the stamp names a zone (WIB, WITA, WIT) or an offset,
    naive otherwise.

    >>> parse_indonesian_datetime("Senin, 18 November 2024 - 19:15 WIB").isoformat()
    '2024-11-18T19:15:00+07:00'
    """
    stamp = parse_stamp(value)
    return stamp[0] if stamp is not None else None


def parse_stamp(value: str) -> tuple[datetime, Precision] | None:
    """:func:`parse_indonesian_datetime` with the stamp's precision: :attr:`Precision.DAY`
    when it gives no time of day ("18 Nopember 2024", "2024-11-18").

    >>> parse_stamp("Sabtu (9/11/2024)")[1]
    <Precision.DAY: 'day'>
    """
    found = _parse_iso(value)
    for pattern in (_NAMED, _NUMERIC):
        if found is not None:
            break
        match = pattern.search(value)
        if match is not None:
            stamp = _from_match(match)
            found = (stamp, Precision.MINUTE if match["hh"] else Precision.DAY) if stamp else None
            break
    return found if found is not None and in_calendar(found[0]) else None


def _parse_iso(value: str) -> tuple[datetime, Precision] | None:
    if not _ISO.match(value):
        return None
    text = re.sub(r"\s+T", "T", value.strip()).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed, Precision.DAY if len(text) == len("2024-11-18") else Precision.MINUTE


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else MONTHS[parts["month"].lower()]
    hour, minute = int(parts["hh"] or 0), int(parts["mm"] or 0)
    second = int(parts["ss"] or 0)
    zone = ZONES.get((parts["zone"] or "").lower())
    try:
        return datetime(int(parts["y"]), month, int(parts["d"]), hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Mention:
    """A date written in the text, with what the text says around it."""

    start: int
    weekday: int
    day: int
    month: int
    year: int | None
    announced: bool


def parse_event_date(text: str, published_at: datetime | None) -> date | None:
    """The date of the reported event, from the text; ``None`` when the text names none.

    Rule, in order:

    1. The first "<day name> (<d>/<m>[/<y>])" mention: Indonesian news writes the event's day
       this way in the lead ("Selasa (3/9)"). A missing year comes from the publication date
       (the year whose calendar matches the day name, this year or the one before).
    2. Otherwise the first "<day name>[,] [tanggal] <d> <month> [<y>]" mention that is not an
       announcement: not after the publication date, and not in a clause marked as future
       ("akan", "lagi", "... mendatang"). Seed 002's "pemungutan suara ... akan dilaksanakan
       ... pada Hari Rabu tanggal 27 Nopember 2024" is the voting day, not the meeting.
    3. Otherwise ``None``: a meeting "hari ini" (today) is not given a date by guesswork.

    >>> parse_event_date("dibuka Selasa (3/9) di Tenggarong.", datetime(2024, 9, 3))
    datetime.date(2024, 9, 3)
    """
    starts = _day_starts(text)
    for mention in _mentions(_PAREN, text, starts):
        resolved = _resolve(mention, published_at)
        if resolved is not None:
            return resolved
    for mention in _mentions(_IN_TEXT, text, starts):
        if mention.announced:
            continue
        resolved = _resolve(mention, published_at)
        if resolved is not None and not _after_publication(resolved, published_at):
            return resolved
    return None


def _mentions(pattern: re.Pattern[str], text: str, starts: list[int] | None) -> Iterator[_Mention]:
    for match in _day_matches(pattern, text, starts):
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else MONTHS[parts["month"].lower()]
        year = int(parts["y"]) if parts.get("y") else None
        if year is not None and year < 100:
            year += 2000
        day_name = parts["day"].lower().replace("’", "'").replace("jum'at", "jumat")
        yield _Mention(
            start=match.start(),
            weekday=DAYS[day_name],
            day=int(parts["d"]),
            month=month,
            year=year,
            announced=_is_announcement(text, match),
        )


def _day_starts(text: str) -> list[int] | None:
    """The positions where a day name may start, in order; ``None`` when lowering the text
    moves positions or misses a letter the patterns match."""
    lowered = text.lower()
    if len(lowered) != len(text) or any(odd in text for odd in _ODD_CASES):
        return None
    starts = []
    for name in _DAY_STARTS:
        at = lowered.find(name)
        while at >= 0:
            starts.append(at)
            at = lowered.find(name, at + 1)
    return sorted(starts)


def _day_matches(
    pattern: re.Pattern[str], text: str, starts: list[int] | None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that opens with a day name, tried only at
    ``starts`` (every position when ``None``)."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for start in starts:
        match = pattern.match(text, start) if start >= end else None
        if match is not None:
            end = match.end()
            yield match


def _is_announcement(text: str, match: re.Match[str]) -> bool:
    """Whether the clause around the date marks it as a future event."""
    sentence_start = max(text.rfind(". ", 0, match.start()), text.rfind("\n", 0, match.start()))
    before = text[sentence_start + 1 : match.start()]
    after = text[match.end() : match.end() + 40]
    return bool(_FUTURE_BEFORE.search(before) or _FUTURE_AFTER.search(after))


def _resolve(mention: _Mention, published_at: datetime | None) -> date | None:
    if mention.year is not None:
        return _safe_date(mention.year, mention.month, mention.day)
    if published_at is None:
        return None
    base = published_at.year
    candidates = [_safe_date(y, mention.month, mention.day) for y in (base, base - 1)]
    valid = [c for c in candidates if c is not None]
    matching = [c for c in valid if c.weekday() == mention.weekday]
    if matching:
        return matching[0]
    not_later = [c for c in valid if c <= published_at.date() + timedelta(days=1)]
    return not_later[0] if not_later else (valid[0] if valid else None)


def _after_publication(value: date, published_at: datetime | None) -> bool:
    return published_at is not None and value > published_at.date() + timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None

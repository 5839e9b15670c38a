"""Page chrome that leaks into extracted text, removed line by line.

Each rule takes the body's lines and returns the lines to keep. A rule only ever removes the
line (or the marker phrase) it recognises, never the text after it: "Baca juga" in the middle of
an article is followed by more article.
"""

from __future__ import annotations

import re

from ingest.clean.dateline import opens_with_dateline
from ingest.clean.dates import MONTHS, parse_indonesian_datetime

__all__ = [
    "drop_breadcrumbs",
    "drop_embedded_posts",
    "drop_inline_related",
    "drop_leading_headlines",
    "drop_share_bars",
    "drop_stamp_lines",
    "drop_trailing_related",
    "is_headline_like",
    "is_list_line",
    "is_related_marker",
    "strip_ad_markers",
]

_RELATED = re.compile(
    r"^\W*(?:baca\s*juga|simak\s*juga|lihat\s*juga|tonton\s*juga|baca\s*selengkapnya"
    r"|pilihan\s*editor|berita\s*(?:lainnya|terkait|lain)|artikel\s*terkait|rekomendasi"
    r"|advertisement|scroll\s*to\s*continue(?:\s*with\s*content)?|silakan\s+login"
    r"|komentar\s+yang\s+mengandung|load\s+more|muat\s+lebih\s+banyak|tampilkan\s+lebih)\b"
    r"|^\W*disclaimer\s*:"
    # the outlet's own contact for news and advertising: "Redaksi: redaksi[at]detik.com"
    r"|^\W*(?:redaksi|hubungi)\s*:\s*\S+(?:@|\[at\])\S+$|^\W*informasi\s+pemasangan\s+iklan\W*$",
    re.IGNORECASE,
)
_AD_WORDS = ("ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT", "Advertisement")
_AD_MARKER = re.compile(r"(?:\s*\b(?:" + "|".join(_AD_WORDS) + r")\b)+\s*")
_BREADCRUMB = re.compile(
    r"^(?:home|beranda|index|indeks)\s*(?:[/>»›|]\s*[^/>»›|]{1,40}\s*)+$", re.IGNORECASE
)
_SHARE_WORDS = (
    r"share|bagikan|bagi|sebarkan|tweet|twitter|facebook|whatsapp|wa|telegram|line|linkedin"
    r"|pinterest|email|e-mail|copy\s*link|salin\s*tautan|x|print|cetak|komentar|\d+"
)
_SHARE_BAR = re.compile(rf"^(?:(?:{_SHARE_WORDS})\s*[:|/,•·]?\s*)+$", re.IGNORECASE)
# The signature line of an embedded post: "— The GRAMMYs (@TheGRAMMYs) February 16, 2016".
_POST_SIGNATURE = re.compile(r"^[—–-]\s*.{1,60}\(@\w{1,30}\)\s*.{0,40}\d{4}$")
_BULLET_ONLY = re.compile(r"^[\W\d_]*$")
# How a sentence ends; "\n" after the mark too, as "$" in a pattern would allow.
_SENTENCE_ENDS = tuple(mark + tail for mark in ".!?…:;\"”’')]" for tail in ("", "\n"))
_RELATIVE_TIME = re.compile(
    r"^\d+\s+(?:detik|menit|jam|hari|minggu|bulan)\s+(?:yang\s+)?lalu$", re.IGNORECASE
)
_STAMP_WORDS = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|pukul|wib|wita|wit|"
    r"diperbarui|dipublikasikan|diterbitkan|terbit|update|updated|published|"
    + "|".join(MONTHS)
    + r")\b|[\d:/.,\-–|()]",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"\W+")
# A list article's lines: "3. Pantai Ambalat", "Harga tiket masuk: Rp 15.000".
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+\S")
_LABELLED = re.compile(r"^[^\W\d_][\w'’./()-]*(?:\s+[\w'’./()-]+){0,2}\s*:\s+(?P<value>\S.*)$")
_WORD_RUN = re.compile(r"\w+")


def is_related_marker(text: str) -> bool:
    """Whether ``text`` opens with a related-link marker ("BACA JUGA:", "Berita Terkait")."""
    return _RELATED.match(text) is not None


def drop_inline_related(lines: list[str]) -> list[str]:
    """Remove lines that start with a related-link marker ("Baca Juga: ...", "BacaJuga",
    "Simak juga", "BERITA LAINNYA", "ADVERTISEMENT") and nothing else."""
    return [line for line in lines if not _RELATED.match(line)]


def drop_embedded_posts(lines: list[str]) -> list[str]:
    """Remove embedded social posts: the signature line ("— Name (@handle) February 16,
    2016") and the post's text on the line before it."""
    drop: set[int] = set()
    for index, line in enumerate(lines):
        if _POST_SIGNATURE.match(line):
            drop.update({index, index - 1} if index else {index})
    return [line for index, line in enumerate(lines) if index not in drop]


def strip_ad_markers(lines: list[str]) -> list[str]:
    """Remove advertisement markers that sit inside a paragraph, keeping the paragraph."""
    text = "\n".join(lines)  # no marker spans two lines
    if not any(word in text for word in _AD_WORDS):
        return [line for line in (line.strip() for line in lines) if line]
    kept = (_AD_MARKER.sub(" ", line).strip() for line in lines)
    return [line for line in kept if line]


def drop_breadcrumbs(lines: list[str], *, head: int = 5) -> list[str]:
    """Remove breadcrumb trails ("Home / Advertorial / Pemerintah") among the first lines."""
    return [line for i, line in enumerate(lines) if i >= head or not _BREADCRUMB.match(line)]


def drop_share_bars(lines: list[str]) -> list[str]:
    """Remove share bars ("Share :", "Bagikan: Facebook Twitter WhatsApp") and lines that are
    only bullets, counters or numbers."""
    return [line for line in lines if not (_SHARE_BAR.match(line) or _BULLET_ONLY.match(line))]


def drop_stamp_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove lines that are only a date stamp ("Senin, 18 November 2024 - 19:15 WIB",
    "- Kamis, 05/11/2015 09:25 WIB", "28 menit lalu"); returns (kept, removed)."""
    kept: list[str] = []
    removed: list[str] = []
    for line in lines:
        (removed if _is_stamp(line) else kept).append(line)
    return kept, removed


def _is_stamp(line: str) -> bool:
    bare = line.strip(" -–—•·|")
    if bare[:1].isdecimal() and _RELATIVE_TIME.match(bare):
        return True
    if len(bare) > 60 or len(bare.split()) > 9 or parse_indonesian_datetime(bare) is None:
        return False
    return len(_STAMP_WORDS.sub("", bare).split()) == 0


def is_headline_like(line: str, *, max_words: int = 20) -> bool:
    """A short line that does not end like a sentence: a title, category or caption."""
    return not line.endswith(_SENTENCE_ENDS) and len(line.split()) <= max_words


def drop_leading_headlines(lines: list[str], title: str | None = None) -> list[str]:
    """Remove the title, kicker and caption lines before the first sentence, and any later
    line that repeats the title. A line that opens with a dateline is the lead, ended with a
    full stop or not."""
    start = 0
    while (
        start < len(lines) - 1
        and is_headline_like(lines[start])
        and not opens_with_dateline(lines[start])
    ):
        start += 1
    wanted = _norm(title) if title else None
    if wanted is None:
        return lines[start:]
    return [line for line in lines[start:] if not _repeats(line, wanted)]


def _repeats(line: str, wanted: str) -> bool:
    """Whether ``line`` normalised is ``wanted``. Such a line opens and ends with the first and
    last words of ``wanted``: checking those rules out most lines without normalising them."""
    words = wanted.split(" ")
    if _first_word(line) != words[0] or _last_word(line) not in (words[-1], None):
        return False
    return _norm(line) == wanted


def drop_trailing_related(lines: list[str]) -> list[str]:
    """Remove what follows the last sentence: lists of related titles alternating with
    category words, "Load More...", embedded-post signatures. A list article's own lines
    ("Harga tiket: Rp 15.000", "3. Pantai Ambalat") end the removal."""
    end = len(lines)
    while end > 1 and (_RELATED.match(lines[end - 1]) or _trailing_title(lines[end - 1])):
        end -= 1
    return lines[:end]


def is_list_line(line: str) -> bool:
    """A line of a list article: a numbered item ("3. Pantai Ambalat") or a "Label: value"
    line whose value is not a title-cased headline ("Sekda Kukar: Sinergi Wujudkan Pilkada")."""
    if _NUMBERED.match(line):
        return True
    match = _LABELLED.match(line)
    if match is None:
        return False
    words = match["value"].split()
    capitalised = sum(1 for word in words if word[:1].isupper())
    return len(words) < 4 or capitalised < 0.6 * len(words)


def _trailing_title(line: str) -> bool:
    return is_headline_like(line) and not is_list_line(line)


def _first_word(text: str) -> str:
    """The first run of word characters of ``text``, case-folded, as :func:`_norm` gives it."""
    match = _WORD_RUN.search(text)
    return match.group().casefold() if match else ""


def _last_word(text: str) -> str | None:
    """The last run of word characters of ``text``, case-folded, found among its last three
    chunks between spaces; ``None`` when none of them holds one."""
    for chunk in text.rsplit(None, 3)[-1:-4:-1]:
        runs = _WORD_RUN.findall(chunk)
        if runs:
            return str(runs[-1]).casefold()
    return None


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip().casefold()

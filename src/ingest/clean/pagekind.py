"""Pages that are not articles, recognised by their address or their text: listing, index, tag
and gallery addresses, error and anti-bot pages, columns of stamped or truncated teasers. Each
check returns the rejection reason (a stable key counted in the run summary) or ``None`` when
the page passes it. What the page's structure says is read by :mod:`ingest.clean.teasers`."""

from __future__ import annotations

import re

from ingest.clean.dates import DAYS, MONTHS
from ingest.urls import split

__all__ = [
    "blocked_reason",
    "listing_reason_from_text",
    "listing_reason_from_url",
    "looks_like_gallery_url",
]

_ANTI_BOT = re.compile(
    r"just a moment|attention required|checking your browser|verify you are (?:a )?human|"
    r"enable javascript and cookies|ddos protection|captcha|access denied|are you a robot|"
    r"security check",
    re.IGNORECASE,
)
_ERROR = re.compile(
    r"^\W*(?:error\s*)?(?:404|403|410|500|502|503)\b|\b(?:404|403|410|500|502|503)\s*[-:]?\s*"
    r"(?:not found|forbidden|error|gone)|page (?:not found|unavailable)|halaman tidak ditemukan|"
    r"server error|service unavailable|halaman yang anda cari tidak",
    re.IGNORECASE,
)
# A word of each alternative of _ANTI_BOT and _ERROR, for a quick look before the patterns.
_ANTI_BOT_WORDS = (
    "moment", "attention", "browser", "verify", "javascript", "ddos", "captcha", "denied",
    "robot", "security",
)  # fmt: skip
_ERROR_WORDS = (
    "404", "403", "410", "500", "502", "503", "page not found", "page unavailable",
    "halaman tidak ditemukan", "server error", "service unavailable",
    "halaman yang anda cari tidak",
)  # fmt: skip
# Letters case-insensitive patterns take for "i" or "s" that str.lower does not turn into them.
_ODD_CASES = ("\u0131", "\u017f", "\u0130")
_TAG_SEGMENTS = {"tag", "tags", "topik", "topic", "topics", "label", "hashtag", "author", "penulis"}
_LISTING_SEGMENTS = {
    "kategori", "category", "categories", "rubrik", "kanal", "section", "indeks", "index",
    "arsip", "archive", "archives", "search", "cari", "pencarian", "terpopuler", "populer",
    "terbaru", "page", "feed",
}  # fmt: skip
_GALLERY = re.compile(r"(?:^|[/_-])(?:galeri|gallery|foto|fotos|photo|photos|readfoto|"
                      r"inpicture|in-picture|video|videos)(?:[/_.-]|$)", re.IGNORECASE)  # fmt: skip
# A teaser's truncated excerpt: "menghadiri Rapat […]", "... [...]", "...".
_EXCERPT_END = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|\.\.\.|…)$")
# How every line that _EXCERPT_END matches ends ("$" also matches before a final newline).
_EXCERPT_ENDS = ("]", "...", "…", "]\n", "...\n", "…\n")
_TEASER_STAMP = re.compile(
    r"\b\d+\s+(?:menit|jam|hari)\s+(?:yang\s+)?lalu\b|\b\d{1,2}[:.]\d{2}\s*(?:wib|wita|wit)\b",
    re.IGNORECASE,
)
_STAMP_WORDS = ("lalu", "wib", "wit")  # every _TEASER_STAMP holds one
_DATE_WORDS = re.compile(
    r"\b(?:"
    + "|".join((*DAYS, *MONTHS, "wib", "wita", "wit", "menit", "jam", "hari", "lalu"))
    + r")\b",
    re.IGNORECASE,
)


def blocked_reason(title: str | None, text: str, *, short: int = 600) -> str | None:
    """``anti_bot`` or ``error_page`` when the title, or a short body, reads like one."""
    probe = f"{title or ''}\n{text if len(text) < short else ''}"
    if _may_hold(probe, _ANTI_BOT_WORDS) and _ANTI_BOT.search(probe):
        return "anti_bot"
    if not _may_hold(probe, _ERROR_WORDS):
        return None
    if (title and _ERROR.search(title)) or (len(text) < short and _ERROR.search(text[:200])):
        return "error_page"
    return None


def _may_hold(text: str, words: tuple[str, ...]) -> bool:
    """Whether a case-insensitive pattern each of whose matches holds one of ``words`` (in
    lower case) can match ``text``: with a letter such a pattern takes for "i" or "s" that
    ``str.lower`` does not give, it can."""
    lowered = text.lower()
    return any(word in lowered for word in words) or any(odd in text for odd in _ODD_CASES)


def listing_reason_from_url(url: str) -> str | None:
    """``listing`` for a home page or index/category/search/page-N path, ``tag`` for tag and
    author pages."""
    path = split(url).path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments or segments in (["index.html"], ["index.php"], ["index.htm"]):
        return "listing"
    if any(s in _TAG_SEGMENTS for s in segments[:-1]) or segments[0] in _TAG_SEGMENTS:
        return "tag"
    last = segments[-1].split(".")[0]
    if last in _LISTING_SEGMENTS or (len(segments) >= 2 and segments[-2] == "page"):
        return "listing"
    return None


def looks_like_gallery_url(url: str) -> bool:
    """Whether the URL names a photo or video page by its host or a section of its path
    (``/foto/``, ``readfoto``, ``inpicture``, ``photo.``); the last segment, the article's own
    slug ("shakira-syuting-video-klip"), does not count."""
    parts = split(url)
    host = (parts.hostname or "").split(".")[0]
    sections = [segment for segment in parts.path.split("/") if segment][:-1]
    return bool(_GALLERY.search(host) or any(_GALLERY.search(s) for s in sections))


def listing_reason_from_text(lines: list[str], *, min_stamps: int = 4) -> str | None:
    """``listing`` when the body reads like a column of teasers: at least ``min_stamps`` lines,
    and a third of all lines, carry a "28 menit lalu" / "12:49 WIB" stamp; or at least two
    lines, and half of all lines, end in a truncated excerpt ("menghadiri Rapat […]"); or the
    body is nothing but ``min_stamps`` stamps or more ("Senin, 22 Mei 2017 05:05 WIB ..."), the
    teasers' headlines left out by the extractor."""
    if _stamped_lines(lines, max(min_stamps, -(-len(lines) // 3))):
        return "listing"
    if _only_stamps(lines, min_stamps):
        return "listing"
    excerpts = sum(
        1 for line in lines if line.endswith(_EXCERPT_ENDS) and _EXCERPT_END.search(line)
    )
    return "listing" if excerpts >= 2 and excerpts * 2 >= len(lines) else None


def _only_stamps(lines: list[str], needed: int) -> bool:
    """Whether the text holds ``needed`` teaser stamps and little else than dates."""
    text = " ".join(lines)
    lowered = text.lower()
    if sum(lowered.count(word) for word in _STAMP_WORDS) < needed and not any(
        odd in text for odd in _ODD_CASES
    ):
        return False
    if len(_TEASER_STAMP.findall(text)) < needed:
        return False
    rest = _DATE_WORDS.sub(" ", text)
    return sum(1 for char in rest if char.isalpha()) < 0.2 * len(text)


def _stamped_lines(lines: list[str], needed: int) -> bool:
    """Whether ``needed`` lines carry a teaser stamp. A stamped line holds a stamp word, so
    when the words occur fewer times in the whole text, no line is looked at."""
    text = "\n".join(lines)
    lowered = text.lower()
    if sum(lowered.count(word) for word in _STAMP_WORDS) < needed and not any(
        odd in text for odd in _ODD_CASES
    ):
        return False
    stamped = (_may_hold(line, _STAMP_WORDS) and _TEASER_STAMP.search(line) for line in lines)
    return sum(1 for found in stamped if found) >= needed

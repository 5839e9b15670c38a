"""Pages that are not articles: listing, index, tag and gallery pages, error and anti-bot pages,
very short texts. Each check returns the rejection reason (a stable key counted in the run
summary) or ``None`` when the page passes it."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from ingest.urls import split

__all__ = [
    "blocked_reason",
    "densest_block_chars",
    "headline_links",
    "listing_reason_from_text",
    "listing_reason_from_title",
    "listing_reason_from_tree",
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
_LISTING_TITLE = re.compile(
    r"^(?:indeks|index|arsip|archive|kumpulan|daftar|kategori|category|topik|tag|hasil pencarian)"
    r"\b|\b(?:berita terbaru|berita hari ini|berita terkini|indeks berita|portal berita)\b",
    re.IGNORECASE,
)
# A teaser's truncated excerpt: "menghadiri Rapat […]", "... [...]", "...".
_EXCERPT_END = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|\.\.\.|…)$")
# How every line that _EXCERPT_END matches ends ("$" also matches before a final newline).
_EXCERPT_ENDS = ("]", "...", "…", "]\n", "...\n", "…\n")
_BLOCKS = ("body", "main", "article", "section", "div", "td", "li", "blockquote")
_OWN = frozenset({"p", "span", "strong", "b", "em", "i", "u", "font", "small", "br", "time"})
_TEASER_STAMP = re.compile(
    r"\b\d+\s+(?:menit|jam|hari)\s+(?:yang\s+)?lalu\b|\b\d{1,2}[:.]\d{2}\s*(?:wib|wita|wit)\b",
    re.IGNORECASE,
)
_STAMP_WORDS = ("lalu", "wib", "wit")  # every _TEASER_STAMP holds one


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


def listing_reason_from_title(title: str | None) -> str | None:
    """``listing`` for titles such as "Indeks Berita - Kompas.com" or "Berita Terbaru"."""
    return "listing" if title and _LISTING_TITLE.search(title) else None


def looks_like_gallery_url(url: str) -> bool:
    """Whether the URL names a photo or video page (``/foto/``, ``readfoto``, ``inpicture``)."""
    parts = split(url)
    host = (parts.hostname or "").split(".")[0]
    return bool(_GALLERY.search(parts.path) or _GALLERY.search(host))


def listing_reason_from_text(lines: list[str], *, min_stamps: int = 4) -> str | None:
    """``listing`` when the body reads like a column of teasers: at least ``min_stamps`` lines,
    and a third of all lines, carry a "28 menit lalu" / "12:49 WIB" stamp; or at least two
    lines, and half of all lines, end in a truncated excerpt ("menghadiri Rapat […]")."""
    if _stamped_lines(lines, max(min_stamps, -(-len(lines) // 3))):
        return "listing"
    excerpts = sum(
        1 for line in lines if line.endswith(_EXCERPT_ENDS) and _EXCERPT_END.search(line)
    )
    return "listing" if excerpts >= 2 and excerpts * 2 >= len(lines) else None


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


def densest_block_chars(tree: HtmlElement, *, enough: int | None = None) -> int:
    """The most text, outside links, that one block element holds directly or in its
    paragraphs and inline children. An article's body is one block of 1,000 characters and
    more; a listing spreads short teasers over many small cards. With ``enough``, counting
    stops at the first block found to hold that much (the block around the first paragraph is
    tried first), and the result is at least ``enough``."""
    if enough is not None:
        first = next(tree.iter("p"), None)
        around = first.getparent() if first is not None else None
        if around is not None and around.tag in _BLOCKS:
            size = _own_chars(around, enough)
            if size >= enough:
                return size
    densest = 0
    for block in tree.iter(*_BLOCKS):
        densest = max(densest, _own_chars(block, enough))
        if enough is not None and densest >= enough:
            break
    return densest


def _own_chars(block: HtmlElement, enough: int | None = None) -> int:
    """The characters ``block`` holds itself; counting stops once there are ``enough``."""
    size = len((block.text or "").strip())
    for child in block:
        if enough is not None and size >= enough:
            break
        size += len((child.tail or "").strip())
        if isinstance(child.tag, str) and child.tag in _OWN:
            links = sum(len(a.text_content()) for a in child.iter("a"))
            size += max(len(child.text_content().strip()) - links, 0)
    return size


def headline_links(tree: HtmlElement, *, min_words: int = 4) -> int:
    """How many distinct pages the page links to with a headline (``min_words`` words or more)."""
    return len(
        {a.get("href") for a in tree.iter("a") if len(a.text_content().split()) >= min_words}
    )


def listing_reason_from_tree(
    tree: HtmlElement, text: str, *, max_block_chars: int, min_chars: int, min_links: int = 8
) -> str | None:
    """``listing`` when no block of the page holds ``max_block_chars`` characters of its own
    text and either the extracted ``text`` is spread over several blocks (longer than one and
    a half times the densest block: teasers stitched together) or the page holds too little
    text for an article (``min_chars``) among ``min_links`` headline links. Uses no URL or
    title clue."""
    block = densest_block_chars(tree, enough=max_block_chars)
    if block >= max_block_chars:
        return None
    if len(text) > 1.5 * block:
        return "listing"
    return "listing" if block < min_chars and headline_links(tree) >= min_links else None

"""Unicode repair and whitespace normalisation: the first rules applied to any text."""

from __future__ import annotations

import re
import unicodedata

import ftfy

__all__ = ["normalise_whitespace", "repair_mojibake", "split_paragraphs"]

# A lone "Â" before whitespace is what is left of a double-encoded no-break space
# (UTF-8 C2 A0 read as Latin-1) once the A0 has been turned into a plain space or dropped.
_ORPHAN_A_CIRCUMFLEX = re.compile(r"\u00c2(?=[\s\u00a0]|$)")
_ODD_SPACE = re.compile(r"[^\S \n]")  # white space other than a space or a line break
# The same among ASCII characters.
_ASCII_ODD_SPACES = ("\t", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Text made only of these characters is left as it is by ftfy (no mojibake, no control
# character, no odd line break, ligature or full-width form) unless it holds an HTML entity
# (ftfy's pattern for one below), so ftfy is skipped.
_FTFY_NOOP = re.compile(r"[\n\t\x20-\x7e\u00a0\u2010-\u2015\u2018\u2019\u201c\u201d\u2022\u2026]*")
_HTML_ENTITY = re.compile(r"&#?[0-9A-Za-z]{1,24};")
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=True, explain=False)


def repair_mojibake(text: str) -> str:
    """Repair double-encoded UTF-8 ("â€œ" becomes a quote, "Ã©" becomes "é"). Text of plain
    ASCII and common punctuation (most Indonesian news) cannot hold mojibake and is returned
    as it is, without the cost of ftfy.

    >>> repair_mojibake("pembangunan masyarakat Kukar. \\u00c2")
    'pembangunan masyarakat Kukar. '
    """
    if _untouched(text):
        return text
    return _ORPHAN_A_CIRCUMFLEX.sub("", _fix_text(text))


def _untouched(text: str) -> bool:
    """Whether ftfy leaves ``text`` as it is, by the characters it holds."""
    return bool(_FTFY_NOOP.fullmatch(text)) and ("&" not in text or not _HTML_ENTITY.search(text))


def _fix_text(text: str) -> str:
    """``ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True)``: the same segments
    (lines) fixed with the same settings, but the lines ftfy leaves as they are skipped."""
    config = _FTFY_CONFIG
    fixed = []
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        end = min(end, start + config.max_decode_length)
        segment = text[start:end]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        fixed.append(segment if _untouched(segment) else ftfy.fix_and_explain(segment, config)[0])
        start = end
    return "".join(fixed)


def _single_spaced(text: str) -> bool:
    """Whether the only white space in ``text`` is single spaces and line breaks."""
    if "  " in text:
        return False
    if text.isascii():
        return not any(space in text for space in _ASCII_ODD_SPACES)
    return not _ODD_SPACE.search(text)


def normalise_whitespace(text: str) -> str:
    """NFC-normalise, drop invisible characters, collapse runs of spaces, trim every line and
    drop empty lines, so that paragraphs are separated by exactly one ``"\\n"``.

    >>> normalise_whitespace("  Satu\\u00a0 dua  \\n\\n\\n tiga ")
    'Satu dua\\ntiga'
    """
    return "\n".join(split_paragraphs(text))


def split_paragraphs(text: str) -> list[str]:
    """The lines of ``text`` normalised as :func:`normalise_whitespace` does, empty ones
    dropped."""
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _single_spaced(text):
        # single spaces only: trimming is all a line needs
        return [line for line in (line.strip() for line in text.split("\n")) if line]
    # str.split() splits at the characters \s matches, so this collapses runs of spaces and
    # trims the line.
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]

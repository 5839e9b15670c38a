"""Find the real encoding of a page whose headers or meta tags may be wrong.

Order: a byte-order mark; valid UTF-8 (text that decodes as UTF-8 almost never is anything
else); the declared charset (HTTP header, then ``<meta>`` or the XML declaration) when the
body decodes with it; windows-1252, the legacy encoding of Latin-script (Indonesian) sites;
finally charset-normalizer's guess.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["declared_charset", "detect_encoding"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# As browsers do (WHATWG Encoding): these labels mean windows-1252.
_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def declared_charset(body: bytes) -> str | None:
    """The charset a document declares in its first 4 KB (``<meta>`` or ``<?xml``)."""
    head = body[:4096]
    match = _XML.search(head) or _META.search(head)
    return _codec(match.group(1).decode("ascii")) if match else None


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, header_charset: str | None = None) -> str:
    """The Python codec name to decode ``body`` with.

    >>> detect_encoding("Tenggarong – Kukar".encode(), "iso-8859-1")
    'utf-8'
    >>> detect_encoding("café".encode("cp1252"), "utf-8")
    'cp1252'
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if _decodes(body, "utf-8"):
        return "utf-8"
    for label in (header_charset, declared_charset(body)):
        codec = _codec(label)
        if codec and codec != "utf-8" and _decodes(body, codec):
            return codec
    if _decodes(body, "cp1252"):
        return "cp1252"
    best = from_bytes(body[:200_000]).best()
    if best is not None:
        return _codec(best.encoding) or "utf-8"
    return "utf-8"

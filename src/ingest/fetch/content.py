"""Which responses may go on: HTML for pages, XML-ish text for feeds and sitemaps; a feed or
sitemap sent as a gzip file is decompressed."""

from __future__ import annotations

import zlib
from typing import Literal

from ingest.errors import ProtocolFailure, TooLarge, UnsupportedContent

__all__ = ["Kind", "check_body", "check_content_type", "gunzip", "media_type"]

Kind = Literal["page", "feed", "robots"]

_PAGE = frozenset({"text/html", "application/xhtml+xml"})
# Servers label feeds and sitemaps in many ways; refuse only what is clearly not text.
_NEVER = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.",
    "application/octet-stream",
)
_GZIP = frozenset({"application/gzip", "application/x-gzip"})
_BINARY = "application/octet-stream"  # what many servers send for a .gz file


def media_type(content_type: str | None) -> str:
    """``text/html; charset=utf-8`` -> ``text/html``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_content_type(url: str, content_type: str | None, kind: Kind) -> None:
    """Raise UnsupportedContent when a response of ``content_type`` cannot be used as ``kind``.

    A missing Content-Type is accepted (the body is checked downstream).
    """
    media = media_type(content_type)
    if not media or kind == "robots":
        return
    if kind == "page":
        if media in _PAGE:
            return
    elif media in _GZIP or media == _BINARY or not media.startswith(_NEVER):
        return  # a feed sent as application/octet-stream must be a gzip file: see gunzip
    raise UnsupportedContent(url, f"content type {media} is not usable as a {kind}")


_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"RIFF")


def check_body(url: str, body: bytes, kind: Kind) -> None:
    """Raise UnsupportedContent for a page body that is a PDF, image or archive in disguise."""
    if kind == "page" and body.lstrip()[:4].startswith(_MAGIC):
        raise UnsupportedContent(url, "body is a binary file, not HTML")


_GZIP_MAGIC = b"\x1f\x8b"


def gunzip(url: str, body: bytes, cap: int, content_type: str | None = None) -> bytes:
    """``body`` decompressed when it is a gzip file (``sitemap.xml.gz``, or a feed gzipped
    without a Content-Encoding header), else ``body`` itself. Raises TooLarge past ``cap``
    bytes decompressed, ProtocolFailure for a broken or cut-off file and UnsupportedContent
    for an ``application/octet-stream`` body that is not gzip."""
    if not body.startswith(_GZIP_MAGIC):
        if media_type(content_type) == _BINARY:
            raise UnsupportedContent(url, f"content type {_BINARY} is not usable as a feed")
        return body
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, cap + 1)
    except zlib.error as exc:
        raise ProtocolFailure(url, f"broken gzip body: {exc}") from None
    if len(data) > cap:
        raise TooLarge(url, f"body exceeds {cap} bytes decompressed")
    if not decompressor.eof:
        raise ProtocolFailure(url, "gzip body cut off")
    return data

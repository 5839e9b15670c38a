"""A folder of saved HTML pages (``*.html``, ``*.htm``, searched recursively).

Each page's URL is what it declares (rel=canonical, else og:url); a page that declares none
gets a ``file://`` URL from its path.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html

from ingest.config import SourceConfig
from ingest.errors import SourceError
from ingest.fetch import Getter, detect_encoding
from ingest.records import Candidate
from ingest.urls import canonicalize, host_of, is_http_url

__all__ = ["declared_url", "discover"]

_SUFFIXES = (".html", ".htm")


def declared_url(html: str) -> str | None:
    """The absolute http(s) URL a page declares in rel=canonical or og:url, if any."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    for xpath in (
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href",
        "//meta[@property='og:url']/@content",
    ):
        for value in tree.xpath(xpath):
            if is_http_url(str(value)):
                return str(value).strip()
    return None


def _candidate(source: SourceConfig, path: Path) -> Candidate:
    body = path.read_bytes()
    html = body.decode(detect_encoding(body), errors="replace")
    declared = declared_url(html)
    url = canonicalize(declared) if declared else path.resolve().as_uri()
    outlet = source.outlet or (host_of(url) if declared else source.name)
    return Candidate(url=url, source=source.name, outlet=outlet, html=html)


async def discover(
    source: SourceConfig, fetcher: Getter | None = None, *, since: datetime | None = None
) -> list[Candidate]:
    """One Candidate (with ``html``) per saved page, in path order."""
    folder = source.path
    if folder is None or not folder.is_dir():
        raise SourceError(source.name, f"folder not found: {folder}")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())
    seen: dict[str, Candidate] = {}
    for path in files:
        candidate = _candidate(source, path)
        seen.setdefault(candidate.url, candidate)
    return list(seen.values())

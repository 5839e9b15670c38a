"""A folder of saved HTML pages (``*.html``, ``*.htm``, searched recursively).

Each page's URL is what it declares (rel=canonical, else og:url); a page that declares none
gets a ``file://`` URL from its path. A file larger than ``fetch.max_bytes`` (the cap of a
fetched page) is rejected unread (``too_large``), and one whose markup would cost too much to
parse (``extract.max_elements``, ``extract.max_attributes``) before it is parsed
(``too_complex``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import lxml.html

from ingest.clean.markup_cost import check_markup, check_size
from ingest.config import ExtractSettings, SourceConfig
from ingest.errors import NotAnArticle, SourceError
from ingest.fetch import Getter, detect_encoding
from ingest.records import Candidate, Discovery, Rejection
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


def _candidate(source: SourceConfig, path: Path, limits: _Limits) -> Candidate:
    """The page's candidate; NotAnArticle when it is past the limits, OSError unreadable."""
    check_size(path.stat().st_size, str(path), max_bytes=limits.max_bytes)
    body = path.read_bytes()
    html = body.decode(detect_encoding(body), errors="replace")
    if limits.extract is not None:
        bounds = limits.extract
        check_markup(
            html, str(path), max_elements=bounds.max_elements, max_attributes=bounds.max_attributes
        )
    declared = declared_url(html)
    url = canonicalize(declared) if declared else path.resolve().as_uri()
    outlet = source.outlet or (host_of(url) if declared else source.name)
    return Candidate(url=url, source=source.name, outlet=outlet, html=html)


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int | None
    extract: ExtractSettings | None


async def discover(
    source: SourceConfig,
    fetcher: Getter | None = None,
    *,
    since: datetime | None = None,
    max_bytes: int | None = None,
    extract: ExtractSettings | None = None,
) -> Discovery:
    """One Candidate (with ``html``) per saved page, in path order; the pages past
    ``max_bytes`` or the markup bounds of ``extract`` rejected."""
    folder = source.path
    if folder is None or not folder.is_dir():
        raise SourceError(source.name, f"folder not found: {folder}")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())
    limits = _Limits(max_bytes, extract)
    seen: dict[str, Candidate] = {}
    rejected: list[Rejection] = []
    for path in files:
        try:
            candidate = _candidate(source, path, limits)
        except NotAnArticle as exc:
            rejected.append(Rejection(exc.reason, str(exc)))
            continue
        except OSError as exc:
            rejected.append(Rejection("unreadable", f"{path}: {exc.strerror or exc}"))
            continue
        seen.setdefault(candidate.url, candidate)
    return Discovery(list(seen.values()), rejected)

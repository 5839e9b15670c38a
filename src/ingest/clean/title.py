"""The article's headline without the outlet's name around it."""

from __future__ import annotations

import re

from ingest.urls import split

__all__ = ["clean_title"]

_SEPARATORS = re.compile(r"\s+(?:[|–—]|-|::|»)\s+")
_PREFIX = re.compile(r"^(?P<site>[\w .-]{2,30}?)\s*:\s+(?P<rest>.+)$")
# Section labels an outlet puts before the headline of photo, video and graphics pages.
_SECTION_LABEL = re.compile(
    r"^(?:in\s*picture|foto|photo|video|vidio|galeri|gallery|infografis|infografik|"
    r"breaking\s*news|advertorial)\s*[:|]\s+(?=\S)",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|co\.id|id|net|org|co|tv)\b", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _site_tokens(url: str, site_name: str | None) -> set[str]:
    host = split(url).hostname or ""
    labels = [p for p in host.split(".") if p not in {"www", "m", "com", "co", "id", "net"}]
    tokens = {_key(p) for p in labels if len(p) >= 3}
    if site_name:
        tokens.add(_key(site_name))
    return {t for t in tokens if t}


def _is_site(segment: str, tokens: set[str]) -> bool:
    key = _key(segment)
    return bool(_DOMAIN.search(segment)) or any(t in key or key in t for t in tokens if key)


def clean_title(
    title: str | None, *, url: str, site_name: str | None = None, headings: tuple[str, ...] = ()
) -> str | None:
    """The headline without site name and section label ("FOTO: ", "In Picture: ", "VIDEO: "):
    the label names the page's format, not the story, and two outlets' headlines of one story
    compare better without it.

    >>> clean_title("FOTO: Sekda Kukar Buka Rakor - KapanLagi.com", url="https://kapanlagi.com/x")
    'Sekda Kukar Buka Rakor'
    """
    headline = _headline(title, url=url, site_name=site_name, headings=headings)
    return _SECTION_LABEL.sub("", headline) if headline else None


def _headline(
    title: str | None, *, url: str, site_name: str | None, headings: tuple[str, ...]
) -> str | None:
    """Prefer a page heading that the ``<title>`` contains (``<h1>`` carries no site name);
    otherwise strip site-name segments ("... - Kompas.com", "KapanLagi.com: ...").

    >>> clean_title("Samsul Arif Tak Beban Lawan Arema - Kompas.com", url="https://bola.kompas.com/x")
    'Samsul Arif Tak Beban Lawan Arema'
    """
    if not title:
        return next((h for h in headings if len(h.split()) >= 4), None)
    title = " ".join(title.split())
    inside = [h for h in headings if len(h.split()) >= 4 and _key(h) in _key(title)]
    if inside:
        return max(inside, key=len)
    tokens = _site_tokens(url, site_name)
    prefix = _PREFIX.match(title)
    if prefix and _is_site(prefix["site"], tokens):
        title = prefix["rest"]
    segments = _SEPARATORS.split(title)
    while len(segments) > 1 and _is_site(segments[-1], tokens):
        segments.pop()
    while len(segments) > 1 and _is_site(segments[0], tokens):
        segments.pop(0)
    return " - ".join(segments).strip() or None

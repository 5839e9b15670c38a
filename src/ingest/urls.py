"""URL canonicalisation: one article reached by two URLs must be one document.

::

    >>> canonicalize("HTTPS://WWW.Kukarkab.go.id:443/berita/1?utm_source=fb&id=3#komentar")
    'https://www.kukarkab.go.id/berita/1?id=3'
    >>> choose_canonical("https://kukarkab.go.id/?p=12", "/berita/rapat-bawaslu")
    'https://kukarkab.go.id/berita/rapat-bawaslu'

Tracking parameters (``utm_*``, ``fbclid``, ``gclid`` and courlan's list) are removed, scheme
and host lowercased, default ports and fragments dropped, query parameters sorted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import extract_domain, normalize_url

__all__ = [
    "canonicalize",
    "choose_canonical",
    "host_of",
    "is_http_url",
    "registered_domain",
    "split",
]

# Beyond courlan's own list: trackers common on Indonesian news sites and social shares.
_TRACKERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|igshid|mc_[ce]id|_ga|_gl|ref_src|"
    r"wa_source|share|shared|from_wa|amp_\w+)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 14)
def split(url: str) -> SplitResult:
    """``urlsplit``, remembered for the last 16,384 URLs: a run splits each URL it fetches
    a dozen times (canonical form, host limits, robots.txt, redirects)."""
    return urlsplit(url)


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = split(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _strip_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKERS.match(k)]
    return urlencode(sorted(pairs))


@lru_cache(maxsize=1 << 16)
def canonicalize(url: str) -> str:
    """The canonical form of an http(s) URL; other URLs (``file://``) come back unchanged.
    Remembered for the last 65,536 URLs: a run asks for each URL several times.

    Raises ValueError for a URL courlan cannot parse.
    """
    url = url.strip()
    if not is_http_url(url):
        return url
    normalized = normalize_url(url, strict=False, trailing_slash=True)
    parts = split(normalized)
    path = parts.path or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, _strip_query(parts.query), ""))


def host_of(url: str) -> str:
    """The lowercased host of ``url`` without a leading ``www.`` (the default outlet name)."""
    host = (split(url).hostname or "").lower()
    return host.removeprefix("www.")


def registered_domain(url: str) -> str:
    """``berita.kukarkab.go.id`` -> ``kukarkab.go.id``; an IP address or bare host as is."""
    return _domain_of_host((split(url).hostname or "").lower())


@lru_cache(maxsize=1 << 12)
def _domain_of_host(host: str) -> str:
    """The registered domain of a host, remembered per host (a run sees few hosts)."""
    return extract_domain(f"http://{host}/", fast=True) or host


@lru_cache(maxsize=1 << 12)
def choose_canonical(fetched_url: str, declared: str | None) -> str:
    """The URL to store: the declared one (rel=canonical, og:url; may be relative) when it is
    a valid http(s) URL on the same registered domain as the fetched URL, else the fetched one.
    Both canonicalised."""
    fetched = canonicalize(fetched_url)
    if not declared or not declared.strip():
        return fetched
    candidate = urljoin(fetched_url, declared.strip())
    if candidate in (fetched_url, fetched):
        return fetched
    if not is_http_url(candidate):
        return fetched
    if registered_domain(candidate) != registered_domain(fetched_url):
        return fetched
    return canonicalize(candidate)

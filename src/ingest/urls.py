"""URL canonicalisation: one article reached by two URLs must be one document.

::

    >>> canonicalize("HTTPS://WWW.Kukarkab.go.id:443/berita/1?utm_source=fb&id=3#komentar")
    'https://www.kukarkab.go.id/berita/1?id=3'
    >>> choose_canonical("https://kukarkab.go.id/?p=12", "/berita/rapat-bawaslu")
    'https://kukarkab.go.id/berita/rapat-bawaslu'

Tracking parameters (``utm_*``, ``fbclid``, ``gclid`` and courlan's list) are removed, scheme
and host lowercased, default ports and fragments dropped, query parameters sorted.

A URL from outside is checked before it is used (:func:`check_url`): one that cannot be
requested raises :class:`~ingest.errors.InvalidURL` saying why, and :func:`is_http_url` is
False for it::

    >>> check_url(" https://kukarkab.go.id/berita/1 ")
    'https://kukarkab.go.id/berita/1'
    >>> is_http_url("http://kukarkab.go.id\\@evil.example/"), is_http_url("http://[::1/x")
    (False, False)
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import extract_domain, normalize_url
from yarl import URL

from ingest.errors import InvalidURL

__all__ = [
    "canonicalize",
    "check_url",
    "choose_canonical",
    "host_of",
    "is_http_url",
    "join",
    "names_other_page",
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


#: Characters no host name or address holds: a resolver or the HTTP client refuses them, or
#: reads the URL differently (``http://a.id\\@b.id/`` is a.id to one parser, b.id to another).
_NOT_IN_HOST = re.compile(r"[\s\x00-\x1f\x7f\\<>\"{}|^`%]")


@lru_cache(maxsize=1 << 14)
def check_url(url: str) -> str:
    """``url`` without surrounding spaces, when it is an absolute http(s) URL with a host that
    the fetcher can request; else raises :class:`~ingest.errors.InvalidURL` saying why.
    Remembered for the last 16,384 good URLs."""
    stripped = url.strip()
    try:
        parts = split(stripped)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
        stripped.encode("utf-8")
        URL(stripped)  # the HTTP client's own parser: a backslash in the authority, ...
    except (ValueError, UnicodeError) as exc:
        raise InvalidURL(url, _not_valid(exc)) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(url, "not an http(s) URL")
    host = parts.hostname
    if not host:
        raise InvalidURL(url, "not a valid URL: no host")
    if _NOT_IN_HOST.search(host):
        raise InvalidURL(url, "not a valid URL: a character no host name holds")
    return stripped


def _not_valid(error: Exception) -> str:
    return "not a valid URL: " + str(error).removeprefix("Invalid URL: ")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host that can be requested
    (:func:`check_url`)."""
    try:
        check_url(url)
    except InvalidURL:
        return False
    return True


def join(base: str, reference: str) -> str:
    """``reference`` (a link, a redirect's Location; may be relative) resolved against
    ``base``; InvalidURL when either cannot be parsed (an unclosed IPv6 bracket)."""
    try:
        return urljoin(base, reference.strip())
    except ValueError as exc:
        raise InvalidURL(reference, _not_valid(exc)) from None


def _strip_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKERS.match(k)]
    return urlencode(sorted(pairs))


@lru_cache(maxsize=1 << 16)
def canonicalize(url: str) -> str:
    """The canonical form of an http(s) URL; other URLs (``file://``) come back unchanged.
    Remembered for the last 65,536 URLs: a run asks for each URL several times.

    A URL that cannot be requested (:func:`check_url`) comes back unchanged too.
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
    a valid http(s) URL on the same registered domain as the fetched URL and names the same
    page (:func:`names_other_page`), else the fetched one. Both canonicalised.

    >>> choose_canonical("https://kukar.example/daerah/rakor-pilkada", "/daerah/")
    'https://kukar.example/daerah/rakor-pilkada'
    """
    fetched = canonicalize(fetched_url)
    if not declared or not declared.strip():
        return fetched
    try:
        candidate = join(fetched_url, declared)
    except InvalidURL:
        return fetched
    if candidate in (fetched_url, fetched):
        return fetched
    if not is_http_url(candidate):
        return fetched
    if registered_domain(candidate) != registered_domain(fetched_url):
        return fetched
    declared_url = canonicalize(candidate)
    return fetched if names_other_page(fetched, declared_url) else declared_url


#: What a page's address may end with and still be the same article: an AMP or print view.
_VIEW_SUFFIX = re.compile(r"(?:/(?:amp|print|cetak))+/?$", re.IGNORECASE)
_VIEW_PREFIX = "/amp"  # an AMP view's address: /amp/<the article's path>
_EXTENSION = re.compile(r"\.[a-z0-9]{2,5}$", re.IGNORECASE)
#: An address of words alone (``/kategori/daerah``): a section or a named page.
_WORDS_ONLY = re.compile(r"^(?:/[^\W\d_]+)+$")


def names_other_page(fetched: str, declared: str) -> bool:
    """Whether a page fetched at ``fetched`` that declares ``declared`` as its canonical
    address points at a page with other content, which must not give the page its identity
    (else every article of a CMS that declares its section page would be stored as one):

    - the site's home page, declared by a page that is not the home page;
    - a section above the page (``/daerah/`` for ``/daerah/kukar/rakor-pilkada``);
    - a section or named page in another part of the site: an address of words alone, with
      neither a number nor a slug (``/kategori/daerah`` for ``/berita/12``, ``/tentang`` for
      ``/?page_id=5``);
    - another article: the page's address ends with an article's slug
      (``rakor-pilkada``) and the declared one does not end with the same slug.

    An AMP or print view (``.../amp``, ``/amp/...``) declaring its article, another host of
    the same site and an address by number (``/?p=12``, ``/berita/1``) declaring its slug are
    the same page.

    >>> names_other_page("https://kukar.example/daerah/rakor-pilkada", "https://kukar.example/")
    True
    >>> names_other_page("https://kukar.example/amp/rakor-pilkada", "https://kukar.example/rakor-pilkada")
    False
    """
    page = _VIEW_SUFFIX.sub("", split(fetched).path).rstrip("/")
    target = split(declared)
    path = target.path.rstrip("/")
    if page and not path and not target.query:
        return True
    if path and page.startswith(path + "/"):
        return True
    if _WORDS_ONLY.match(path) and _first_segment(page) != _first_segment(path):
        return True
    slug = _slug(page)
    return bool(slug) and _slug(path) != slug


def _first_segment(path: str) -> str:
    """``berita`` for ``/berita/2024/rakor``, past an ``/amp`` view prefix."""
    return path.removeprefix(_VIEW_PREFIX + "/").strip("/").split("/", 1)[0].lower()


def _slug(path: str) -> str:
    """The last segment of ``path`` when it reads as an article's slug (words joined by
    hyphens: ``rakor-pilkada-2024.html``), lowercased without its extension; else empty."""
    last = _EXTENSION.sub("", path.rsplit("/", 1)[-1]).lower()
    return last if "-" in last and any(c.isalpha() for c in last) else ""

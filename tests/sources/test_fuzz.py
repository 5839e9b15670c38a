"""Property: whatever a feed or sitemap holds, reading it gives a Discovery (candidates and
rejected items) or one IngestError, never another exception; every candidate it gives can be
fetched and stored (an http(s) URL the client accepts, a date UTC can hold).

Documents are built from real feed and sitemap shapes with links and dates of every edge
(backslashes and brackets in the authority, ports out of range, relative and non-http links,
years 1 and 9999 with offsets, garbage) beside raw bytes and plain text. Fixed seeds: the same
examples on every run."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.config import SourceConfig
from ingest.errors import IngestError
from ingest.fetch.content import gunzip
from ingest.records import Discovery
from ingest.sources.rss import parse_feed
from ingest.sources.sitemap import parse_sitemap
from ingest.urls import canonicalize, check_url, choose_canonical, is_http_url

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FEED_URL = "https://kukar.example/feed/"
SOURCE = SourceConfig(name="fuzz", kind="rss", url=FEED_URL)

LINKS = st.one_of(
    st.sampled_from(
        [
            "https://kukar.example/berita/1",
            "/berita/relatif",
            "berita/2?utm_source=x#c",
            "//kukar.example/berita/3",
            "http://kukar.example\\@evil.example/",
            "http://[::1/x",
            "http://[::1]:8080/x",
            "http://[fe80::1%25eth0]/",
            "http://kukar.example:99999/",
            "http://kukar.example:-1/",
            "http://a b.example/",
            "http:///x",
            "https://",
            "ftp://kukar.example/a",
            "javascript:alert(1)",
            "mailto:a@b.id",
            "http://xn--/",
            "http://2130706433/",
            "http://kukar.example/\x00",
            "http://kukar.example/\ud800",
            "",
            " ",
        ]
    ),
    st.text(max_size=40),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "Sat, 09 Nov 2024 10:00:00 +0800",
            "Mon, 01 Jan 0001 00:00:00 +0800",
            "Fri, 31 Dec 9999 23:00:00 -0800",
            "0001-01-01T00:00:00+08:00",
            "9999-12-31T23:59:59-08:00",
            "2024-13-45",
            "2024-11-09",
            "2024-11-09T10:00:00Z",
            "99999-01-01",
            "-0001-01-01",
            "Senin, 18 November 2024 - 19:15 WIB",
            "",
        ]
    ),
    st.text(max_size=30),
)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """An RSS 2.0 or Atom document of drawn entries, sometimes cut short."""
    entries = draw(st.lists(st.tuples(LINKS, DATES, st.text(max_size=20)), max_size=6))
    if draw(st.booleans()):
        items = "".join(
            f"<item><title>{_escaped(t)}</title><link>{_escaped(u)}</link>"
            f"<guid>{_escaped(u)}</guid><pubDate>{_escaped(d)}</pubDate></item>"
            for u, d, t in entries
        )
        document = f"<rss version='2.0'><channel><title>K</title>{items}</channel></rss>"
    else:
        items = "".join(
            f'<entry><title>{_escaped(t)}</title><link href="{_escaped(u)}"/>'
            f"<id>{_escaped(u)}</id><updated>{_escaped(d)}</updated></entry>"
            for u, d, t in entries
        )
        document = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{items}</feed>'
    cut = draw(st.integers(min_value=0, max_value=len(document)))
    return (document if draw(st.booleans()) else document[:cut]).encode("utf-8", "surrogatepass")


@st.composite
def sitemaps(draw: st.DrawFn) -> bytes:
    """A url set, a sitemap index or a plain-text list of drawn entries, sometimes cut short."""
    entries = draw(st.lists(st.tuples(LINKS, DATES), max_size=6))
    kind = draw(st.sampled_from(["urlset", "sitemapindex", "text"]))
    if kind == "text":
        document = "\n".join(u for u, _ in entries)
    else:
        tag = "url" if kind == "urlset" else "sitemap"
        body = "".join(
            f"<{tag}><loc>{_escaped(u)}</loc><lastmod>{_escaped(d)}</lastmod>"
            f"<news:news><news:publication_date>{_escaped(d)}</news:publication_date></news:news>"
            f"</{tag}>"
            for u, d in entries
        )
        document = (
            f'<{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</{kind}>'
        )
    cut = draw(st.integers(min_value=0, max_value=len(document)))
    return (document if draw(st.booleans()) else document[:cut]).encode("utf-8", "surrogatepass")


SINCE = st.sampled_from([None, datetime(2024, 1, 1, tzinfo=UTC)])


def _usable(found: Discovery) -> None:
    """Every candidate can be fetched and stored; every rejection says why."""
    for candidate in found.candidates:
        assert is_http_url(candidate.url) and canonicalize(candidate.url) == candidate.url
        if candidate.published_at is not None:
            candidate.published_at.astimezone(UTC)
    for rejection in found.rejected:
        assert rejection.reason == "bad_url" and rejection.message


@FUZZ
@given(body=st.one_of(feeds(), st.binary(max_size=300)), since=SINCE)
def test_feed_reader_gives_a_discovery_or_one_ingest_error(
    body: bytes, since: datetime | None
) -> None:
    try:
        found = parse_feed(SOURCE, body, url=FEED_URL, since=since)
    except IngestError:
        return
    _usable(found)


@FUZZ
@given(body=st.one_of(sitemaps(), st.binary(max_size=300)), since=SINCE)
def test_sitemap_reader_gives_a_discovery_or_one_ingest_error(
    body: bytes, since: datetime | None
) -> None:
    try:
        sitemap = parse_sitemap(SOURCE, body, since=since)
    except IngestError:
        return
    _usable(sitemap.found)
    assert all(is_http_url(child) for child in sitemap.children)


@FUZZ
@given(url=LINKS, declared=st.one_of(st.none(), LINKS))
def test_urls_from_outside_give_a_url_or_invalid_url(url: str, declared: str | None) -> None:
    try:
        checked = check_url(url)
    except IngestError:
        assert not is_http_url(url)
        return
    assert is_http_url(canonicalize(checked))
    assert is_http_url(choose_canonical(checked, declared))


@FUZZ
@given(body=st.binary(max_size=200), prefix=st.sampled_from([b"", b"\x1f\x8b", b"\x1f\x8b\x08"]))
def test_gunzip_gives_bytes_or_one_fetch_error(body: bytes, prefix: bytes) -> None:
    data = prefix + body
    with contextlib.suppress(IngestError):
        out = gunzip(FEED_URL, data, 1_000)
        assert out is data or len(out) <= 1_000  # as it came, or decompressed within the cap

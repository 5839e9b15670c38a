"""URL canonicalisation: the same article reached by two URLs is one document."""

from __future__ import annotations

import re

import httpx
import pytest

from ingest.config import FetchSettings
from ingest.errors import InvalidURL
from ingest.fetch import Fetcher
from ingest.urls import canonicalize, check_url, choose_canonical, host_of, is_http_url, join

SAME = [
    "https://kukarkab.go.id/berita/rapat-bawaslu",
    "HTTPS://KUKARKAB.GO.ID:443/berita/rapat-bawaslu",
    "https://kukarkab.go.id/berita/rapat-bawaslu#komentar",
    "https://kukarkab.go.id/berita/rapat-bawaslu?utm_source=facebook&utm_medium=social",
    "https://kukarkab.go.id/berita/rapat-bawaslu?fbclid=IwAR0abc&gclid=xyz",
    " https://kukarkab.go.id/berita/rapat-bawaslu ",
]


@pytest.mark.parametrize("url", SAME)
def test_variants_collapse(url: str) -> None:
    assert canonicalize(url) == SAME[0]


def test_meaningful_query_kept_and_sorted() -> None:
    assert canonicalize("http://x.id/read?p=12&id=3&utm_campaign=a") == "http://x.id/read?id=3&p=12"
    assert canonicalize("http://x.id:8080/a") == "http://x.id:8080/a"
    assert canonicalize("http://x.id") == "http://x.id/"
    assert canonicalize("file:///tmp/a.html") == "file:///tmp/a.html"


def test_choose_canonical_rules() -> None:
    fetched = "https://m.kukarkab.go.id/berita/1?utm_source=wa"
    assert choose_canonical(fetched, "https://www.kukarkab.go.id/berita/rapat") == (
        "https://www.kukarkab.go.id/berita/rapat"
    )
    assert choose_canonical(fetched, "/berita/rapat#top") == "https://m.kukarkab.go.id/berita/rapat"
    assert (
        choose_canonical(fetched, "https://spam.example/x") == "https://m.kukarkab.go.id/berita/1"
    )
    assert choose_canonical(fetched, "javascript:void(0)") == "https://m.kukarkab.go.id/berita/1"
    assert choose_canonical(fetched, None) == "https://m.kukarkab.go.id/berita/1"


def test_host_of() -> None:
    assert host_of("https://WWW.Eksposisi.com/a") == "eksposisi.com"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://kukar.example\\@evil.example/", "backslash"),
        ("http://kukar.example\\berita/1", "backslash"),
        ("http://[::1/berita", "IPv6"),
        ("http://kukar.example:99999/", "Port out of range"),
        ("http://kukar example.id/", "no host name holds"),
        ("ftp://kukar.example/a", "not an http(s) URL"),
        ("http:///berita/1", "no host"),
        ("/berita/1", "not an http(s) URL"),
        ("http://kukar.example/\ud800", "not a valid URL"),
    ],
)
def test_urls_that_cannot_be_requested(url: str, why: str) -> None:
    with pytest.raises(InvalidURL, match=re.escape(why)) as caught:
        check_url(url)
    assert caught.value.error_class == "bad_url" and caught.value.url == url
    assert not is_http_url(url)
    assert canonicalize(url) == url.strip()  # left as it is, for the fetcher to refuse


def test_join_and_choose_canonical_with_broken_references() -> None:
    with pytest.raises(InvalidURL):
        join("https://kukar.example/berita/", "http://[::1/x")
    assert join("https://kukar.example/berita/", "2") == "https://kukar.example/berita/2"
    fetched = "https://kukar.example/berita/1"
    assert choose_canonical(fetched, "http://[::1/x") == fetched
    assert choose_canonical(fetched, "https://kukar.example\\@evil.example/x") == fetched


@pytest.mark.parametrize(
    ("fetched", "declared", "stored"),
    [
        # the same page: kept as declared
        ("https://k.example/amp/berita/rakor-pilkada", "/berita/rakor-pilkada", "declared"),
        ("https://k.example/berita/rakor-pilkada/amp/", "/berita/rakor-pilkada", "declared"),
        ("https://k.example/2024/11/rakor-pilkada.html", "/berita/rakor-pilkada", "declared"),
        (
            "https://m.kukarkab.go.id/berita/rakor-pilkada",
            "https://www.kukarkab.go.id/berita/rakor-pilkada",
            "declared",
        ),
        ("https://k.example/?p=12", "/berita/rapat-bawaslu", "declared"),
        ("https://k.example/berita/12", "/berita/12-rapat-bawaslu", "declared"),
        # other content: the page keeps its own address
        ("https://k.example/berita/rakor-pilkada", "/", "fetched"),
        ("https://k.example/tentang-kami", "https://k.example/", "fetched"),
        ("https://k.example/berita/12", "https://k.example/", "fetched"),
        ("https://k.example/daerah/kukar/rakor-pilkada", "/daerah/kukar/", "fetched"),
        ("https://k.example/daerah/kukar/rakor-pilkada", "/daerah", "fetched"),
        ("https://k.example/berita/12", "/berita/", "fetched"),
        ("https://k.example/berita/rakor-pilkada", "/kategori/daerah", "fetched"),
        ("https://k.example/berita/rakor-pilkada", "/berita/rapat-bawaslu", "fetched"),
        ("https://k.example/berita/1", "/kategori/daerah", "fetched"),
        ("https://k.example/?page_id=5", "/tentang", "fetched"),
        # but a page of words declaring itself through its AMP view is the same page
        ("https://k.example/amp/daerah/kukar", "/daerah/kukar", "declared"),
        ("https://k.example/2024/11/09/rakor", "/berita/2024/11/09/rakor", "declared"),
    ],
)
def test_canonical_with_other_content_is_ignored(fetched: str, declared: str, stored: str) -> None:
    expected = canonicalize(join(fetched, declared)) if stored == "declared" else fetched
    assert choose_canonical(fetched, declared) == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/berita/\x00", "http://0177.0.0.1/berita/1", "http://[::1/x"]
)
async def test_a_transport_of_httpx_refusing_a_url_fails_that_url_alone(url: str) -> None:
    """The demo's mirror and a caller's transport go through httpx, whose URL parser is
    stricter than the network client's: its refusal is an InvalidURL, not a crash."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html></html>"))
    settings = FetchSettings(retries=0, per_host_delay=0, respect_robots=False)
    async with Fetcher(settings, transport=transport) as fetcher:
        with pytest.raises(InvalidURL):
            await fetcher.get(url)

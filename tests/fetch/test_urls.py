"""URL canonicalisation: the same article reached by two URLs is one document."""

from __future__ import annotations

import pytest

from ingest.urls import canonicalize, choose_canonical, host_of

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

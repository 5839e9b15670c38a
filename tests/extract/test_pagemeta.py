"""Title, author and site name read with trafilatura's rules, without the parts not used, give
what trafilatura's own ``extract_metadata`` gives."""

from __future__ import annotations

from pathlib import Path

from trafilatura.metadata import extract_metadata
from trafilatura.utils import decode_file, load_html

from ingest.clean.pagemeta import read_metadata

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "tests" / "fixtures" / "anpandu" / "html").rglob("*.html")),
    *sorted((ROOT / "demo" / "web").rglob("*.html")),
]
HEADS = [
    # OpenGraph first, the last one of a kind wins; a one-word meta author is dropped
    """<meta name="title" content="Judul Meta"><meta property="og:title" content="Judul OG">
    <meta property="og:title" content="Judul OG Kedua"><meta name="author" content="Redaksi">
    <meta name="twitter:site" content="@kukarkab"><meta property="og:site_name" content=" ">""",
    # authors accumulate; publisher before the twitter fallback; twitter:url when no og:url
    """<meta property="article:author" content="Dini Teja"><meta itemprop="author"
    content="Nur Imansyah"><meta name="application-name" content="Aplikasi Kukar">
    <meta name="twitter:url" content="https://kukarkab.go.id/berita/x">
    <meta itemprop="headline" content="Rakor &amp; Sinergi <b>Pilkada</b>">""",
    # no declarations: the title from the headings, the site name from <title> or the address
    """<title>Sekda Kukar Buka Rakor | Tenggarongpos.com</title>""",
    """<title>Sekda Kukar Buka Rakor</title><link rel="canonical" href="https://www.kab.id/b">
    <meta property="OG:title" content="diabaikan"><meta name="keywords" content="a, b">""",
]


def _by_trafilatura(tree: object, url: str) -> tuple[str | None, ...]:
    document = extract_metadata(tree, url)
    return document.title, document.author, document.sitename


def _ours(tree: object, url: str) -> tuple[str | None, ...]:
    metadata = read_metadata(tree, url)  # type: ignore[arg-type]
    return metadata.title, metadata.author, metadata.site_name


def test_saved_pages_get_trafilaturas_title_author_and_site_name() -> None:
    authors = 0
    for path in PAGES:
        text = decode_file(path.read_bytes())
        tree = load_html(text)
        if tree is None:
            continue
        url = f"https://www.example.test/{path.name}"
        assert _ours(tree, url) == _by_trafilatura(tree, url), path.name
        authors += _ours(tree, url)[1] is not None
    assert authors >= 15


def test_meta_elements_are_read_in_trafilaturas_order() -> None:
    found = []
    for head in HEADS:
        text = f"<html><head>{head}</head><body><h1>Sekda Kukar Buka Rakor Pilkada</h1><p>Isi "
        text += (
            "berita yang cukup panjang.</p><div class='author'>Oleh Dini Teja</div></body></html>"
        )
        tree = load_html(text)
        assert tree is not None
        ours = _ours(tree, "https://kab.example/berita/1")
        assert ours == _by_trafilatura(tree, "https://kab.example/berita/1"), head
        found.append(ours)
    assert found == [
        ("Judul OG Kedua", "Oleh Dini Teja", "Kukarkab"),
        ("Rakor & Sinergi Pilkada", "Dini Teja; Nur Imansyah", "Aplikasi Kukar"),
        ("Sekda Kukar Buka Rakor Pilkada", "Oleh Dini Teja", "Tenggarongpos.com"),
        ("Sekda Kukar Buka Rakor Pilkada", "Oleh Dini Teja", "kab.id"),
    ]


def test_only_attributes_and_elements_that_can_name_an_author_start_the_search() -> None:
    text = "<html><head><title>Rakor</title></head><body><div class='penulis'>Redaksi</div>"
    text += "<p>Isi berita dari writer dan author tamu.</p></body></html>"
    tree = load_html(text)
    assert tree is not None
    assert _ours(tree, "https://kab.example/b")[1] is None
    named = text.replace("penulis", "post-author")
    named_tree = load_html(named)
    assert _ours(named_tree, "https://kab.example/b")[1] == "Redaksi"

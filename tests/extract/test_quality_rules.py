"""Second-round cleaning rules: dash-less datelines, captions above the dateline, section
labels in titles, embedded posts, structural listing detection and photo pages' captions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml.html import fromstring

from ingest.clean.caption import gallery_caption
from ingest.clean.chrome import drop_embedded_posts, drop_inline_related
from ingest.clean.credits import split_syndication
from ingest.clean.dateline import split_dateline
from ingest.clean.pagekind import listing_reason_from_text
from ingest.clean.teasers import teaser_cards
from ingest.clean.title import clean_title
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "anpandu"
DEMO = Path(__file__).resolve().parents[2] / "demo" / "web"
NEXT = "Rapat itu dihadiri unsur Forkopimda."


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("TENGGARONG, tenggarongpos – Sekretaris Daerah membuka", "TENGGARONG, tenggarongpos",
         "Sekretaris Daerah membuka"),
        ("KUTAI KARTANEGARA (KaltimRaya) – Sekda Kukar", "KUTAI KARTANEGARA (KaltimRaya)",
         "Sekda Kukar"),
        ("Tenggarong, Pemerintah Kabupaten (Pemkab) Kutai Kartanegara", "Tenggarong",
         "Pemerintah Kabupaten (Pemkab) Kutai Kartanegara"),
        ("Liputan6.com, Jakarta London Love Story, film kedua", "Liputan6.com, Jakarta",
         "London Love Story, film kedua"),
    ],
)  # fmt: skip
def test_dash_and_dashless_datelines(first: str, dateline: str, rest: str) -> None:
    result = split_dateline([first, NEXT])
    assert (result.dateline, result.lines) == (dateline, [rest, NEXT])


@pytest.mark.parametrize(
    "first",
    [
        "Tenggarong, Samarinda dan Bontang mendapat kuota pupuk terbesar.",
        "Samarinda, Kutai Kartanegara dan Bontang menggelar rakor.",
        "Tenggarong, ibu kota Kukar, menjadi tuan rumah.",
        "Tenggarong menjadi tuan rumah Erau tahun ini.",
        "Pemerintah, kata dia, sudah menyiapkan anggaran.",
    ],
)
def test_a_sentence_opening_with_a_place_keeps_it(first: str) -> None:
    result = split_dateline([first, NEXT])
    assert (result.dateline, result.lines) == (None, [first, NEXT])


def test_a_caption_above_the_dateline_is_dropped() -> None:
    caption = "Penyidik menyerahkan senjata ke Kejaksaan Negeri Lhoksukon, Rabu (4/11/2015)"
    lead = "LHOKSEUMAWE, KOMPAS.com – Penyidik Polres Lhokseumawe melimpahkan Faisal."
    result = split_dateline([caption, lead, NEXT])
    assert result.dateline == "LHOKSEUMAWE, KOMPAS.com"
    assert result.lines == ["Penyidik Polres Lhokseumawe melimpahkan Faisal.", NEXT]


def test_a_lead_paragraph_is_never_dropped_for_a_later_comma_place() -> None:
    lines = ["Sekda membuka rapat di Tenggarong.", "Jakarta, Kemendagri juga hadir.", NEXT]
    assert split_dateline(lines).lines == lines


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FOTO: Dian Sastrowardoyo Saat Berusia 13 Tahun - KapanLagi.com",
         "Dian Sastrowardoyo Saat Berusia 13 Tahun"),
        ("In Picture: KPK Periksa Pejabat MA | Republika Online", "KPK Periksa Pejabat MA"),
        ("Tri Indonesia: Broadband Dorong Ekosistem Digital", "Tri Indonesia: Broadband Dorong "
         "Ekosistem Digital"),
    ],
)  # fmt: skip
def test_title_loses_section_label_and_site_name(raw: str, expected: str) -> None:
    assert clean_title(raw, url="https://www.kapanlagi.com/x", site_name="Republika") == expected


def test_embedded_post_and_its_signature_are_removed() -> None:
    lines = [
        NEXT,
        "A standing ovation for 12-year-old @_JoeyAlexander! #GRAMMYs",
        "— The GRAMMYs (@TheGRAMMYs) February 16, 2016",
        "Load More...",
    ]
    assert drop_inline_related(drop_embedded_posts(lines)) == [NEXT]


def test_comment_disclaimer_with_a_spaced_colon_is_removed() -> None:
    line = "Disclaimer : Komentar adalah tanggapan pribadi, tidak mewakili kebijakan redaksi."
    assert drop_inline_related([NEXT, line]) == [NEXT]


def test_syndication_outlet_stops_before_a_lowercase_word() -> None:
    footer = split_syndication([NEXT, "Artikel ini telah tayang di kukarkab.go.id dengan judul X"])
    assert footer.syndicated_from == "kukarkab.go.id"


def test_truncated_excerpts_read_as_a_listing() -> None:
    teasers = [
        "Tenggarong, Pemkab Kukar menghadiri Rapat […]",
        "Tenggarong – Sekda Kukar membuka Rapat Koordinasi […]",
    ]
    assert listing_reason_from_text(teasers) == "listing"
    assert listing_reason_from_text([NEXT, "Ia menambahkan, ...", NEXT, NEXT]) is None


def test_teaser_cards_hold_excerpts_not_an_article_body() -> None:
    cards = "".join(
        f"<div class='card'><h3><a href='/berita/{i}'>Judul berita nomor {i} yang panjang</a>"
        f"</h3><p>Ringkasan berita nomor {i} tentang rapat di Tenggarong.</p></div>"
        for i in range(4)
    )
    page = fromstring(f"<html><body><main>{cards}</main></body></html>")
    lines = [f"Ringkasan berita nomor {i} tentang rapat di Tenggarong." for i in range(4)]
    found = teaser_cards(page, lines, url="https://x.test/", min_words=4, max_chars=600)
    assert (found.cards, found.share) == (4, 1.0)
    body = "".join(f"<div>{NEXT} Bagian {i}.</div>" for i in range(6))
    box = "<div class='baca'>BACA JUGA: <a href='/lain'>Judul berita lain yang panjang</a></div>"
    article = fromstring(f"<html><body><article>{body}{box}{body}</article>{cards}</body></html>")
    lines = [f"{NEXT} Bagian {i}." for i in range(6)] * 2
    found = teaser_cards(article, lines, url="https://x.test/a", min_words=4, max_chars=600)
    assert found.cards == 0


def test_gallery_caption_prefers_figcaptions_each_once() -> None:
    caption = "Penyanyi Taylor Swift memeluk Selena Gomez di karpet merah."
    page = fromstring(
        "<html><head><meta property='og:description' content='Ringkasan yang terpotong ...'>"
        f"</head><body><figure><figcaption>{caption}</figcaption></figure>"
        f"<figure><figcaption>{caption}</figcaption></figure></body></html>"
    )
    assert gallery_caption(page, "") == caption
    bare = fromstring("<html><head><meta name='description' content='Ringkasan terpotong ...'>")
    assert gallery_caption(bare, "") == ""


def _anpandu(name: str) -> tuple[bytes, dict[str, str]]:
    records = json.loads((FIXTURES / "ground_truth.json").read_text())["records"]
    record = next(r for r in records if r["local_file"].endswith(name))
    return (FIXTURES / record["local_file"]).read_bytes(), record


def test_photo_page_is_rejected_by_default_and_kept_with_its_caption_on_request() -> None:
    html, record = _anpandu("liputan6-singlepage3.html")
    with pytest.raises(NotAnArticle) as rejected:
        extract_article(html, url=record["url"], outlet="liputan6.com", settings=ExtractSettings())
    assert rejected.value.reason == "gallery"
    kept = extract_article(
        html,
        url=record["url"],
        outlet="liputan6.com",
        settings=ExtractSettings(reject_galleries=False),
    )
    assert kept.text.startswith("Penyanyi Taylor Swift (kanan) memeluk Selena Gomez")
    assert "Rihanna" not in kept.text


def test_kompas_caption_no_longer_leaks_into_the_body() -> None:
    html, record = _anpandu("kompas-singlepage.html")
    article = extract_article(
        html, url=record["url"], outlet="kompas.com", settings=ExtractSettings()
    )
    assert article.dateline == "LHOKSEUMAWE, KOMPAS.com"
    assert article.text.startswith("Penyidik Polres Lhokseumawe melimpahkan Faisal")


def test_listings_are_rejected_without_url_clues_and_demo_articles_kept() -> None:
    settings = ExtractSettings(reject_listing_urls=False)
    html, _ = _anpandu("kompas-mainpage.html")
    with pytest.raises(NotAnArticle):
        extract_article(html, url="http://www.kompas.com/", outlet="kompas.com", settings=settings)
    home = (DEMO / "kukarkab.go.id" / "index.html").read_bytes()
    with pytest.raises(NotAnArticle) as rejected:
        extract_article(home, url="https://kukarkab.go.id/", outlet="x", settings=settings)
    assert rejected.value.reason == "listing"
    for path in DEMO.rglob("*.html"):
        relative = path.relative_to(DEMO).as_posix()
        if relative.count("/") == 1 or relative.endswith("feed/index.html"):
            continue
        article = extract_article(
            path.read_bytes(), url=f"https://{relative}", outlet="x", settings=settings
        )
        assert article.text


def test_demo_copy_dateline_is_split_off() -> None:
    path = next((DEMO / "tenggarongpos.example" / "daerah").rglob("index.html"))
    url = "https://" + path.relative_to(DEMO).as_posix().removesuffix("index.html")
    article = extract_article(path.read_bytes(), url=url, outlet="x", settings=ExtractSettings())
    assert article.dateline == "TENGGARONG, tenggarongpos"
    assert article.text.startswith("Sekretaris Daerah (Sekda) Kutai Kartanegara")

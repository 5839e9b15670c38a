"""Articles told from listings by what each page is, on pages built like real outlets' ones:
paragraphs each in a <div>, briefs, titles that name a section, home pages of teaser cards."""

from __future__ import annotations

import json

import pytest

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article
from ingest.records import Article

SETTINGS = ExtractSettings()
URL = "https://www.wowkeren.test/berita/tampil/00512345.html"
SENTENCES = [
    "Sekretaris Daerah Kutai Kartanegara Sunggono membuka rapat koordinasi lintas sektoral.",
    "Rapat digelar di Gedung PKM Tenggarong Seberang dan dihadiri camat serta kepala desa.",
    "Ia meminta seluruh pihak menjaga situasi tetap kondusif menjelang hari pemungutan suara.",
    "Kapolres dan Dandim yang hadir menyatakan siap mengamankan seluruh tahapan pilkada.",
    "Bawaslu mengingatkan aparatur sipil negara agar menjaga netralitas selama masa kampanye.",
    "Rapat ditutup dengan penandatanganan komitmen bersama untuk pilkada damai di Kukar.",
]
SIDEBAR = "".join(
    f"<li><a href='/berita/tampil/0051{i:04d}.html'>Artis Ini Ungkap Kisah Haru Jelang "
    f"Konser Nomor {i}</a></li>"
    for i in range(10)
)


def _page(body: str, *, title: str, head: str = "", sidebar: str = SIDEBAR) -> str:
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{title} - Situs"
        f"</title>{head}</head><body><header><nav><a href='/'>Beranda</a> "
        f"<a href='/berita/'>Berita</a></nav></header><main><h1>{title}</h1>{body}</main>"
        f"<aside><h3>Berita Terpopuler</h3><ul>{sidebar}</ul></aside>"
        f"<footer><p>&copy; 2024 Situs</p></footer></body></html>"
    )


def _extract(html: str, url: str = URL) -> Article:
    return extract_article(html, url=url, outlet="situs.test", settings=SETTINGS)


def test_paragraphs_each_in_a_div_without_a_long_one_are_an_article() -> None:
    body = "<div class='content'>" + "".join(
        f"<div class='para'>{s} {s}</div>" for s in SENTENCES
    ) + "</div>"  # fmt: skip
    article = _extract(_page(body, title="Sekda Kukar Buka Rakor Lintas Sektoral"))
    for sentence in SENTENCES:
        assert sentence in article.text
    assert "Konser Nomor" not in article.text
    assert not article.short


def test_a_section_word_in_the_title_does_not_reject_an_article() -> None:
    body = "".join(f"<p>{s} {s}</p>" for s in SENTENCES)
    article = _extract(_page(body, title="Berita Terkini: Sekda Kukar Buka Rakor"))
    assert SENTENCES[0] in article.text


BRIEF = "TENGGARONG – Jembatan Kartanegara ditutup sementara pukul 14.00 WITA karena perbaikan."
LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Jembatan Kartanegara Ditutup Sementara",
    "datePublished": "2024-09-03T13:40:00+08:00",
}


@pytest.mark.parametrize(
    "head",
    [
        f"<script type='application/ld+json'>{json.dumps(LD)}</script>",
        "<meta property='og:type' content='article'>",
        "",  # a dateline alone shows it is an article
    ],
    ids=["json-ld", "og-type", "dateline"],
)
def test_a_brief_is_stored_and_marked_short(head: str) -> None:
    page = _page(f"<div class='detail'><p>{BRIEF}</p></div>", title="Jembatan Ditutup", head=head)
    article = _extract(page)
    assert article.short
    assert article.text == BRIEF.removeprefix("TENGGARONG – ")


def test_a_short_page_that_shows_no_article_is_too_short() -> None:
    page = _page("<p>Hubungi redaksi kami melalui surel.</p>", title="Kontak")
    with pytest.raises(NotAnArticle) as caught:
        _extract(page, "https://situs.test/kontak")
    assert caught.value.reason == "too_short"


CARDS = "".join(
    f"<div class='card'><a href='/berita/{i}'><img src='/{i}.jpg' alt=''></a>"
    f"<h2><a href='/berita/{i}'>Pemkab Kukar Gelar Kegiatan Nomor {i} di Tenggarong</a></h2>"
    f"<span class='date'>Selasa, 3 September 2024</span>"
    f"<p>{SENTENCES[i % len(SENTENCES)]}</p></div>"
    for i in range(6)
)


@pytest.mark.parametrize("og_type", ["article", "website"])
def test_a_page_of_teaser_cards_is_a_listing_whatever_it_declares(og_type: str) -> None:
    head = f"<meta property='og:type' content='{og_type}'>"
    page = _page(f"<section class='latest'>{CARDS}</section>", title="Kukar", head=head)
    with pytest.raises(NotAnArticle) as caught:
        _extract(page, "https://situs.test/kukar-terkini")
    assert caught.value.reason == "listing"
    assert "teaser cards" in str(caught.value)


def test_a_home_page_with_one_teaser_is_a_listing() -> None:
    card = (
        "<article class='post'><h2><a href='/2024/09/sekda-buka-rakor/'>Sekda Kukar Buka Rakor "
        "Lintas Sektoral Pilkada</a></h2>"
        f"<p>{BRIEF} {SENTENCES[0]} {SENTENCES[1]}</p></article>"
    )
    page = _page(
        card, title="Berita Kukar Hari Ini", head="<meta property='og:type' content='website'>"
    )
    with pytest.raises(NotAnArticle) as caught:
        _extract(page, "https://situs.test/beranda-kukar")
    assert caught.value.reason == "listing"


SCHEDULE = [
    "Berikut jadwal lengkap MotoGP Belanda 2017 di Sirkuit Assen akhir pekan ini.",
    "Jumat (23/6/2017) Latihan bebas pertama pukul 14.55 WIB",
    "Jumat (23/6/2017) Latihan bebas kedua pukul 19.05 WIB",
    "Sabtu (24/6/2017) Latihan bebas ketiga pukul 14.55 WIB",
    "Sabtu (24/6/2017) Kualifikasi pukul 19.10 WIB",
    "Minggu (25/6/2017) Balapan pukul 19.00 WIB",
    "Valentino Rossi berharap bisa tampil lebih baik daripada seri sebelumnya di Catalunya.",
]


def test_a_schedule_article_whose_lines_carry_times_is_an_article() -> None:
    head = "<meta property='og:type' content='article'>"
    body = "".join(f"<p>{line}</p>" for line in SCHEDULE)
    article = _extract(_page(body, title="Jadwal MotoGP Belanda 2017", head=head))
    assert article.text.split("\n") == SCHEDULE


def test_a_column_of_stamps_whose_headlines_the_extractor_left_out_is_a_listing() -> None:
    stamps = "".join(
        f"<div class='item'><h2><a href='/berita/{i}'>Judul berita nomor {i} hari ini</a></h2>"
        f"<span class='date'>Senin, {i + 1} Mei 2017 0{i}:05 WIB</span></div>"
        for i in range(9)
    )
    page = _page(
        stamps, title="Berita Nasional", head="<meta property='og:type' content='website'>"
    )
    with pytest.raises(NotAnArticle) as caught:
        _extract(page, "https://situs.test/nasional-terkini")
    assert caught.value.reason in {"listing", "no_text"}


def test_a_brief_whose_slug_names_a_video_is_not_a_gallery() -> None:
    page = _page(f"<div class='detail'><p>{BRIEF}</p></div>", title="Istana Bantah Video")
    article = _extract(page, "https://situs.test/berita/3415/istana-bantah-video-kecelakaan")
    assert article.short
    with pytest.raises(NotAnArticle) as caught:
        _extract(page, "https://situs.test/video/3415/istana-bantah-kecelakaan")
    assert caught.value.reason == "gallery"

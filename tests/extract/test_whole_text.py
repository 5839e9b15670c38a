"""The article comes out whole: around an in-article "BACA JUGA" box that splits its container
in two, with a list article's "Label: value" lines, and with a lead paragraph that has no full
stop after its dateline; the cleaning rules remove only what they name."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text
from ingest.config import ExtractSettings
from ingest.extract import extract_article

PARAGRAPHS = [
    f"Paragraf {word} menjelaskan bahwa Menteri Dalam Negeri meminta seluruh kepala daerah "
    "menyiapkan anggaran pilkada dengan tertib dan transparan sesuai aturan yang berlaku."
    for word in ("pertama", "kedua", "ketiga", "keempat", "kelima", "keenam", "ketujuh")
]
BOX = (
    "<div class='baca-juga'><span>BACA JUGA:</span><ul>"
    "<li><a href='/news/1'>Mendagri Tito Minta Kepala Daerah Siapkan Anggaran</a></li>"
    "<li><a href='/news/2'>KPU Umumkan Jadwal Tahapan Pilkada Serentak</a></li></ul></div>"
)
POPULAR = "".join(
    f"<li><a href='/news/p{i}'>Berita populer nomor {i} hari ini di jpnn</a></li>" for i in range(8)
)


def _jpnn(split_at: int) -> str:
    """A page whose body container is closed before the box and opened again after it."""
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:split_at])
    second = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[split_at:])
    return (
        "<html><head><title>Mendagri Minta Anggaran Pilkada</title>"
        "<meta property='og:type' content='article'></head><body><nav><a href='/'>Home</a></nav>"
        "<div class='row'><div class='col-8'><h1>Mendagri Minta Anggaran Pilkada</h1>"
        f"<div class='page-content'>{first}</div>{BOX}<div class='page-content'>{second}</div>"
        f"</div><div class='col-4'><ul>{POPULAR}</ul></div></div></body></html>"
    )


@pytest.mark.parametrize("precision", [True, False])
@pytest.mark.parametrize("split_at", [2, 3, 4, 6])
def test_an_in_article_box_does_not_cut_the_article(split_at: int, precision: bool) -> None:
    settings = ExtractSettings(favor_precision=precision)
    article = extract_article(
        _jpnn(split_at), url="https://www.jpnn.com/news/mendagri", outlet="jpnn.com",
        settings=settings,
    )  # fmt: skip
    assert article.text.split("\n") == PARAGRAPHS
    assert "BACA JUGA" not in article.text
    assert "Siapkan Anggaran" not in article.text
    assert "populer" not in article.text


LIST_ARTICLE = [
    "Kutai Kartanegara punya banyak tempat wisata alam yang bisa dikunjungi saat libur.",
    "Berikut tiga di antaranya beserta harga tiket dan jam bukanya.",
    "1. Pulau Kumala",
    "Lokasi: Tenggarong, tepi Sungai Mahakam",
    "Harga tiket: Rp 15.000 per orang",
    "Jam buka: 08.00-17.00 WITA",
    "2. Bukit Bengkirai",
    "Lokasi: Samboja",
    "Harga tiket: Rp 20.000",
    "3. Waduk Panji Sukarame",
    "Lokasi: Tenggarong",
    "Jam buka: setiap hari",
]
RELATED = [
    "Sekda Kukar: Sinergi Wujudkan Pilkada Serentak 2024 Aman Dan Partisipatif",
    "Kukar",
    "Bupati Tinjau Jalan Desa Yang Rusak Di Kecamatan Loa Kulu",
]


def test_list_lines_are_kept_and_related_titles_after_them_removed() -> None:
    cleaned = clean_text("\n".join([*LIST_ARTICLE, *RELATED]))
    assert cleaned.lines == LIST_ARTICLE


def test_credits_after_a_list_are_split_off_not_kept_as_list_lines() -> None:
    cleaned = clean_text("\n".join([*LIST_ARTICLE, "Editor: Rudi Hartono"]))
    assert cleaned.lines == LIST_ARTICLE
    assert cleaned.credits == ("Editor: Rudi Hartono",)


def test_a_lead_without_a_full_stop_after_its_dateline_is_kept() -> None:
    lead = "TENGGARONG – Pemkab Kutai Kartanegara menggelar rapat koordinasi di Pendopo Bupati"
    rest = "Rapat itu dihadiri camat se-Kukar dan unsur Forkopimda."
    cleaned = clean_text(f"Rakor Pilkada Kukar\n{lead}\n{rest}")
    assert cleaned.dateline == "TENGGARONG"
    assert cleaned.lines == [lead.removeprefix("TENGGARONG – "), rest]


def test_the_outlets_contact_lines_are_removed_a_press_contact_is_kept() -> None:
    body = "PT PLN hari ini resmi mengoperasikan gardu induk baru di Balaraja."
    cleaned = clean_text(
        f"{body}\nKONTAK: humas@pln.co.id\nRedaksi: redaksi[at]detikfinance.com\n"
        "Informasi pemasangan iklan\nhubungi : sales[at]detik.com"
    )
    assert cleaned.lines == [body, "KONTAK: humas@pln.co.id"]

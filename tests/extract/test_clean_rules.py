"""One test (or a few) per cleaning rule."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text
from ingest.clean.chrome import (
    drop_breadcrumbs,
    drop_inline_related,
    drop_leading_headlines,
    drop_share_bars,
    drop_stamp_lines,
    drop_trailing_related,
    strip_ad_markers,
)
from ingest.clean.credits import split_credits, split_syndication
from ingest.clean.dateline import split_dateline
from ingest.clean.unicode import normalise_whitespace, repair_mojibake

BODY = [
    "Sekda Kukar membuka rapat koordinasi lintas sektoral di Tenggarong Seberang.",
    "Rapat itu dihadiri unsur Forkopimda, camat dan kepala desa se-Kukar.",
    "Ia berharap pilkada berjalan aman dan damai, katanya.",
]


@pytest.mark.parametrize(
    "marker",
    [
        "Baca Juga :  Pekan Wisata Ramaikan HUT ke-20 Desa Selangkau",
        "Baca juga: Pemkab Kukar Prioritaskan Sektor Perikanan",
        "BacaJuga",
        "Simak juga: Video Rakor",
        "Lihat juga",
        "Tonton juga: Bupati meninjau jalan",
        "Pilihan Editor",
        "BERITA LAINNYA",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
    ],
)
def test_inline_related_removes_only_its_line(marker: str) -> None:
    lines = [BODY[0], marker, BODY[1], BODY[2]]
    assert drop_inline_related(lines) == BODY


def test_baca_juga_in_the_middle_keeps_the_rest_of_the_article() -> None:
    text = "\n".join(
        [BODY[0], "Baca Juga: Bupati Tinjau Jembatan Sambera", BODY[1], "BacaJuga", BODY[2]]
    )
    cleaned = clean_text(text)
    assert cleaned.lines == BODY


def test_a_sentence_mentioning_baca_juga_later_is_kept() -> None:
    sentence = "Warga diminta membaca juga pengumuman KPU sebelum datang ke TPS."
    assert drop_inline_related([sentence]) == [sentence]


def test_ad_markers_inside_a_paragraph_are_removed_not_the_paragraph() -> None:
    line = (
        "Sekda membuka rapat. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Rapat dihadiri camat."
    )
    assert strip_ad_markers([line]) == ["Sekda membuka rapat. Rapat dihadiri camat."]


def test_breadcrumbs_at_the_top_are_removed() -> None:
    lines = ["Home / Advertorial / Pemerintah", "Beranda » Daerah » Kukar", *BODY]
    assert drop_breadcrumbs(lines) == BODY


def test_share_bars_are_removed() -> None:
    lines = [*BODY[:2], "Share :", "Bagikan: Facebook Twitter WhatsApp", "01", BODY[2]]
    assert drop_share_bars(lines) == BODY


def test_stamp_lines_are_removed_and_returned() -> None:
    lines = ["Senin, 18 November 2024 - 19:15 WIB", BODY[0], "- Kamis, 05/11/2015 09:25 WIB"]
    kept, removed = drop_stamp_lines(lines)
    assert kept == [BODY[0]]
    assert removed == [lines[0], lines[2]]


def test_a_sentence_with_a_date_is_not_a_stamp() -> None:
    line = "Rapat digelar Senin, 18 November 2024 di Pendopo Bupati."
    assert drop_stamp_lines([line]) == ([line], [])


def test_leading_title_and_caption_lines_are_removed() -> None:
    title = "Pjs Bupati Kukar Menghadiri Rakor Pilkada"
    caption = "Rakor Kelancaran Penyelenggaraan Pilkada Serentak 2024"
    lines = [title, caption, caption, *BODY, title]
    assert drop_leading_headlines(lines, title) == BODY


def test_trailing_related_titles_and_categories_are_removed() -> None:
    related = ["Baca Juga", "Pemerintah", "Bupati Edi Tinjau Pusban Loa Tebu", "Advertorial"]
    assert drop_trailing_related([*BODY, *related]) == BODY


def test_mid_article_subheading_is_kept() -> None:
    lines = [BODY[0], "Persaingan", BODY[1], BODY[2]]
    assert drop_trailing_related(lines) == lines


@pytest.mark.parametrize(
    ("last", "body", "credits"),
    [
        (
            "Ia berharap damai. (adv/diskominfo/kukar)",
            "Ia berharap damai.",
            ("(adv/diskominfo/kukar)",),
        ),
        ("dialog.(Prokom01)", "dialog.", ("(Prokom01)",)),
        ("kampanye. (*)", "kampanye.", ("(*)",)),
    ],
)
def test_initials_credit_is_split_off_the_last_paragraph(
    last: str, body: str, credits: tuple[str, ...]
) -> None:
    footer = split_credits([BODY[0], last])
    assert footer.lines == [BODY[0], body]
    assert footer.credits == credits


def test_labelled_credits_and_name_in_capitals_are_split_off() -> None:
    footer = split_credits([*BODY, "DINI TEJA", "Editor: Rudi Hartono", "Pewarta: Ahmad"])
    assert footer.lines == BODY
    assert footer.credits == ("DINI TEJA", "Editor: Rudi Hartono", "Pewarta: Ahmad")


def test_a_closing_parenthesis_in_a_sentence_is_not_a_credit() -> None:
    line = "Dana hibah disalurkan melalui Komisi Pemilihan Umum (KPU)."
    assert split_credits([line]).credits == ()


def test_syndication_footer_keeps_the_named_url() -> None:
    footer = split_syndication(
        [
            *BODY,
            'Artikel ini telah tayang di Kompas.com dengan judul "Rakor Pilkada Kukar".',
            "Klik untuk baca: https://regional.kompas.com/read/2024/09/03/rakor-pilkada.",
        ]
    )
    assert footer.lines == BODY
    assert footer.syndicated_from == "https://regional.kompas.com/read/2024/09/03/rakor-pilkada"


def test_syndication_footer_without_url_keeps_the_outlet() -> None:
    footer = split_syndication([*BODY, "Artikel ini telah tayang di Kaltimpost.id"])
    assert footer.syndicated_from == "Kaltimpost.id"


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("TENGGARONG – Sekda membuka rapat.", "TENGGARONG", "Sekda membuka rapat."),
        (
            "KUTAI KARTANEGARA, eksposisi.com – Pjs Bupati hadir.",
            "KUTAI KARTANEGARA, eksposisi.com",
            "Pjs Bupati hadir.",
        ),
        (
            "Jakarta (ANTARA) - PT Astra meluncurkan ban.",
            "Jakarta (ANTARA)",
            "PT Astra meluncurkan ban.",
        ),
        (
            "Mediaetam.com,Tenggarong – Dalam rangka pilkada.",
            "Mediaetam.com,Tenggarong",
            "Dalam rangka pilkada.",
        ),
        (
            "REPUBLIKA.CO.ID, JAKARTA - Aktris itu berkata.",
            "REPUBLIKA.CO.ID, JAKARTA",
            "Aktris itu berkata.",
        ),
        (
            "KUTAI KRTANEGARA (Amanah Ummat.Com) Tidak dapat dipungkiri.",
            "KUTAI KRTANEGARA (Amanah Ummat.Com)",
            "Tidak dapat dipungkiri.",
        ),
    ],
)
def test_dateline_is_split_off(first: str, dateline: str, rest: str) -> None:
    result = split_dateline([first, BODY[1]])
    assert result.dateline == dateline
    assert result.lines == [rest, BODY[1]]


@pytest.mark.parametrize(
    "first",
    [
        "Presiden Joko Widodo (Jokowi) meresmikan jembatan.",
        "Hal-hal sederhana selalu ia tunjukkan.",
    ],
)
def test_no_dateline_is_left_alone(first: str) -> None:
    assert split_dateline([first]).dateline is None


def test_dateline_alone_on_its_line_joins_the_next() -> None:
    result = split_dateline(["ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) -", BODY[0]])
    assert result.dateline == "ISTANBUL, 23 Februari 2016 (Antara/PRNewswire)"
    assert result.lines == [BODY[0]]


def test_mojibake_is_repaired() -> None:
    assert repair_mojibake("dan â€œkataâ€\x9d mereka") == "dan “kata” mereka"
    assert (
        repair_mojibake("masyarakat Kukar. \u00c2\n“Kita tentu")
        == "masyarakat Kukar. \n“Kita tentu"
    )


def test_whitespace_is_normalised() -> None:
    raw = "  Satu\u00a0\u00a0dua\u200b  \r\n\r\n\n\t tiga  "
    assert normalise_whitespace(raw) == "Satu dua\ntiga"

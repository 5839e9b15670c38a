"""The five seed articles come back from clean_document without their chrome."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import clean_document

SEEDS = Path(__file__).resolve().parents[2] / "demo" / "seeds"
WITA = timezone(timedelta(hours=8))

CASES = {
    "000": (
        datetime(2020, 11, 20, tzinfo=WITA),
        date(2020, 11, 20),
        "Dalam rangka persiapan pemilihan kepala daerah serentak tanggal 9 Desember 2020",
        "dengan tidak menggunakan aset pemerintah dalam pelaksanaan kampanye.",
        ["Mediaetam.com", "BacaJuga", "(*)"],
    ),
    "001": (
        datetime(2024, 11, 9, tzinfo=WITA),
        date(2024, 11, 9),
        # A place followed only by a comma is ambiguous with a sentence opening: kept.
        "Pemerintah Kabupaten (Pemkab) Kutai Kartanegara (Kukar) diwakili",
        "Dalam rakor tersebut juga dilakukan pemaparan materi dari narasumber dan dialog.",
        ["(Prokom01)", "Jelang Pilkada, Bawaslu Gelar Rakor Dengan Stakeholder", "Tenggarong,"],
    ),
    "002": (
        datetime(2024, 11, 18, 19, 15, tzinfo=WITA),
        None,
        "Pejabat Sementara (Pjs) Bupati Kabupaten Kutai Kartanegara (Kukar) Bambang Arwanto",
        "yang damai, demokratis, dan partisipatif,” pungkasnya.",
        [
            "Home / Advertorial",
            "Senin, 18 November 2024 - 19:15 WIB",
            "Pjs Bupati Kukar Menghadiri Rakor",
            "eksposisi.com",
            "Baca Juga",
            "Pekan Wisata Ramaikan HUT",
            "Share :",
            "(adv/diskominfo/kukar)",
            "Bupati Edi Damansyah Tinjau Pusban",
            "PT MHU Raih Peringkat PROPER",
            "\nAdvertorial",
        ],
    ),
    "003": (
        datetime(2024, 9, 3, tzinfo=WITA),
        date(2024, 9, 3),
        "Tidak dapat dipungkiri bahwa pelaksanaan Pemilihan Kepala Daerah (Pilkada)",
        "masyarakat dapat menggunakan hak pilihnya dengan aman,” demikian ujarnya.",
        ["(prokom04)", "Amanah Ummat.Com", "Pemkab Kukar Berharap Pilkada Lancar"],
    ),
    "004": (
        datetime(2024, 9, 3, tzinfo=WITA),
        date(2024, 9, 3),
        "Sekretaris Daerah (Sekda) Kutai Kartanegara (Kukar) Sunggono membuka Rapat Koordinasi",
        "semoga apa yang kita lakukan ini mendapat ridho dari Allah SWT,” demikian ujarnya",
        ["\u00c2", "(prokom04)", "Tenggarong –", "Rakor Lintas Sektoral, Sekda: Sinergi"],
    ),
}


def _seed(key: str) -> str:
    return next(SEEDS.glob(f"{key}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(CASES))
def test_seed_body_without_chrome(key: str) -> None:
    published, event, first, last, chrome = CASES[key]
    article = clean_document(
        _seed(key), url=f"https://example.test/{key}", outlet="example.test",
        settings=ExtractSettings(), published_at=published,
    )  # fmt: skip
    assert article.text.startswith(first)
    assert article.text.endswith(last)
    for piece in chrome:
        assert piece not in article.text
    assert article.event_date == event
    assert article.language == "id"


def test_seed_002_uses_its_printed_stamp_and_not_the_voting_day() -> None:
    article = clean_document(
        _seed("002"), url="https://eksposisi.com/x", outlet="eksposisi.com",
        settings=ExtractSettings(),
    )  # fmt: skip
    assert article.published_at == datetime(
        2024, 11, 18, 19, 15, tzinfo=timezone(timedelta(hours=7))
    )
    assert article.event_date != date(2024, 11, 27)
    assert article.credits == ("(adv/diskominfo/kukar)",)
    assert article.dateline == "KUTAI KARTANEGARA, eksposisi.com"


def test_credits_and_dateline_are_kept_as_fields() -> None:
    article = clean_document(
        _seed("000"), url="https://mediaetam.com/x", outlet="mediaetam.com",
        settings=ExtractSettings(),
    )  # fmt: skip
    assert article.dateline == "Mediaetam.com,Tenggarong"
    assert article.credits == ("(*)",)


def test_naive_publication_time_gets_the_default_zone() -> None:
    article = clean_document(
        _seed("004"), url="https://kukarkab.go.id/x", outlet="kukarkab.go.id",
        settings=ExtractSettings(), published_at=datetime(2024, 9, 3, 10, 0),
    )  # fmt: skip
    assert article.published_at is not None
    assert article.published_at.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    "text", ["", "   \n ", "Baca Juga: Judul lain\nShare :", "Terlalu pendek."]
)
def test_empty_or_short_text_is_not_an_article(text: str) -> None:
    with pytest.raises(NotAnArticle) as caught:
        clean_document(text, url="https://x.test/a", outlet="x.test", settings=ExtractSettings())
    assert caught.value.reason in {"no_text", "too_short"}

"""Indonesian date stamps and the event date written in the text."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ingest.clean.dates import parse_event_date, parse_indonesian_datetime
from ingest.config import ExtractSettings
from ingest.extract import extract_article

PUBLISHED = datetime(2024, 9, 3, 14, 0)


@pytest.mark.parametrize(
    ("stamp", "expected", "offset_hours"),
    [
        ("Senin, 18 November 2024 - 19:15 WIB", datetime(2024, 11, 18, 19, 15), 7),
        ("Kamis, 05/11/2015 09:25 WIB", datetime(2015, 11, 5, 9, 25), 7),
        ("Rabu, 3 Agt 2024 pukul 10.30 WITA", datetime(2024, 8, 3, 10, 30), 8),
        ("Sabtu, 9 Nop 2024 08:00 WIT", datetime(2024, 11, 9, 8, 0), 9),
        ("Rabu tanggal 27 Nopember 2024", datetime(2024, 11, 27), None),
        ("12 Pebruari 2023", datetime(2023, 2, 12), None),
        ("Jum'at, 1 Des 2023", datetime(2023, 12, 1), None),
        ("2016-02-23T14:39:42+07:00", datetime(2016, 2, 23, 14, 39, 42), 7),
    ],
)
def test_parse_indonesian_datetime(
    stamp: str, expected: datetime, offset_hours: int | None
) -> None:
    parsed = parse_indonesian_datetime(stamp)
    assert parsed is not None
    assert parsed.replace(tzinfo=None) == expected
    if offset_hours is None:
        assert parsed.tzinfo is None
    else:
        assert parsed.utcoffset() == timedelta(hours=offset_hours)


def test_wib_and_wita_name_different_instants() -> None:
    wib = parse_indonesian_datetime("Senin, 18 November 2024 - 19:15 WIB")
    wita = parse_indonesian_datetime("Senin, 18 November 2024 - 19:15 WITA")
    assert wib is not None and wita is not None
    assert wib - wita == timedelta(hours=1)


@pytest.mark.parametrize("text", ["tanpa tanggal", "31 Februari 2024", "Senin (45/13)"])
def test_no_date_is_none(text: str) -> None:
    assert parse_indonesian_datetime(text) is None
    assert parse_event_date(text, PUBLISHED) is None


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Sekda membuka Rakor, Selasa (3/9) di Gedung PKM.", PUBLISHED, date(2024, 9, 3)),
        ("di Pendopo Wakil Bupati Kukar, Jumat (20/11/2020).", None, date(2020, 11, 20)),
        ("di Hotel Grand Elty Singgasana, Sabtu (9/11/2024).", PUBLISHED, date(2024, 11, 9)),
        ("Rapat digelar Jum'at (6/9/24) pagi.", None, date(2024, 9, 6)),
        ("Rapat digelar pada Senin, 2 September 2024 di Tenggarong.", PUBLISHED, date(2024, 9, 2)),
        ("Kegiatan berlangsung Rabu tanggal 28 Agustus 2024.", PUBLISHED, date(2024, 8, 28)),
    ],
)
def test_event_date_forms(text: str, published: datetime | None, expected: date) -> None:
    assert parse_event_date(text, published) == expected


def test_year_missing_takes_the_year_whose_calendar_matches_the_day_name() -> None:
    # Published 2 January 2025: "Senin (30/12)" is Monday 30 December 2024.
    assert parse_event_date("rapat Senin (30/12) lalu", datetime(2025, 1, 2)) == date(2024, 12, 30)


def test_year_missing_and_no_publication_date_gives_none() -> None:
    assert parse_event_date("Sekda membuka Rakor, Selasa (3/9).", None) is None


def test_announced_future_date_is_not_the_event() -> None:
    text = (
        "Pemungutan suara akan dilaksanakan 9 hari lagi yaitu pada Hari Rabu tanggal "
        "27 Nopember 2024."
    )
    assert parse_event_date(text, datetime(2024, 11, 18)) is None
    after = "Pilkada pada Rabu, 27 November 2024 mendatang. Rakor digelar Senin, 18 November 2024."
    assert parse_event_date(after, None) == date(2024, 11, 18)


def test_date_after_publication_is_not_the_event() -> None:
    text = "Acara puncak pada Sabtu, 14 September 2024 di Tenggarong."
    assert parse_event_date(text, PUBLISHED) is None
    assert parse_event_date(text, datetime(2024, 9, 20)) == date(2024, 9, 14)


def test_parenthesised_day_wins_over_an_earlier_written_date() -> None:
    text = (
        "Dalam rangka pilkada serentak tanggal 9 Desember 2020, Kesbangpol menggelar rapat "
        "di Pendopo, Jumat (20/11/2020)."
    )
    assert parse_event_date(text, datetime(2020, 11, 20)) == date(2020, 11, 20)


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59-08:00",
        "Jumat, 31 Desember 9999 - 23:00 WIB",
        "01/01/0001 00:00 WITA",
    ],
)
def test_stamps_at_the_ends_of_the_calendar_are_no_date(stamp: str) -> None:
    """A CMS with no date set prints year 1; UTC cannot hold it, so it is no date at all."""
    assert parse_indonesian_datetime(stamp) is None


def test_a_page_dated_year_1_or_9999_is_extracted_undated_or_by_its_other_dates() -> None:
    body = "".join(
        f"<p>Kalimat nomor {n} tentang rapat koordinasi Pilkada di Tenggarong.</p>"
        for n in range(20)
    )
    for stamp in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:00:00-08:00"):
        page = (
            f'<html><head><meta property="article:published_time" content="{stamp}">'
            f"<title>Rapat Koordinasi</title></head><body><article><h1>Rapat Koordinasi</h1>"
            f"<p>Selasa (3/9) rapat digelar.</p>{body}</article></body></html>"
        )
        article = extract_article(
            page, url="https://kukar.example/berita/1", outlet="k", settings=ExtractSettings()
        )
        assert article.published_at is None or 1990 < article.published_at.year < 9999

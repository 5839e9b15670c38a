"""A publication known only to its day is kept as that day, with its precision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ingest.config import ExtractSettings
from ingest.extract import clean_document, extract_article
from ingest.records import Article, Candidate, Precision

SETTINGS = ExtractSettings()
WIB = timezone(timedelta(hours=7))
BODY = "".join(
    f"<p>Sekretaris Daerah Kutai Kartanegara membuka rapat koordinasi lintas sektoral bagian {i} "
    "yang dihadiri camat, lurah, kepala desa dan unsur Forkopimda se-Kukar di Tenggarong.</p>"
    for i in range(4)
)
TEXT = "\n".join(
    "Sekretaris Daerah Kutai Kartanegara membuka rapat koordinasi lintas sektoral yang dihadiri "
    f"camat, lurah, kepala desa dan unsur Forkopimda se-Kukar di Tenggarong, bagian {i}."
    for i in range(4)
)


def _page(head: str = "", stamp: str = "") -> str:
    return (
        f"<html lang='id'><head><title>Sekda Kukar Buka Rakor</title>{head}</head><body>"
        f"<article><h1>Sekda Kukar Buka Rakor</h1>{stamp}{BODY}</article></body></html>"
    )


def _extract(html: str, **hints: object) -> Article:
    return extract_article(
        html, url="https://kukar.test/berita/rakor", outlet="kukar.test", settings=SETTINGS,
        **hints,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("head", "expected", "precision"),
    [
        (
            '<meta property="article:published_time" content="2024-09-04">',
            datetime(2024, 9, 4, tzinfo=UTC),
            Precision.DAY,
        ),
        (
            '<meta property="article:published_time" content="2024-09-04T07:00:00+08:00">',
            datetime(2024, 9, 3, 23, tzinfo=UTC),
            Precision.MINUTE,
        ),
        (
            '<meta itemprop="datePublished" content="Rabu, 4 September 2024">',
            datetime(2024, 9, 4, tzinfo=UTC),
            Precision.DAY,
        ),
    ],
)
def test_a_declared_date_keeps_its_precision(
    head: str, expected: datetime, precision: Precision
) -> None:
    article = _extract(_page(head))
    assert article.published_at == expected
    assert article.published_precision is precision


def test_a_page_dated_by_its_text_alone_is_a_day() -> None:
    article = _extract(_page())
    assert (article.published_at, article.published_precision) == (None, None)
    stamped = _extract(_page(stamp="<p>Rabu, 4 September 2024</p>"))
    assert stamped.published_precision is Precision.DAY
    assert stamped.published_at == datetime(2024, 9, 4, tzinfo=UTC)
    timed = _extract(_page(stamp="<p>Rabu, 4 September 2024 - 07:00 WITA</p>"))
    assert timed.published_precision is Precision.MINUTE
    assert timed.published_at == datetime(2024, 9, 3, 23, tzinfo=UTC)


def test_a_hint_known_to_the_day_stays_that_day() -> None:
    article = _extract(
        _page(), published_hint=datetime(2024, 9, 4, tzinfo=WIB), hint_precision=Precision.DAY
    )
    assert article.published_at == datetime(2024, 9, 4, tzinfo=UTC)
    assert article.published_precision is Precision.DAY
    assert article.event_date is None or article.event_date <= date(2024, 9, 5)


def test_a_plain_text_document_given_a_day() -> None:
    article = clean_document(
        TEXT, url="https://kukar.test/1", outlet="kukar.test", settings=SETTINGS,
        published_at=datetime(2024, 9, 4), published_precision=Precision.DAY,
    )  # fmt: skip
    assert article.published_at == datetime(2024, 9, 4, tzinfo=UTC)
    assert article.published_precision is Precision.DAY


def test_records_keep_a_day_as_its_date_and_no_precision_without_a_time() -> None:
    late = datetime(2024, 9, 4, 23, 30, tzinfo=timezone(timedelta(hours=9)))
    candidate = Candidate(url="u", source="s", outlet="o", published_at=late,
                          published_precision=Precision.DAY)  # fmt: skip
    assert candidate.published_at == datetime(2024, 9, 4, tzinfo=UTC)
    undated = Article(url="u", outlet="o", title=None, text="t",
                      published_precision=Precision.MINUTE)  # fmt: skip
    assert undated.published_precision is None

"""The publication time is the most precise one available: the page's <meta>, its JSON-LD or
its <time>, the feed's or sitemap's entry; a day never wins over a time of the same day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ingest.config import ExtractSettings
from ingest.extract import extract_article
from ingest.records import Article, Precision

SETTINGS = ExtractSettings()
WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
BODY = "".join(
    f"<p>Presiden meresmikan bendungan baru di Jawa Barat bagian {i}, yang akan mengairi "
    "ribuan hektare sawah dan menyediakan air baku bagi warga di tiga kabupaten sekitar.</p>"
    for i in range(4)
)


def _page(head: str = "", before_body: str = "") -> str:
    return (
        f"<html lang='id'><head><title>Presiden Resmikan Bendungan</title>{head}</head><body>"
        f"<article><h1>Presiden Resmikan Bendungan</h1>{before_body}{BODY}</article>"
        "</body></html>"
    )


def _ld(*objects: dict[str, object]) -> str:
    data = {"@context": "https://schema.org", "@graph": list(objects)}
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def _extract(html: str, **hints: object) -> Article:
    return extract_article(
        html, url="https://www.mediaindonesia.test/nusantara/12345/presiden-resmikan",
        outlet="mediaindonesia.test", settings=SETTINGS, **hints,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("stated", ["2024-09-04T06:59:00+07:00", "2024-09-04 06:59:00+07:00"])
def test_a_time_stated_only_in_json_ld_is_kept_to_the_minute(stated: str) -> None:
    head = _ld(
        {"@type": "WebPage", "datePublished": "2024-01-01T00:00:00+07:00"},
        {
            "@type": "NewsArticle",
            "headline": "Presiden Resmikan Bendungan",
            "datePublished": stated,
        },
    )
    article = _extract(_page(head))
    assert article.published_at == datetime(2024, 9, 4, 6, 59, tzinfo=WIB)
    assert article.published_precision is Precision.MINUTE


def test_the_time_element_of_the_article_dates_it() -> None:
    stamp = "<time datetime='2024-09-04T20:19:00+07:00'>Rabu, 4 September 2024</time>"
    article = _extract(_page(before_body=stamp))
    assert article.published_at == datetime(2024, 9, 4, 20, 19, tzinfo=WIB)
    assert article.published_precision is Precision.MINUTE


def test_a_feed_time_refines_a_page_that_states_only_the_day() -> None:
    head = "<meta property='article:published_time' content='2024-09-04'>"
    article = _extract(
        _page(head), published_hint=datetime(2024, 9, 4, 18, 33, tzinfo=WITA),
        hint_precision=Precision.MINUTE,
    )  # fmt: skip
    assert article.published_at == datetime(2024, 9, 4, 18, 33, tzinfo=WITA)
    assert article.published_precision is Precision.MINUTE


def test_a_feed_time_of_another_day_does_not_replace_the_pages_day() -> None:
    head = "<meta property='article:published_time' content='2024-09-04'>"
    article = _extract(
        _page(head), published_hint=datetime(2024, 9, 6, 9, 0, tzinfo=WIB),
        hint_precision=Precision.MINUTE,
    )  # fmt: skip
    assert article.published_at == datetime(2024, 9, 4, tzinfo=UTC)
    assert article.published_precision is Precision.DAY


def test_the_pages_time_wins_over_the_feeds() -> None:
    head = "<meta property='article:published_time' content='2024-09-04T06:59:00+07:00'>"
    article = _extract(
        _page(head), published_hint=datetime(2024, 9, 4, 8, 0, tzinfo=WIB),
        hint_precision=Precision.MINUTE,
    )  # fmt: skip
    assert article.published_at == datetime(2024, 9, 4, 6, 59, tzinfo=WIB)

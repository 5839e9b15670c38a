"""extract_article on saved real pages (quality gate), on the demo pages and on small pages."""

from __future__ import annotations

import json
import re
import statistics
import tomllib
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from ingest.clean.pagekind import listing_reason_from_text
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article

ROOT = Path(__file__).resolve().parents[2]
ANPANDU = ROOT / "tests" / "fixtures" / "anpandu"
DEMO = ROOT / "demo"
SETTINGS = ExtractSettings()
WIB = ZoneInfo("Asia/Jakarta")
RECORDS = json.loads((ANPANDU / "ground_truth.json").read_text())["records"]
ARTICLES = [r for r in RECORDS if r["page_type"] == "article"]
LISTINGS = [r for r in RECORDS if r["page_type"] == "listing"]


def _f1(got: str, expected: str) -> float:
    a = Counter(re.findall(r"\w+", got.casefold()))
    b = Counter(re.findall(r"\w+", expected.casefold()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def _site_root(record: dict[str, str]) -> str:
    site = record["local_file"].split("/")[1]
    url = next(r["url"] for r in ARTICLES if r["local_file"].split("/")[1] == site)
    return f"http://{urlsplit(url).hostname}/"


def _extract(record: dict[str, str], url: str | None = None) -> object:
    html = (ANPANDU / record["local_file"]).read_bytes()
    url = url or record.get("url") or _site_root(record)
    return extract_article(html, url=url, outlet="test", settings=SETTINGS)


@pytest.fixture(scope="module")
def extracted() -> dict[str, object]:
    results: dict[str, object] = {}
    for record in ARTICLES:
        try:
            results[record["local_file"]] = _extract(record)
        except NotAnArticle as exc:
            results[record["local_file"]] = exc
    return results


def test_quality_gate_on_article_pages(extracted: dict[str, object]) -> None:
    scores = []
    for record in ARTICLES:
        article = extracted[record["local_file"]]
        if isinstance(article, NotAnArticle):
            assert "photo" in record["local_file"] or len(record["content"]) < 900, record
            continue
        scores.append(_f1(article.text, record["content"]))  # type: ignore[attr-defined]
    assert len(scores) >= 23
    assert statistics.mean(scores) >= 0.95
    assert min(scores) >= 0.85


def test_every_kept_page_has_the_right_date_title_and_language(
    extracted: dict[str, object],
) -> None:
    titles = 0
    for record in ARTICLES:
        article = extracted[record["local_file"]]
        if isinstance(article, NotAnArticle):
            continue
        published: datetime = article.published_at  # type: ignore[attr-defined]
        assert published.tzinfo is not None
        assert published.astimezone(WIB).date() == date.fromisoformat(record["date_wib"][:10])
        assert article.language == "id"  # type: ignore[attr-defined]
        titles += article.title == record["title"]  # type: ignore[attr-defined]
    assert titles >= 21


@pytest.mark.parametrize("record", LISTINGS, ids=lambda r: Path(r["local_file"]).name)
def test_listing_pages_are_rejected(record: dict[str, str]) -> None:
    with pytest.raises(NotAnArticle) as caught:
        _extract(record)
    assert caught.value.reason in {"listing", "no_text", "too_short"}


def test_photo_page_is_rejected_as_gallery() -> None:
    record = next(r for r in ARTICLES if "detik-singlepage2" in r["local_file"])
    with pytest.raises(NotAnArticle) as caught:
        _extract(record)
    assert caught.value.reason == "gallery"


def test_lead_written_as_loose_text_is_kept(extracted: dict[str, object]) -> None:
    viva = extracted["html/viva/viva-singlepage.html"]
    assert viva.text.startswith("Pianis cilik Indonesia, Joey Alexander")  # type: ignore[attr-defined]
    assert viva.dateline == "VIVA.co.id"  # type: ignore[attr-defined]


def test_related_news_lists_are_removed(extracted: dict[str, object]) -> None:
    detik = extracted["html/detik/detik-singlepage.html"]
    assert "WIB" not in detik.text  # type: ignore[attr-defined]


def test_page_url_is_the_declared_canonical(extracted: dict[str, object]) -> None:
    tempo = extracted["html/tempo/tempo-singlepage.html"]
    assert tempo.page_url == (  # type: ignore[attr-defined]
        "http://gaya.tempo.co/read/news/2015/11/05/060716092/ini-7-alasan-mengapa-orang-malas-bergerak?i=1"
    )


def _page(body: str, *, title: str = "Sekda Kukar Buka Rakor Pilkada", head: str = "") -> str:
    return (
        f"<html lang='id'><head><title>{title}</title>{head}</head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


PARAGRAPHS = "".join(
    f"<p>Sekretaris Daerah Kutai Kartanegara membuka rapat koordinasi lintas sektoral bagian {i} "
    "yang dihadiri camat, lurah, kepala desa dan unsur Forkopimda se-Kukar di Tenggarong.</p>"
    for i in range(4)
)


def test_small_page_with_relative_canonical_and_hint() -> None:
    head = "<link rel='canonical' href='/berita/rakor'>"
    article = extract_article(
        _page(PARAGRAPHS, head=head), url="https://kukar.test/berita/rakor?utm_source=x",
        outlet="kukar.test", settings=SETTINGS, published_hint=datetime(2024, 9, 3, 9, 0),
    )  # fmt: skip
    assert article.page_url == "https://kukar.test/berita/rakor"
    assert article.title == "Sekda Kukar Buka Rakor Pilkada"
    assert article.published_at == datetime(2024, 9, 3, 9, 0, tzinfo=WIB)
    assert article.text.count("\n") == 3


@pytest.mark.parametrize(
    ("title", "body", "url", "reason"),
    [
        (
            "Just a moment...",
            "<p>Checking your browser before accessing.</p>",
            "https://x.test/a/b",
            "anti_bot",
        ),
        ("404 Not Found", "<p>Halaman tidak ditemukan.</p>", "https://x.test/a/b", "error_page"),
        ("Pilkada Kukar", PARAGRAPHS, "https://x.test/tag/pilkada", "tag"),
        ("Pilkada Kukar", PARAGRAPHS, "https://x.test/kategori/politik/page/2", "listing"),
        (
            "Rakor singkat",
            "<p>Rapat digelar hari ini di Tenggarong.</p>",
            "https://x.test/a/b",
            "too_short",
        ),
    ],
)
def test_not_an_article(title: str, body: str, url: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(_page(body, title=title), url=url, outlet="x.test", settings=SETTINGS)
    assert caught.value.reason == reason


def test_a_word_in_the_title_does_not_make_an_article_a_listing() -> None:
    title = "Berita Terkini: Sekda Kukar Buka Rakor Pilkada"
    article = extract_article(
        _page(PARAGRAPHS, title=title), url="https://x.test/a/b", outlet="x.test",
        settings=SETTINGS,
    )  # fmt: skip
    assert "rapat koordinasi lintas sektoral bagian 3" in article.text


def test_column_of_timestamped_teasers_is_a_listing() -> None:
    teasers = [
        f"Bupati meninjau jalan desa nomor {i} yang rusak. {i + 1} jam lalu" for i in range(8)
    ]
    assert listing_reason_from_text(teasers) == "listing"
    assert (
        listing_reason_from_text(teasers[:2] + ["Rapat digelar di Pendopo Bupati Kukar."] * 6)
        is None
    )


def _demo_articles() -> list[dict[str, str]]:
    spec = DEMO / "articles.toml"
    if not spec.exists():
        return []
    return [a for a in tomllib.loads(spec.read_text())["articles"] if "seed" in a]


@pytest.mark.parametrize("spec", _demo_articles(), ids=lambda a: a["id"])
def test_demo_page_returns_the_seed_body_without_chrome(spec: dict[str, str]) -> None:
    path = DEMO / "web" / spec["host"] / spec["path"].lstrip("/")
    page = path / "index.html" if spec["path"].endswith("/") else path
    seed = next((DEMO / "seeds").glob(f"{spec['seed']}_*.txt")).read_text(encoding="utf-8")
    lines = [line.strip() for line in seed.splitlines() if len(line.split()) > 8]
    first_words = " ".join(next(line for line in lines if "." in line).split()[-8:])
    ending = next((ln for ln in lines if spec.get("body_to", "\0") in ln), lines[-1])
    last_words = " ".join(re.sub(r"\s*\([\w/*]+\)\s*$", "", ending).split()[-6:])
    url = f"https://{spec['host']}{spec['path']}"
    article = extract_article(page.read_bytes(), url=url, outlet=spec["host"], settings=SETTINGS)
    assert first_words in article.text.split("\n")[0]
    assert article.text.rstrip().endswith(last_words)
    for chrome in (
        "Baca Juga",
        "BacaJuga",
        "Share",
        "Home /",
        "Beranda",
        *spec.get("breadcrumbs", [])[:1],
    ):
        assert chrome not in article.text
    assert article.published_at == datetime.fromisoformat(spec["published"])
    assert article.page_url is not None

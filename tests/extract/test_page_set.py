"""Quality gate on the labelled page set of ``bench/extraction/pageset.py``, built from the
24 IndoSum articles of the fixtures: every article kept (briefs marked short), whole and dated
to the minute; every section page, column of stamps and home page of teasers rejected."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article
from ingest.records import Article, Precision

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "indosum" / "sample.jsonl"
SETTINGS = ExtractSettings()


def _pageset() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "pageset", ROOT / "bench" / "extraction" / "pageset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pageset"] = module
    spec.loader.exec_module(module)
    return module


PAGESET = _pageset()
ROWS = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
PAGES = PAGESET.build(ROWS * 2, listings=30)  # each article in two templates


def _f1(got: str, expected: str) -> float:
    a = Counter(re.findall(r"\w+", got.casefold()))
    b = Counter(re.findall(r"\w+", expected.casefold()))
    common = sum((a & b).values())
    precision, recall = common / max(sum(a.values()), 1), common / max(sum(b.values()), 1)
    return 2 * precision * recall / (precision + recall) if common else 0.0


def _extract(page: object) -> Article:
    hint = page.hint  # type: ignore[attr-defined]
    return extract_article(
        page.html, url=page.url, outlet=urlsplit(page.url).hostname or "",  # type: ignore[attr-defined]
        settings=SETTINGS, published_hint=hint,
        hint_precision=Precision.MINUTE if hint else None,
    )  # fmt: skip


ARTICLES = [p for p in PAGES if p.expected is not None]
OTHERS = [p for p in PAGES if p.expected is None]


def test_the_set_covers_every_template_and_listing_kind() -> None:
    assert {p.template for p in ARTICLES} == set(PAGESET.TEMPLATES)
    assert {p.template for p in OTHERS} == {"listing_cards", "listing_stamped", "listing_home"}
    assert any(p.short for p in ARTICLES)


def test_every_article_is_kept_whole_and_dated_to_the_minute() -> None:
    scores = []
    for page in ARTICLES:
        article = _extract(page)
        scores.append(_f1(f"{article.dateline or ''}\n{article.text}", page.expected))
        assert article.published_at == page.published, page.url
        assert article.short == page.short, page.url
        assert "Terpopuler" not in article.text and "Berita terkait nomor" not in article.text
    assert statistics.mean(scores) >= 0.97
    assert min(scores) >= 0.9


@pytest.mark.parametrize("page", OTHERS, ids=lambda p: f"{p.template}-{p.url.rsplit('-', 1)[-1]}")
def test_every_page_of_teasers_is_rejected(page: object) -> None:
    with pytest.raises(NotAnArticle) as caught:
        _extract(page)
    assert caught.value.reason in {"listing", "no_text"}

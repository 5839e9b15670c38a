"""The shortcuts extraction takes give the answers of the slow paths they skip."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import ftfy
import py3langid
import pytest

from ingest.clean.language import detect_language
from ingest.clean.unicode import repair_mojibake
from ingest.errors import NotAnArticle

ROOT = Path(__file__).resolve().parents[2]
ANPANDU = json.loads((ROOT / "tests" / "fixtures" / "anpandu" / "ground_truth.json").read_text())
INDOSUM = [
    json.loads(line)["text"]
    for line in (ROOT / "tests" / "fixtures" / "indosum" / "sample.jsonl").read_text().splitlines()
]
SEEDS = [
    json.loads(line)["text"] for line in (ROOT / "demo" / "seeds.jsonl").read_text().splitlines()
]
TEXTS = [*INDOSUM, *SEEDS, *(r["content"] for r in ANPANDU["records"] if r.get("content"))]
JAVANESE = (
    "Bupati nyuwun supaya warga tansah njaga kabersihan lingkungan. Kagiyatan iki dianakake ing "
    "balai desa lan dirawuhi dening para pamong. Warga padha seneng amarga oleh pitulungan saka "
    "pamarentah. Bupati uga ngendika yen program iki bakal diterusake ing taun ngarep kanggo "
    "kabeh desa ing kabupaten."
)


def _ftfy_always(text: str) -> str:
    """The rule without its shortcut: ftfy on every text, then the orphan "Â" removed."""
    fixed = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True)
    return re.sub(r"\u00c2(?=[\s\u00a0]|$)", "", fixed)


def test_mojibake_repair_matches_ftfy_on_real_texts() -> None:
    samples = [*TEXTS, "dan â€œkataâ€\x9d mereka", "Rp 5 &amp; 6", "a\r\nb", "ﬁnal", "x\u2028y"]
    assert [repair_mojibake(t) for t in samples] == [_ftfy_always(t) for t in samples]
    assert repair_mojibake("dan â€œkataâ€\x9d mereka") == "dan “kata” mereka"
    assert repair_mojibake("Rp 5 &amp; 6") == "Rp 5 & 6"


@pytest.mark.parametrize("declared", ["id", "id-ID", None])
def test_language_shortcut_agrees_with_the_classifier(declared: str | None) -> None:
    for text in [*INDOSUM, *SEEDS]:
        full = str(py3langid.classify(text[:2000].strip())[0])
        expected = "id" if full == "ms" and declared else full
        assert detect_language(text, declared=declared) == expected


def test_declared_indonesian_does_not_make_other_languages_indonesian() -> None:
    english = (ROOT / "README.md").read_text()[:3000]
    assert detect_language(english, declared="id") == "en"
    assert detect_language(JAVANESE, declared="id") == "jv"
    assert detect_language("", declared="id-ID") == "id"


def test_not_an_article_survives_a_process_boundary() -> None:
    error = NotAnArticle("https://a.example/kategori/x", "listing", "a list of teasers")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.url, copy.reason, str(copy)) == (error.url, error.reason, str(error))

"""The shortcuts extraction takes give the answers of the slow paths they skip."""

from __future__ import annotations

import json
import pickle
import re
import unicodedata
from pathlib import Path

import ftfy
import py3langid
import pytest

from ingest.clean import dates, language, pagekind
from ingest.clean.chrome import drop_leading_headlines, is_headline_like
from ingest.clean.language import detect_language
from ingest.clean.unicode import repair_mojibake, split_paragraphs
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
    samples = [
        *TEXTS,
        *(text.replace(" dan ", " & ") for text in TEXTS[:5]),
        "dan â€œkataâ€\x9d mereka",
        "Rp 5 &amp; 6",
        "Q&A &copy; 2024 & AT&T;",
        "a < b\nRp 5 &amp; 6\n",
        "Rp 5 &amp; 6\na < b\nRp 7 &amp; 8",
        "baris satu\ndan â€œkataâ€\x9d mereka\nbaris tiga Â\nÂ",
        "x\r\ny\rz\n\nakhir Â",
        *(f"{text}\n€ 5 dan â€™ {text}" for text in TEXTS[:5]),
        "a\r\nb",
        "ﬁnal",
        "x\u2028y",
    ]
    assert [repair_mojibake(t) for t in samples] == [_ftfy_always(t) for t in samples]
    assert repair_mojibake("dan â€œkataâ€\x9d mereka") == "dan “kata” mereka"
    assert repair_mojibake("Rp 5 &amp; 6") == "Rp 5 & 6"
    assert repair_mojibake("Q&A di Tenggarong & sekitarnya") == "Q&A di Tenggarong & sekitarnya"


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


ODD_TEXTS = [
    "Rapat digelar ſenin (3/9) dan Selasa (4/9/2024).",
    "İstanbul, Rabu (5/9): rapat. Kamıs (6/9) juga.",
    "Jum’at (6/9/24) pagi\u2028dan Minggu, 8 September 2024 \x1c sore.",
    "  Satu\u00a0 dua\u200b  \r\n\r\n tiga\u00ad e\u0301 ",
    "JUDUL: Berita Hari Ini!\n— judul, berita hari ini —\nJudul berita hari ini besok.",
    "satu\tdua",
    "x\x0cy\n 12 menit lalu",
    "a\x1fb",
]


@pytest.mark.parametrize("pattern", [dates._PAREN, dates._IN_TEXT])
def test_day_name_scan_finds_what_a_full_scan_finds(pattern: re.Pattern[str]) -> None:
    found = 0
    for text in [*TEXTS, *ODD_TEXTS]:
        expected = [m.span() for m in pattern.finditer(text)]
        starts = dates._day_starts(text)
        assert [m.span() for m in dates._day_matches(pattern, text, starts)] == expected
        found += len(expected)
    assert found >= 4


def _paragraphs_by_regex(text: str) -> list[str]:
    """The whitespace rule without its shortcuts."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def test_paragraph_split_matches_the_regex_rule() -> None:
    for text in [*TEXTS, *ODD_TEXTS]:
        assert split_paragraphs(text) == _paragraphs_by_regex(text)
    assert split_paragraphs(ODD_TEXTS[3]) == ["Satu dua", "tiga \u00e9"]


def _without_title_by_norm(lines: list[str], title: str) -> list[str]:
    """The title-repeat rule without its first-word shortcut."""

    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text).strip().casefold()

    kept = drop_leading_headlines(lines)
    return [line for line in kept if norm(line) != norm(title)] if title else kept


def test_title_repeat_shortcut_drops_what_normalising_every_line_drops() -> None:
    dropped = 0
    for text in [*TEXTS, *ODD_TEXTS]:
        lines = split_paragraphs(text)
        for title in {*lines[:3], f"— {lines[-1].upper()} !", "", "—"}:
            expected = _without_title_by_norm(lines, title)
            assert drop_leading_headlines(lines, title) == expected
            dropped += len(drop_leading_headlines(lines)) - len(expected)
    assert dropped > 10


def _blocked_by_patterns(title: str | None, text: str) -> str | None:
    """The blocked-page rule without its quick look for words."""
    probe = f"{title or ''}\n{text if len(text) < 600 else ''}"
    if pagekind._ANTI_BOT.search(probe):
        return "anti_bot"
    if (title and pagekind._ERROR.search(title)) or (
        len(text) < 600 and pagekind._ERROR.search(text[:200])
    ):
        return "error_page"
    return None


BLOCKED_TITLES = [
    "Just a Moment...", "ATTENTION REQUIRED! | Cloudflare", "VERİFY YOU ARE HUMAN",
    "ſecurity check", "Error 503", "404 - Halaman Tidak Ditemukan", "Page Unavailable",
    "Sekda Kukar Buka Rakor", None, "Rp 500 juta untuk 403 desa",
]  # fmt: skip


def test_blocked_page_shortcut_gives_the_patterns_answers() -> None:
    answers = set()
    for title in [*BLOCKED_TITLES, *(r["title"] for r in ANPANDU["records"] if r.get("title"))]:
        for text in ["", "Server Error", TEXTS[0], TEXTS[1][:300]]:
            expected = _blocked_by_patterns(title, text)
            assert pagekind.blocked_reason(title, text) == expected, (title, text[:40])
            answers.add(expected)
    assert answers == {"anti_bot", "error_page", None}


TEASERS = [
    "Pjs Bupati hadiri rakor 28 menit lalu", "Banjir di Tenggarong 12:49 WİB",
    "Sekda buka MTQ 1 jam yang lalu", "Harga sembako naik 09.15 WITA", "Artikel biasa saja.",
]  # fmt: skip


def test_teaser_stamp_shortcut_counts_what_the_pattern_counts() -> None:
    listings = 0
    for text in [*TEXTS, "\n".join(TEASERS), "\n".join(TEASERS[:2])]:
        lines = text.split("\n")
        stamps = sum(1 for line in lines if pagekind._TEASER_STAMP.search(line))
        excerpts = sum(1 for line in lines if pagekind._EXCERPT_END.search(line))
        by_patterns = None
        if (stamps >= 4 and stamps * 3 >= len(lines)) or (
            excerpts >= 2 and excerpts * 2 >= len(lines)
        ):
            by_patterns = "listing"
        assert pagekind.listing_reason_from_text(lines) == by_patterns
        listings += by_patterns == "listing"
    assert listings >= 1


def test_sentence_end_check_agrees_with_the_pattern() -> None:
    pattern = re.compile(r"[.!?…:;\"”’')\]]$")
    lines = [line for text in TEXTS for line in text.split("\n")]
    lines += ["Judul\n", "Kalimat.\n", "daftar]", "kutipan”\n", "dua\n\n", "", "Lanjut…"]
    verdicts = set()
    for line in lines:
        expected = len(line.split()) <= 20 and not pattern.search(line)
        assert is_headline_like(line) == expected, line
        verdicts.add(expected)
    assert verdicts == {True, False}


def test_word_split_of_the_language_shortcut_matches_the_pattern() -> None:
    samples = [*TEXTS, JAVANESE, "Kata_kata 2024an “kutipan”—lalu… Rp5.000 café naïve ß"]
    for text in samples:
        lowered = text[:1500].lower()
        assert language._words(lowered) == re.findall(r"[^\W\d_]+", lowered)

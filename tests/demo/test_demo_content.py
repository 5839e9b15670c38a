"""The article bodies: each seed verbatim inside its outlet's chrome, and the two edited copies."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from lxml import html

from tests.demo.conftest import DEMO, snapshot_file

SEEDS = DEMO / "seeds"
KUKARKAB = "https://kukarkab.go.id/berita/2024/"
RELEASE = (
    KUKARKAB + "09/rakor-lintas-sektoral-sekda-sinergi-untuk-wujudkan-pilkada-serentak-2024-"
    "aman-partisipatif.html"
)
COPY_1 = "https://tenggarongpos.example/daerah/2024/09/04/sekda-kukar-ajak-semua-pihak-bersinergi-wujudkan-pilkada-aman/"
COPY_2 = "https://kaltimraya.example/kukar/sekda-sinergi-wujudkan-pilkada-serentak-2024-aman-dan-partisipatif.html"
SAME_STORY = "https://amanahummat.com/2024/09/pemkab-kukar-berharap-pilkada-lancar.html"
INLINE = re.compile(r"^(Baca ?Juga|Simak juga)", re.IGNORECASE)


def _seeds() -> dict[str, dict[str, str]]:
    lines = (DEMO / "seeds.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["url"]: record for record in map(json.loads, lines)}


def _seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def _paragraphs(url: str) -> list[str]:
    page = html.fromstring(snapshot_file(url).read_bytes())
    return [p.text_content() for p in page.xpath("//p") if not INLINE.match(p.text_content())]


def _body_lines(number: str) -> list[str]:
    """The seed's article lines: without its title line and the chrome seed 002 carries."""
    lines = [line for line in _seed_text(number).splitlines() if line.strip()]
    if number in ("001", "003", "004"):
        lines = lines[1:]
    if number == "002":
        start = next(i for i, line in enumerate(lines) if line.startswith("KUTAI KARTANEGARA"))
        end = next(i for i, line in enumerate(lines) if line.endswith("(adv/diskominfo/kukar)"))
        lines = lines[start : end + 1]
    return [line for line in lines if not INLINE.match(line)]


def _shingles(paragraphs: list[str], size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", " ".join(paragraphs).lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _jaccard(a: list[str], b: list[str]) -> float:
    left, right = _shingles(a), _shingles(b)
    return len(left & right) / len(left | right)


def test_seeds_jsonl_has_the_five_seeds_in_the_import_format() -> None:
    seeds = _seeds()
    assert len(seeds) == 5
    for url, record in seeds.items():
        assert set(record) == {"url", "title", "outlet", "published_at", "text"}
        assert url.startswith(f"https://{record['outlet']}/")
        published = datetime.fromisoformat(record["published_at"])
        offset = timedelta(hours=7 if record["outlet"] == "eksposisi.com" else 8)
        assert published.utcoffset() == offset
        assert record["text"].strip() and not record["text"].startswith(record["title"])
        assert snapshot_file(url).is_file()


@pytest.mark.parametrize(
    ("number", "date"),
    [
        ("000", "2020-11-20"),
        ("001", "2024-11-09"),
        ("002", "2024-11-18"),
        ("003", "2024-09-03"),
        ("004", "2024-09-03"),
    ],
)
def test_each_seed_page_holds_the_seed_paragraphs_verbatim(number: str, date: str) -> None:
    by_text = {record["text"][:80]: record for record in _seeds().values()}
    record = next(r for prefix, r in by_text.items() if prefix in _seed_text(number))
    assert record["published_at"].startswith(date)
    paragraphs = _paragraphs(record["url"])
    body = _body_lines(number)
    assert body and all(line in paragraphs for line in body), number
    start = paragraphs.index(body[0])
    assert paragraphs[start : start + len(body)] == body, f"{number}: extra text inside the body"


def test_seed_002_chrome_is_page_chrome_not_body() -> None:
    url = next(u for u in _seeds() if u.startswith("https://eksposisi.com/"))
    page = html.fromstring(snapshot_file(url).read_bytes())
    (content,) = page.xpath("//div[contains(@class, 'content-inner')]")
    body_text = content.text_content()
    for chrome in ("Home", "Share :", "Senin, 18 November 2024 - 19:15 WIB", "PT MHU Raih"):
        assert chrome not in body_text
        assert chrome in page.text_content()
    inline = [p.text_content() for p in content.xpath(".//p") if INLINE.match(p.text_content())]
    expected = [line for line in _seed_text("002").splitlines() if line.startswith("Baca Juga :")]
    assert inline == expected and len(expected) == 2


def test_copy_1_is_the_release_with_a_new_dateline_title_and_credits() -> None:
    release, copy = _body_lines("004"), _paragraphs(COPY_1)
    dateline = "TENGGARONG, tenggarongpos – "
    start = next(i for i, p in enumerate(copy) if p.startswith(dateline))
    assert copy[start].removeprefix(dateline) == release[0].removeprefix("Tenggarong – ")
    assert copy[start + 1 : start + len(release)] == release[1:]
    assert copy[start + len(release)] == "Editor: Rahmat Hidayat"
    release_title = _seed_text("004").splitlines()[0]
    footer = copy[start + len(release) + 1]
    assert (
        footer.startswith("Artikel ini telah tayang di kukarkab.go.id") and release_title in footer
    )
    page = html.fromstring(snapshot_file(COPY_1).read_bytes())
    assert page.xpath("string(//h1)") not in ("", release_title)
    assert _jaccard(release, copy) > 0.8


def test_copy_2_drops_one_paragraph_and_trims_another() -> None:
    body, copy = _body_lines("004"), _paragraphs(COPY_2)
    start = next(i for i, p in enumerate(copy) if p.startswith("KUTAI KARTANEGARA (KaltimRaya) – "))
    copied = copy[start : start + len(body) - 1]
    assert len(copied) == len(body) - 1
    assert copied[-1].endswith("(adv/diskominfo/kukar)")
    assert sum(p not in body for p in copied) == 3  # dateline, trimmed paragraph, credit
    trimmed = next(p for p in copied[1:-1] if p not in body)
    assert any(p.startswith(trimmed) and len(p) > len(trimmed) for p in body)
    assert 0.6 < _jaccard(body, copied) < 0.95


def test_copies_are_near_duplicates_and_003_is_only_the_same_story() -> None:
    release = _body_lines("004")
    assert _jaccard(release, _paragraphs(COPY_1)) > 0.6
    assert _jaccard(release, _paragraphs(COPY_2)) > 0.6
    assert _jaccard(release, _paragraphs(SAME_STORY)) < 0.1


def test_copies_are_one_and_two_days_after_the_release() -> None:
    def published(url: str) -> datetime:
        page = html.fromstring(snapshot_file(url).read_bytes())
        (value,) = page.xpath("//meta[@property='article:published_time']/@content")
        return datetime.fromisoformat(value)

    release = published(RELEASE)
    assert published(COPY_1).date() - release.date() == timedelta(days=1)
    assert published(COPY_2).date() - release.date() == timedelta(days=2)

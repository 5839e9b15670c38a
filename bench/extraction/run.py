"""Extraction quality on saved Indonesian news pages, against trafilatura's defaults.

Usage: ``python bench/extraction/run.py [--pages]``

For each of the 25 article pages of ``tests/fixtures/anpandu`` it measures the bag-of-words F1
of the cleaned body against the expected body, whether the title and the publication date are
right, and for the 9 listing pages whether they are rejected. The same figures are printed for
``trafilatura.extract`` with its default settings (title and date from ``bare_extraction``
with its defaults), in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import trafilatura

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "anpandu"
WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Score:
    f1: float = 0.0
    title_ok: bool = False
    date_ok: bool = False
    rejected: str | None = None


def bag_of_words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def f1(got: str, expected: str) -> float:
    a, b = bag_of_words(got), bag_of_words(expected)
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def same_title(got: str | None, expected: str) -> bool:
    return (
        bool(got) and " ".join(str(got).split()).casefold() == " ".join(expected.split()).casefold()
    )


def ours(html: bytes, url: str, record: dict[str, str], settings: ExtractSettings) -> Score:
    try:
        article = extract_article(
            html, url=url, outlet=urlsplit(url).hostname or "", settings=settings
        )
    except NotAnArticle as exc:
        return Score(rejected=exc.reason)
    if record["page_type"] != "article":
        return Score()
    published = (
        article.published_at.astimezone(WIB).date().isoformat() if article.published_at else None
    )
    return Score(
        f1=f1(article.text, record["content"]),
        title_ok=same_title(article.title, record["title"]),
        date_ok=published == record["date_wib"][:10],
    )


def baseline(html: bytes, url: str, record: dict[str, str]) -> Score:
    text = trafilatura.extract(html, url=url)
    if text is None:
        return Score(rejected="none")
    if record["page_type"] != "article":
        return Score()
    meta = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return Score(
        f1=f1(text, record["content"]),
        title_ok=same_title(getattr(meta, "title", None), record["title"]),
        date_ok=getattr(meta, "date", None) == record["date_wib"][:10],
    )


def page_url(record: dict[str, str], records: list[dict[str, str]]) -> str:
    if record.get("url"):
        return record["url"]
    site = record["local_file"].split("/")[1]
    hosts = [
        urlsplit(r["url"]).hostname
        for r in records
        if r.get("url") and r["local_file"].split("/")[1] == site
    ]
    return f"http://{hosts[0]}/"


def summarise(name: str, scores: list[tuple[dict[str, str], Score]], seconds: float) -> None:
    articles = [s for r, s in scores if r["page_type"] == "article"]
    listings = [s for r, s in scores if r["page_type"] == "listing"]
    kept = [s for s in articles if s.rejected is None]
    print(
        f"{name:<28} mean F1 {statistics.mean(s.f1 for s in articles):.3f} (25 articles)"
        f" | F1 over {len(kept)} kept {statistics.mean(s.f1 for s in kept):.3f}"
        f" | F1>=0.9 {sum(s.f1 >= 0.9 for s in articles)}/25"
        f" | titles {sum(s.title_ok for s in articles)}/25 | dates {sum(s.date_ok for s in articles)}/25"
        f" | articles rejected {len(articles) - len(kept)}"
        f" | listings rejected {sum(s.rejected is not None for s in listings)}/{len(listings)}"
        f" | {seconds * 1000 / len(scores):.1f} ms/page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="print one line per page")
    args = parser.parse_args()
    records = json.loads((FIXTURES / "ground_truth.json").read_text())["records"]
    pages = [(r, (FIXTURES / r["local_file"]).read_bytes(), page_url(r, records)) for r in records]
    settings = ExtractSettings()
    results = {}
    for name, run in (
        ("ingest.extract_article", lambda h, u, r: ours(h, u, r, settings)),
        ("trafilatura.extract default", baseline),
    ):
        started = time.perf_counter()
        results[name] = [(r, run(h, u, r)) for r, h, u in pages]
        summarise(name, results[name], time.perf_counter() - started)
    if args.pages:
        print(f"\n{'page':<32} {'ours':>6} {'base':>6}  title date  rejected")
        for (r, mine), (_, base) in zip(*results.values(), strict=True):
            print(
                f"{Path(r['local_file']).name:<32} {mine.f1:6.3f} {base.f1:6.3f}  "
                f"{'ok' if mine.title_ok else '--':<5} {'ok' if mine.date_ok else '--':<4}  {mine.rejected or ''}"
            )


if __name__ == "__main__":
    main()

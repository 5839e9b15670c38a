"""Extraction quality on saved Indonesian news pages, against trafilatura's defaults.

Usage: ``python bench/extraction/run.py [--pages]``

For each of the 25 article pages of ``tests/fixtures/anpandu`` it measures the bag-of-words F1
of the cleaned body against the expected body, whether the title and the publication date are
right, and for the 9 listing pages whether they are rejected. The same figures are printed for
``trafilatura.extract`` with its default settings (title and date from ``bare_extraction``
with its defaults), in the same run. Our extraction runs three times: with the default
settings (photo pages rejected, counted 0), with ``reject_galleries=False`` (photo pages kept
with their captions) and with ``reject_listing_urls=False`` (listings recognised without URL
clues). Titles are counted exactly and ignoring a leading section label ("In Picture:",
"FOTO:"), which the expected titles keep and ``clean_title`` strips. The bundled demo's pages
(``demo/web``: 7 articles, 6 home pages) are checked with URL clues off.
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

from ingest.clean.title import clean_title
from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "anpandu"
DEMO = ROOT / "demo" / "web"
WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Score:
    f1: float = 0.0
    title_ok: bool = False
    label_title_ok: bool = False
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


def same_title_unlabelled(got: str | None, expected: str) -> bool:
    """Equal once a leading section label ("FOTO: ") is taken off both."""

    def bare(title: str) -> str | None:
        return clean_title(title, url="http://x.test/")

    return bool(got) and same_title(bare(str(got)), bare(expected) or "")


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
        label_title_ok=same_title_unlabelled(article.title, record["title"]),
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
        label_title_ok=same_title_unlabelled(getattr(meta, "title", None), record["title"]),
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
        f" | titles {sum(s.title_ok for s in articles)}/25"
        f" ({sum(s.label_title_ok for s in articles)} without label)"
        f" | dates {sum(s.date_ok for s in articles)}/25"
        f" | articles rejected {len(articles) - len(kept)}"
        f" | listings rejected {sum(s.rejected is not None for s in listings)}/{len(listings)}"
        f" | {seconds * 1000 / len(scores):.1f} ms/page"
    )


def demo_pages() -> list[tuple[str, bytes, bool]]:
    """(URL, HTML, is an article) for every saved HTML page of the demo but its feeds."""
    pages = []
    for path in sorted(DEMO.rglob("*.html")):
        relative = path.relative_to(DEMO).as_posix()
        if relative.endswith("feed/index.html"):
            continue
        is_home = relative.count("/") == 1 and relative.endswith("/index.html")
        url = f"https://{relative.removesuffix('index.html')}"
        pages.append((url, path.read_bytes(), not is_home))
    return pages


def check_demo(settings: ExtractSettings) -> None:
    kept_articles = rejected_homes = 0
    pages = demo_pages()
    for url, html, is_article in pages:
        try:
            extract_article(html, url=url, outlet=urlsplit(url).hostname or "", settings=settings)
            kept_articles += is_article
        except NotAnArticle:
            rejected_homes += not is_article
    articles = sum(a for _, _, a in pages)
    print(
        f"demo, URL clues off: articles kept {kept_articles}/{articles}"
        f" | home pages rejected {rejected_homes}/{len(pages) - articles}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="print one line per page")
    args = parser.parse_args()
    records = json.loads((FIXTURES / "ground_truth.json").read_text())["records"]
    pages = [(r, (FIXTURES / r["local_file"]).read_bytes(), page_url(r, records)) for r in records]
    runs = {
        "ours (default)": ExtractSettings(),
        "ours, galleries kept": ExtractSettings(reject_galleries=False),
        "ours, URL clues off": ExtractSettings(reject_listing_urls=False),
    }
    results = {}
    for name, run in (
        *((n, lambda h, u, r, s=s: ours(h, u, r, s)) for n, s in runs.items()),
        ("trafilatura.extract default", baseline),
    ):
        started = time.perf_counter()
        results[name] = [(r, run(h, u, r)) for r, h, u in pages]
        summarise(name, results[name], time.perf_counter() - started)
    check_demo(ExtractSettings(reject_listing_urls=False))
    if args.pages:
        print_pages(results)


def print_pages(results: dict[str, list[tuple[dict[str, str], Score]]]) -> None:
    names = list(results)
    print(f"\n{'page':<28} {'ours':>6} {'kept':>6} {'noURL':>6} {'base':>6}  title date  rejected")
    for rows in zip(*results.values(), strict=True):
        record, mine = rows[0][0], rows[0][1]
        figures = " ".join(f"{score.f1:6.3f}" for _, score in rows)
        reasons = "/".join(score.rejected or "-" for _, score in rows[: len(names) - 1])
        print(
            f"{Path(record['local_file']).name:<28} {figures}  "
            f"{'ok' if mine.title_ok else '--':<5} {'ok' if mine.date_ok else '--':<4}  {reasons}"
        )


if __name__ == "__main__":
    main()

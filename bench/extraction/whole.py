"""Articles kept whole and dated to the minute, non-articles rejected, against trafilatura.

Usage: ``python bench/extraction/whole.py PATH/articles_flat.jsonl.gz [--articles N] [--failures]``

Builds the labelled page set of :mod:`pageset` (IndoSum texts in seven article templates and
three kinds of listing page, fixed seed), adds the 9 listing pages of
``indonesian-html-anpandu`` and the demo's 6 home pages, and reports for
``ingest.extract.extract_article`` (default settings) and ``trafilatura.bare_extraction``
with its defaults, on the same pages: articles kept (short ones apart), non-articles
rejected, mean body F1 (bag of words; kept articles, and all with a rejected one counted 0),
publication time exact to the minute, and the day right. Then one line per template.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pageset import Page, build, read_indosum
from run import f1

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article
from ingest.records import Precision

ROOT = Path(__file__).resolve().parents[2]
ANPANDU = ROOT / "tests" / "fixtures" / "anpandu"
DEMO = ROOT / "demo" / "web"
WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Result:
    kept: bool
    f1: float = 0.0
    exact: bool = False
    day: bool = False
    reason: str = ""


def ours(page: Page, settings: ExtractSettings) -> Result:
    try:
        article = extract_article(
            page.html, url=page.url, outlet=urlsplit(page.url).hostname or "",
            settings=settings, published_hint=page.hint,
            hint_precision=Precision.MINUTE if page.hint else None,
        )  # fmt: skip
    except NotAnArticle as exc:
        return Result(kept=False, reason=exc.reason)
    if page.expected is None:
        return Result(kept=True, reason="kept")
    body = f"{article.dateline}\n{article.text}" if article.dateline else article.text
    at = article.published_at
    return Result(
        kept=True, f1=f1(body, page.expected), exact=at == page.published,
        day=at is not None and page.published is not None
        and at.astimezone(WIB).date() == page.published.date(),
    )  # fmt: skip


def theirs(page: Page) -> Result:
    document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    text = getattr(document, "text", None) or ""
    if not text.strip():
        return Result(kept=False, reason="none")
    if page.expected is None:
        return Result(kept=True, reason="kept")
    day = getattr(document, "date", None)
    expected = page.published.date().isoformat() if page.published else None
    return Result(kept=True, f1=f1(text, page.expected), day=day == expected)


def saved_non_articles() -> list[Page]:
    """The anpandu listing pages (each at its site's root) and the demo's home pages."""
    records = json.loads((ANPANDU / "ground_truth.json").read_text())["records"]
    hosts = {
        r["local_file"].split("/")[1]: urlsplit(r["url"]).hostname for r in records if r.get("url")
    }
    pages = [
        Page(
            url=f"http://{hosts[r['local_file'].split('/')[1]]}/",
            html=(ANPANDU / r["local_file"]).read_bytes().decode("utf-8", "replace"),
            template="anpandu_listing",
        )
        for r in records
        if r["page_type"] == "listing"
    ]
    for path in sorted(DEMO.glob("*/index.html")):
        url = f"https://{path.parent.name}/"
        pages.append(Page(url=url, html=path.read_text(encoding="utf-8"), template="demo_home"))
    return pages


def report(name: str, pages: list[Page], results: list[Result], seconds: float) -> None:
    articles = [(p, r) for p, r in zip(pages, results, strict=True) if p.expected is not None]
    others = [r for p, r in zip(pages, results, strict=True) if p.expected is None]
    kept = [r for _, r in articles if r.kept]
    short = [(p, r) for p, r in articles if p.short]
    print(
        f"{name:<26} articles kept {len(kept)}/{len(articles)}"
        f" ({100 * len(kept) / len(articles):.2f} %; short {sum(r.kept for _, r in short)}"
        f"/{len(short)}) | non-articles rejected {sum(not r.kept for r in others)}"
        f"/{len(others)} | F1 kept {statistics.mean(r.f1 for r in kept):.3f}"
        f" all {statistics.mean(r.f1 for _, r in articles):.3f}"
        f" | time exact {100 * sum(r.exact for _, r in articles) / len(articles):.1f} %"
        f" | day right {100 * sum(r.day for _, r in articles) / len(articles):.1f} %"
        f" | {1000 * seconds / len(pages):.1f} ms/page"
    )


def by_template(pages: list[Page], results: list[Result]) -> None:
    groups: dict[str, list[tuple[Page, Result]]] = defaultdict(list)
    for page, result in zip(pages, results, strict=True):
        groups[page.template].append((page, result))
    for template, rows in groups.items():
        kept = [r for _, r in rows if r.kept]
        if rows[0][0].expected is None:
            reasons = dict(Counter(r.reason for _, r in rows))
            rejected = len(rows) - len(kept)
            print(f"  {template:<18} {len(rows):5} pages, rejected {rejected} {reasons}")
            continue
        reasons = dict(Counter(r.reason for _, r in rows if not r.kept))
        print(
            f"  {template:<18} {len(rows):5} pages, kept {len(kept)}, F1 "
            f"{statistics.mean(r.f1 for r in kept) if kept else 0:.3f}, time exact "
            f"{sum(r.exact for _, r in rows)}, rejected {reasons}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indosum", type=Path, help="IndoSum's articles_flat.jsonl.gz")
    parser.add_argument("--articles", type=int, default=3463)
    parser.add_argument("--failures", action="store_true", help="list pages ours gets wrong")
    args = parser.parse_args()
    pages = build(read_indosum(args.indosum, args.articles)) + saved_non_articles()
    settings = ExtractSettings()
    started = time.process_time()
    mine = [ours(page, settings) for page in pages]
    report("ours (default)", pages, mine, time.process_time() - started)
    started = time.process_time()
    base = [theirs(page) for page in pages]
    report("trafilatura default", pages, base, time.process_time() - started)
    print("ours by template:")
    by_template(pages, mine)
    if args.failures:
        for page, result in zip(pages, mine, strict=True):
            wrong = result.kept != (page.expected is not None) or (
                page.expected is not None and (result.f1 < 0.95 or not result.exact)
            )
            if wrong:
                print(page.template, page.url, result)


if __name__ == "__main__":
    main()

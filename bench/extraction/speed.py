"""Extraction cost per page: ``extract_article`` against trafilatura alone, side by side.

Usage: ``python bench/extraction/speed.py PATH/articles_flat.jsonl.gz [--pages 400] [--rounds 7]``

Two page sets: ``--pages`` IndoSum article pages built as the fetch benchmark builds them
(``bench/fetch/pages.py``), and the 25 article pages of ``tests/fixtures/anpandu``. For each
set, every round runs ``trafilatura.bare_extraction(html, url=url, with_metadata=True)`` with
its defaults (the floor) and ``ingest.extract.extract_article`` with the default settings over
all pages in one process, ``--chunk`` pages (10) at a time: each side runs a chunk with its own
code warm, as a worker that only extracts does, and the sides take turns (which goes first
alternates), so that both meet the same load. It prints the median ms/page of each over the
rounds and the median, lowest and highest per-round ratio (ours / floor). Times are the
process's CPU time (``time.process_time_ns``): on a shared machine, wall time also counts the
time other jobs hold the CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

from ingest.config import ExtractSettings
from ingest.errors import NotAnArticle
from ingest.extract import extract_article

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "fetch"))

from pages import build_pages  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "anpandu"
SETTINGS = ExtractSettings()
Page = tuple[str | bytes, str]


def floor(html: str | bytes, url: str) -> None:
    """trafilatura alone, defaults, with metadata."""
    trafilatura.bare_extraction(html, url=url, with_metadata=True)


def ours(html: str | bytes, url: str) -> None:
    """ingest's extraction, cleaning and dating; a rejected page counts like a kept one."""
    with contextlib.suppress(NotAnArticle):
        extract_article(html, url=url, outlet=urlsplit(url).hostname or "", settings=SETTINGS)


def indosum_pages(path: Path, count: int) -> list[Page]:
    """``count`` IndoSum pages as the fetch benchmark serves them, decoded as the fetcher does."""
    built = build_pages(path, count, ["127.0.0.1"], 8080)
    return [(body.decode("utf-8"), f"http://{h}:8080{p}") for (h, p), body in built.items()]


def anpandu_pages() -> list[Page]:
    """The 25 saved article pages of the quality benchmark, as bytes."""
    records = json.loads((FIXTURES / "ground_truth.json").read_text())["records"]
    return [
        ((FIXTURES / r["local_file"]).read_bytes(), r["url"])
        for r in records
        if r["page_type"] == "article"
    ]


def one_round(pages: list[Page], shift: int, chunk: int) -> tuple[int, int]:
    """Nanoseconds of CPU time of the floor and of ours over ``pages``, ``chunk`` at a time."""
    spent = [0, 0]
    runs: tuple[Callable[[str | bytes, str], None], ...] = (floor, ours)
    for start in range(0, len(pages), chunk):
        first = (start // chunk + shift) % 2
        for side in (first, 1 - first):
            started = time.process_time_ns()
            for html, url in pages[start : start + chunk]:
                runs[side](html, url)
            spent[side] += time.process_time_ns() - started
    return spent[0], spent[1]


def compare(name: str, pages: list[Page], rounds: int, chunk: int) -> None:
    """Rounds of the floor and ours side by side; one line of medians."""
    one_round(pages[:10], 0, chunk)
    results = [one_round(pages, shift, chunk) for shift in range(rounds)]
    ratios = [mine / floor for floor, mine in results]
    per_page = 1e6 * len(pages)
    print(
        f"{name:<22} {len(pages):>4} pages | floor (bare_extraction default, metadata)"
        f" {statistics.median(f for f, _ in results) / per_page:6.2f} ms/page"
        f" | extract_article {statistics.median(m for _, m in results) / per_page:6.2f} ms/page"
        f" | ratio {statistics.median(ratios):.2f}x"
        f" ({min(ratios):.2f}-{max(ratios):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path, help="IndoSum articles_flat.jsonl.gz")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=10, help="pages a side runs in a row")
    args = parser.parse_args()
    sets = (("IndoSum (bench pages)", indosum_pages(args.articles, args.pages)),)
    sets += (("anpandu (25 articles)", anpandu_pages()),)
    for name, pages in sets:
        compare(name, pages, args.rounds, args.chunk)


if __name__ == "__main__":
    main()

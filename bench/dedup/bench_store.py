"""Store + dedup alone: IndoSum articles stored 100 a transaction, batched against one by one.

    python bench/dedup/bench_store.py PATH/articles_flat.jsonl.gz [--count 2000] [--db URL]

Prints, in the same run, the time per document of ``add_articles`` (one ``assign_batch`` per
transaction: what the pipeline's writer does) and of the per-document path (each document
flushed and assigned alone, same transactions), each into a new store, and whether both gave
the same stories. ``--db`` names an empty PostgreSQL database (used for both, emptied between).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from ingest.config import DedupSettings
from ingest.dedup import assign
from ingest.records import Article
from ingest.store import open_store
from ingest.store.documents import add_articles, new_document
from ingest.store.models import Document, StoryMember


def load(path: Path, count: int) -> list[Article]:
    """The first ``count`` IndoSum articles, plus a light copy of every tenth one."""
    out: list[Article] = []
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for i, line in enumerate(rows):
            if len(out) >= count:
                break
            row = json.loads(line)
            when = datetime.fromisoformat(row["id_timestamp_utc"]).astimezone(UTC)
            url = row.get("source_url") or f"https://indosum.example/{i}"
            out.append(
                Article(
                    url=f"{url}#{i}",
                    outlet=row["source"],
                    title=None,
                    text=row["text"],
                    published_at=when,
                )
            )
            if i % 10 == 0:
                copy = f"SAMARINDA – {row['text']}\nEditor: Rudi"
                out.append(
                    Article(
                        url=f"https://copy.example/{i}",
                        outlet="copy.example",
                        title=None,
                        text=copy,
                        published_at=when,
                    )
                )
    return out[:count]


def batched(db_url: str, articles: list[Article], settings: DedupSettings) -> float:
    store = open_store(db_url)
    started = time.perf_counter()
    for start in range(0, len(articles), 100):
        with store.session() as session:
            add_articles(
                session, articles[start : start + 100], dedup_settings=settings, run_id=None
            )
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def one_by_one(db_url: str, articles: list[Article], settings: DedupSettings) -> float:
    store = open_store(db_url)
    started = time.perf_counter()
    for start in range(0, len(articles), 100):
        with store.session() as session:
            for article in articles[start : start + 100]:
                document = new_document(article, run_id=None)
                session.add(document)
                session.flush()
                assign(session, document, settings)
    seconds = time.perf_counter() - started
    store.close()
    return seconds


def stories(db_url: str) -> set[frozenset[str]]:
    store = open_store(db_url)
    with store.session() as session:
        rows = session.execute(
            select(StoryMember.story_id, Document.url).join(
                Document, Document.id == StoryMember.document_id
            )
        ).tuples()
        groups: dict[int, set[str]] = {}
        for story, url in rows:
            groups.setdefault(story, set()).add(url)
    store.close()
    return {frozenset(g) for g in groups.values()}


def empty(db_url: str) -> None:
    store = open_store(db_url)
    with store.session() as session:
        tables = "documents, stories, dedup_anchor_counts, dedup_passage_counts"
        session.execute(text(f"TRUNCATE {tables} CASCADE"))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--db", help="an empty PostgreSQL database (default: SQLite files)")
    args = parser.parse_args()
    articles, settings = load(args.articles, args.count), DedupSettings()
    with open_store("sqlite://") as warm, warm.session() as session:  # compiled kernels loaded
        add_articles(session, articles[:50], dedup_settings=settings, run_id=None)
    work = Path(tempfile.mkdtemp())
    results = {}
    for name, run in (("one by one", one_by_one), ("assign_batch", batched)):
        url = args.db or f"sqlite:///{work / name.replace(' ', '-')}.db"
        if args.db:
            empty(url)
        seconds = run(url, articles, settings)
        results[name] = (seconds, stories(url))
    base = results["one by one"][0]
    kind = "PostgreSQL" if args.db else "SQLite"
    print(f"{len(articles)} documents, 100 a transaction, {kind}")
    for name, (seconds, _) in results.items():
        per = 1000 * seconds / len(articles)
        print(f"{name:<14} {seconds:7.2f} s  {per:6.2f} ms/document  {base / seconds:5.1f}x")
    same = results["one by one"][1] == results["assign_batch"][1]
    print(f"same stories: {same} ({len(results['assign_batch'][1])} stories)")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()

"""Is the canonical record the true original? The evaluation set's multi-outlet stories
published the way outlets publish them, imported through the real pipeline (``ingest import``)
in several arrival orders, by this tree and by an earlier revision, in the same run.

    python bench/dedup/bench_canonical.py --indosum articles_flat.jsonl.gz \
        --baseline-src /path/to/checkout-of-REV/src [--seed 13] [--db postgresql://...]

Each story's original keeps its precise time (with its offset). Each republication (a light,
heavy or short copy, or the second report of a same-story pair) keeps its later time, but
states only its day (``"published_at": "YYYY-MM-DD"``, the outlet's local day in WITA, as
outlets whose time is only in JSON-LD used to be stored) with probability 0.4, and ends with a
syndication footer naming the original ("Artikel ini telah tayang di ...") with probability
0.25, independently. Every document of the set (negatives and background included) is
imported, once per arrival order, into a new store. A multi-outlet story counts as right when
the stored story holding its original has the original as canonical record.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from evalset import Doc, build, load
from sqlalchemy import create_engine, text

POSITIVE = ("light_copy", "heavy_copy", "same_story", "short_copy")
WITA = timezone(timedelta(hours=8))
ORDERS = ("chronological", "newest first", "shuffled")


@dataclass
class Entry:
    doc: Doc
    url: str
    outlet: str
    published: str
    day_only: bool
    footer: bool
    original: bool


def host(outlet: str) -> str:
    name = outlet.replace(" ", "").lower()
    return name if "." in name else f"{name}.com"


def published_the_way_outlets_do(docs: list[Doc], seed: int) -> list[Entry]:
    rnd = random.Random(seed)
    stories: dict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        stories[doc.story].append(doc)
    first = {s: min(m, key=lambda d: (d.published_at, d.id)).id for s, m in stories.items()}
    entries = []
    for doc in docs:
        outlet = host(doc.outlet)
        url = f"https://{outlet}/berita/{doc.id}"
        original = first[doc.story] == doc.id
        republished = doc.kind in POSITIVE and not original
        day_only = republished and rnd.random() < 0.4
        footer = republished and rnd.random() < 0.25
        at = datetime.fromisoformat(doc.published_at)
        published = at.astimezone(WITA).date().isoformat() if day_only else at.isoformat()
        entries.append(Entry(doc, url, outlet, published, day_only, footer, original))
    entry_of = {e.doc.id: e for e in entries}
    for entry in entries:
        if entry.footer:
            source = entry_of[first[entry.doc.story]]
            title = source.doc.text.splitlines()[0]
            line = (
                f'Artikel ini telah tayang di {source.outlet} dengan judul "{title}". '
                f"Klik untuk baca: {source.url}"
            )
            entry.doc = replace(entry.doc, text=f"{entry.doc.text}\n{line}")
    return entries


def arrival(entries: list[Entry], order: str, seed: int) -> list[Entry]:
    chronological = sorted(entries, key=lambda e: (e.doc.published_at, e.doc.id))
    if order == "newest first":
        return chronological[::-1]
    if order == "shuffled":
        shuffled = list(chronological)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    return chronological


def import_file(entries: list[Entry], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for e in entries:
            line = {"url": e.url, "outlet": e.outlet, "published_at": e.published}
            handle.write(json.dumps({**line, "text": e.doc.text}, ensure_ascii=False) + "\n")


def server(base: str, *statements: str) -> None:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def fresh_db(base: str | None, tmp: Path, name: str) -> str:
    """A new empty store: an SQLite file, or a database made on the server ``base``."""
    if base is None:
        return f"sqlite:///{tmp / (name + '.db')}"
    server(base, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def run_import(src: str, db: str, path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": src, "INGEST_DB_URL": db}
    cmd = [sys.executable, "-m", "ingest", "import", str(path)]
    root = Path(src).parent  # its own config/
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"import failed ({src}): {done.stderr.strip()[-500:]}")


def canonical_urls(db: str) -> tuple[dict[str, int], dict[int, str]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        story_of = dict(
            conn.execute(
                text(
                    "SELECT d.url, m.story_id FROM documents d "
                    "JOIN story_members m ON m.document_id = d.id"
                )
            )
            .tuples()
            .all()
        )
        canonical = dict(
            conn.execute(
                text(
                    "SELECT s.id, d.url FROM stories s "
                    "JOIN documents d ON d.id = s.canonical_document_id"
                )
            )
            .tuples()
            .all()
        )
    engine.dispose()
    return story_of, canonical


def hard(members: list[Entry]) -> bool:
    """A story with a day-only republication dated the original's (UTC) day: the case where
    a date read as midnight looks earlier than the original."""
    original = next(e for e in members if e.original)
    return any(e.day_only and e.published == original.published[:10] for e in members)


@dataclass
class Score:
    right: int = 0
    total: int = 0
    hard_right: int = 0
    hard_total: int = 0
    wrong: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        reasons = "".join(f"\n    {n:3} {why}" for why, n in self.wrong.most_common())
        return (
            f"{self.right}/{self.total} = {self.right / self.total:.3f}; with a day-only "
            f"republication on the original's day {self.hard_right}/{self.hard_total}{reasons}"
        )


def score(entries: list[Entry], db: str) -> Score:
    story_of, canonical = canonical_urls(db)
    stories: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.doc.kind in POSITIVE:
            stories[e.doc.story].append(e)
    by_url = {e.url: e for e in entries}
    result = Score(total=len(stories), hard_total=sum(hard(m) for m in stories.values()))
    for members in stories.values():
        original = next(e for e in members if e.original)
        if original.url not in story_of:
            result.wrong[f"{original.doc.kind}: original not stored"] += 1
            continue
        chosen = canonical[story_of[original.url]]
        if chosen == original.url:
            result.right += 1
            result.hard_right += hard(members)
            continue
        other = by_url[chosen]
        same_day = other.published[:10] == original.published[:10]
        footer = ", original named by a footer" if any(m.footer for m in members) else ""
        precision = "day-only" if other.day_only else "precise"
        result.wrong[
            f"{other.doc.kind}: republisher {precision}{' same day' * same_day}{footer}"
        ] += 1
    return result


def describe(entries: list[Entry]) -> str:
    stories = Counter(e.doc.story for e in entries if e.doc.kind in POSITIVE)
    members = [e for e in entries if e.doc.kind in POSITIVE]
    repub = [e for e in members if not e.original]
    footers = sum(e.footer for e in repub)
    day = sum(e.day_only for e in repub)
    same_day = sum(
        hard([e, *(o for o in members if o.original and o.doc.story == e.doc.story)]) for e in repub
    )
    return (
        f"{len(entries)} documents; {len(stories)} multi-outlet stories, {len(members)} members: "
        f"{len(members) - len(repub)} originals (precise), {len(repub)} republications "
        f"({len(repub) - day} precise, {day} day-only of which {same_day} on the original's "
        f"day as written, {footers} with a footer naming the original)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", type=Path, required=True)
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--db", help="PostgreSQL server URL (a database is made per run)")
    args = parser.parse_args()
    ours = str(Path(__file__).resolve().parents[2] / "src")
    entries = published_the_way_outlets_do(build(load(args.indosum), args.seed).docs, args.seed)
    print(describe(entries))
    backend = "postgresql" if args.db else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        for n, order in enumerate(ORDERS):
            path = Path(tmp) / f"order{n}.jsonl"
            import_file(arrival(entries, order, args.seed), path)
            for label, src in (("before", str(args.baseline_src)), ("now", ours)):
                name = f"bench_canonical_{label}_{n}"
                db = fresh_db(args.db, Path(tmp), name)
                run_import(src, db, path)
                result = score(entries, db)
                if args.db:
                    server(args.db, f'DROP DATABASE "{name}"')
                print(f"{backend} {order:13} {label:6} {result}")


if __name__ == "__main__":
    main()

"""Store + dedup alone, this tree against another revision, in alternating rounds.

    python bench/dedup/bench_versions.py PATH/articles_flat.jsonl.gz --baseline REV
        [--rounds 3] [--count 2000] [--db URL]

The baseline's ``src`` is taken from git (``git archive REV src``) into a temporary folder.
Each round stores the same IndoSum articles (see ``bench_store.load``) 100 a transaction with
``add_articles``, the pipeline writer's serial work, once with each version, each in its own
process and into a new store (``--db`` names a PostgreSQL database, whose ``public`` schema
is dropped and made anew before each run; default: new SQLite files). Every run also reads
back what it stored (documents, stories, memberships with their evidence, every dedup index
table, timestamps left out) and the script checks that both versions stored exactly the same
rows.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

#: What is compared, per table: the columns (no timestamps) and the order of the rows.
TABLES = {
    "documents": ("id, url, outlet, text_sha1, published_at", "id"),
    "stories": ("id, canonical_document_id", "id"),
    "story_members": (
        "document_id, story_id, relation, similarity, matched_document_id, evidence",
        "document_id",
    ),
    "dedup_entries": ("document_id, signature, shingles, params", "document_id"),
    "dedup_bands": ("key, document_id, band", "key, document_id"),
    "dedup_anchors": ("key, document_id", "key, document_id"),
    "dedup_anchor_counts": ("key, documents", "key"),
    "dedup_story_passages": ("story_id, key", "story_id, key"),
    "dedup_passage_counts": ("key, stories", "key"),
}


def digest(db_url: str) -> dict[str, str]:
    """A SHA-256 of each table's rows (evidence compared as parsed JSON)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    out = {}
    with engine.connect() as connection:
        for table, (columns, order) in TABLES.items():
            sha = hashlib.sha256()
            rows = connection.execute(text(f"SELECT {columns} FROM {table} ORDER BY {order}"))
            for row in rows:
                values = [json.loads(v) if isinstance(v, str) and v[:1] == "{" else v for v in row]
                sha.update(json.dumps(values, sort_keys=True, default=repr).encode())
            out[table] = sha.hexdigest()
    engine.dispose()
    return out


def reset(db_url: str) -> None:
    """Drop everything in a PostgreSQL database (the versions may differ in migrations)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def child(args: argparse.Namespace) -> None:
    """One timed run with the ``ingest`` found first on ``sys.path``; prints JSON."""
    from bench_store import load

    import ingest
    from ingest.config import DedupSettings
    from ingest.store import open_store
    from ingest.store.documents import add_articles

    articles, settings = load(args.articles, args.count), DedupSettings()
    with open_store("sqlite://") as warm, warm.session() as session:  # compiled kernels loaded
        add_articles(session, articles[:50], dedup_settings=settings, run_id=None)
    if args.db.startswith("postgresql"):
        reset(args.db)
    store = open_store(args.db)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(articles), 100):
        with store.session() as session:
            add_articles(
                session, articles[start : start + 100], dedup_settings=settings, run_id=None
            )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    result = {"seconds": seconds, "cpu": cpu, "documents": len(articles)}
    result["digest"] = digest(args.db)
    print(json.dumps({**result, "ingest": ingest.__file__}))


def export(revision: str, into: Path) -> Path:
    """``src`` of ``revision``, unpacked under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run(src: Path, args: argparse.Namespace, db_url: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{HERE}"}
    command = [sys.executable, str(Path(__file__).resolve()), str(args.articles), "--child"]
    command += ["--count", str(args.count), "--db", db_url]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["ingest"].startswith(str(src)):
        raise SystemExit(f"the run imported {result['ingest']}, not the tree under {src}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--db", help="a PostgreSQL database, emptied (default: SQLite files)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    work = Path(tempfile.mkdtemp())
    trees = {"baseline": export(args.baseline, work / "baseline"), "this tree": ROOT / "src"}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    digests: dict[str, dict[str, str]] = {}
    for round_ in range(args.rounds):
        for name, src in trees.items():
            file = work / f"{name.replace(' ', '-')}-{round_}.db"
            result = run(src, args, args.db or f"sqlite:///{file}")
            wall, cpu = (1000 * result[k] / result["documents"] for k in ("seconds", "cpu"))
            times[name].append((wall, cpu))
            digests[name] = result["digest"]
            print(f"round {round_ + 1} {name:<10} {wall:5.2f} ms/doc, {cpu:5.2f} ms/doc CPU")
    summarise(args, times)
    differ = [t for t in TABLES if digests["baseline"][t] != digests["this tree"][t]]
    print("same rows in every table" if not differ else f"DIFFERENT rows in: {', '.join(differ)}")
    sys.exit(1 if differ else 0)


def summarise(args: argparse.Namespace, times: dict[str, list[tuple[float, float]]]) -> None:
    """Medians per version and the speed-up of each round (wall time)."""
    kind = "PostgreSQL" if args.db else "SQLite"
    print(f"{args.count} documents, 100 a transaction, {kind}, baseline {args.baseline}")
    print("ms per document, median of the rounds (best): wall time; CPU time of this process")
    for name, values in times.items():
        wall, cpu = ([v[i] for v in values] for i in (0, 1))
        print(
            f"{name:<10} {statistics.median(wall):5.2f} ({min(wall):5.2f})"
            f"  CPU {statistics.median(cpu):5.2f} ({min(cpu):5.2f})"
        )
    pairs = zip(times["baseline"], times["this tree"], strict=True)
    print("speed-up per round:", ", ".join(f"{b[0] / t[0]:.2f}x" for b, t in pairs))


if __name__ == "__main__":
    main()

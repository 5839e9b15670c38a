"""Pairwise precision, recall and F1 of story dedup on the evaluation set, per kind, against
the baseline (datasketch MinHashLSH over word 5-shingles at threshold 0.5, connected
components), in the same run.

    python bench/dedup/bench_quality.py --indosum articles_flat.jsonl.gz
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from common import make_document, pairs, prf
from datasketch import MinHash, MinHashLSH
from evalset import Doc, build, load
from sqlalchemy import select

from ingest.config import DedupSettings
from ingest.dedup import assign
from ingest.store import open_store
from ingest.store.models import Document, StoryMember

POSITIVE = ("light_copy", "heavy_copy", "same_story", "short_copy")
NEGATIVE = ("reused_speech", "boilerplate", "short")


def run_ours(docs: list[Doc], settings: DedupSettings) -> tuple[dict[str, int], float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'eval.db'}")
        started = time.perf_counter()
        with store.session() as session:
            for doc in docs:
                row = make_document(
                    doc.url, doc.text, doc.outlet, datetime.fromisoformat(doc.published_at)
                )
                session.add(row)
                session.flush()
                assign(session, row, settings)
        elapsed = time.perf_counter() - started
        with store.session() as session:
            by_url = dict(
                session.execute(
                    select(Document.url, StoryMember.story_id).join(
                        StoryMember, StoryMember.document_id == Document.id
                    )
                )
                .tuples()
                .all()
            )
        store.close()
    return {d.id: by_url[d.url] for d in docs}, elapsed


def run_baseline(docs: list[Doc]) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sigs = {}
    for doc in docs:
        words = re.findall(r"\w+", doc.text.lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)])
        sigs[doc.id] = m
        lsh.insert(doc.id, m)
    parent = {d.id: d.id for d in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc in docs:
        for other in lsh.query(sigs[doc.id]):
            parent[find(other)] = find(doc.id)
    roots = {d.id: find(d.id) for d in docs}
    ids = {r: i for i, r in enumerate(sorted(set(roots.values())))}
    return {k: ids[v] for k, v in roots.items()}, time.perf_counter() - started


def clusters(assignment: dict[str, object]) -> list[list[str]]:
    groups: dict[object, list[str]] = defaultdict(list)
    for doc_id, label in assignment.items():
        groups[label].append(doc_id)
    return list(groups.values())


def report(
    name: str, docs: list[Doc], negatives: list[tuple[str, str, str]], predicted: dict[str, int]
) -> dict[str, float]:
    gold = pairs(clusters({d.id: d.story for d in docs}))
    pred = pairs(clusters(predicted))
    kind = {d.id: d.kind for d in docs}
    rows: dict[str, float] = {}
    p, r, f = prf(gold, pred)
    rows["overall P"], rows["overall R"], rows["overall F1"] = p, r, f
    for k in POSITIVE:
        g = {x for x in gold if kind[x[0]] == k}
        involved = {x for x in pred if k in (kind[x[0]], kind[x[1]])}
        p, r, f = prf(g, involved)
        rows[f"{k} P"], rows[f"{k} R"], rows[f"{k} F1"] = p, r, f
    for k in NEGATIVE:
        neg = {tuple(sorted((a, b))) for a, b, kk in negatives if kk == k}
        rows[f"{k} kept apart"] = 1 - len(neg & pred) / len(neg)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    builder = build(load(args.indosum), args.seed)
    docs, negatives = builder.docs, builder.negatives
    ours, t_ours = run_ours(docs, DedupSettings())
    base, t_base = run_baseline(docs)
    a, b = report("ours", docs, negatives, ours), report("baseline", docs, negatives, base)
    print(f"{len(docs)} documents, {len(negatives)} hard negative pairs")
    print(f"{'metric':28} {'ours':>8} {'baseline':>9}")
    for key in a:
        print(f"{key:28} {a[key]:8.3f} {b[key]:9.3f}")
    print(f"{'seconds':28} {t_ours:8.1f} {t_base:9.1f}")


if __name__ == "__main__":
    main()

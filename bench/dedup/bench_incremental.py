"""Incremental cost: the time to add 1,000 new documents to a store of 10k and of 100k.

    python bench/dedup/bench_incremental.py --indosum articles_flat.jsonl.gz [--sizes 10000 100000]

The stores are SQLite files holding synthetic articles (IndoSum sentences, half of the words
replaced at random so that texts do not repeat), loaded through the bulk path: documents,
one story each, and their index rows inserted in batches. The 1,000 new documents (70 % new
articles, 20 % light copies and 10 % half-length copies of stored ones, published within two
days of them) then go through ``assign`` one by one, as the pipeline sends them, committing
every 100, in rounds that alternate between the stores. The baseline is the 10k store: the goal
is a ratio under 1.5.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from common import make_document
from sqlalchemy import insert

from ingest.config import DedupSettings
from ingest.dedup import assign
from ingest.dedup.features import featurize
from ingest.dedup.index import index_rows, write_index, write_new_story_passages
from ingest.store import open_store
from ingest.store.models import Document, Story, StoryMember

OUTLETS = [f"outlet{i:02d}.id" for i in range(40)]
SWAP = 0.5  # share of words replaced: IndoSum has ~50k sentences, the 100k store uses 1.4M
START = datetime(2016, 1, 1, tzinfo=UTC)


class Corpus:
    """Synthetic articles from IndoSum sentences, deterministic for a seed."""

    def __init__(self, indosum: Path, seed: int) -> None:
        with gzip.open(indosum, "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle]
        sentences = [s.split() for t in texts for s in t.splitlines() if len(s.split()) >= 6]
        vocab = sorted({w for s in sentences for w in s})
        index = {w: i for i, w in enumerate(vocab)}
        self.vocab = np.array(vocab, dtype=object)
        self.sentences = [np.array([index[w] for w in s]) for s in sentences]
        self.rnd = np.random.default_rng(seed)

    def article(self) -> list[str]:
        picks = self.rnd.integers(0, len(self.sentences), self.rnd.integers(10, 18))
        out = []
        for p in picks:
            ids = self.sentences[p].copy()
            swap = self.rnd.random(ids.size) < SWAP
            ids[swap] = self.rnd.integers(0, self.vocab.size, int(swap.sum()))
            out.append(" ".join(self.vocab[ids]) + ".")
        return out

    def when(self) -> datetime:
        return START + timedelta(seconds=int(self.rnd.integers(0, 730 * 86400)))

    def outlet(self) -> str:
        return str(OUTLETS[int(self.rnd.integers(0, len(OUTLETS)))])


def bulk_load(url: str, corpus: Corpus, count: int, settings: DedupSettings) -> list[Document]:
    """Store ``count`` articles as singleton stories with their index rows (bulk inserts)."""
    store = open_store(url)
    kept: list[Document] = []
    for start in range(0, count, 2000):
        n = min(2000, count - start)
        docs = [
            make_document(
                f"https://x/{start + i}",
                "\n".join(corpus.article()),
                corpus.outlet(),
                corpus.when(),
            )
            for i in range(n)
        ]
        with store.session() as session:
            session.add_all(docs)
            session.flush()
            feats = featurize([d.text for d in docs], settings)
            stories = [{"canonical_document_id": d.id} for d in docs]
            ids = session.scalars(insert(Story).returning(Story.id), stories).all()
            session.execute(
                insert(StoryMember),
                [
                    {
                        "document_id": d.id,
                        "story_id": sid,
                        "relation": "canonical",
                        "similarity": 1.0,
                        "evidence": {},
                    }
                    for d, sid in zip(docs, ids, strict=True)
                ],
            )
            write_index(
                session, [index_rows(d.id, f, settings) for d, f in zip(docs, feats, strict=True)]
            )
            write_new_story_passages(
                session, [(sid, f.sentence_keys) for sid, f in zip(ids, feats, strict=True)]
            )
        kept.extend(docs[:5])
    store.close()
    return kept


def new_documents(corpus: Corpus, stored: list[Document], count: int) -> list[Document]:
    out = []
    for i in range(count):
        kind = corpus.rnd.random()
        if kind < 0.3:
            base = stored[int(corpus.rnd.integers(0, len(stored)))]
            assert base.published_at is not None
            lines = base.text.splitlines()
            if kind < 0.1:
                lines = lines[::2]
            text = "\n".join([f"SAMARINDA – {lines[0]}", *lines[1:]])
            when = base.published_at + timedelta(hours=float(corpus.rnd.uniform(1, 48)))
        else:
            text, when = "\n".join(corpus.article()), corpus.when()
        out.append(make_document(f"https://new/{i}", text, corpus.outlet(), when))
    return out


def add_new(url: str, docs: list[Document], settings: DedupSettings) -> tuple[float, int, int]:
    """Assign ``docs`` one by one, committing every 100: seconds, joins, candidates verified."""
    store = open_store(url)
    joined = verified = 0
    started = time.perf_counter()
    for start in range(0, len(docs), 100):
        with store.session() as session:
            for doc in docs[start : start + 100]:
                session.add(doc)
                session.flush()
                joined += not assign(session, doc, settings).new_story
                assert doc.membership is not None
                verified += int(doc.membership.evidence.get("candidates", 0))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, joined, verified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    settings = DedupSettings()
    with tempfile.TemporaryDirectory() as tmp:
        pending: dict[int, tuple[str, list[Document]]] = {}
        for size in args.sizes:
            corpus = Corpus(args.indosum, seed=size)
            url = f"sqlite:///{Path(tmp) / f'store{size}.db'}"
            started = time.perf_counter()
            stored = bulk_load(url, corpus, size, settings)
            mb = Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
            print(
                f"store {size:>7}: bulk load {time.perf_counter() - started:6.1f} s ({mb:.0f} MB)",
                flush=True,
            )
            pending[size] = (url, new_documents(corpus, stored, args.new))
        # Rounds alternate between the stores so that a busy machine slows both alike.
        totals = {size: [0.0, 0, 0] for size in args.sizes}
        per_round = args.new // args.rounds
        for r in range(args.rounds):
            for size in args.sizes:
                url, docs = pending[size]
                part = docs[r * per_round : (r + 1) * per_round]
                elapsed, joined, verified = add_new(url, part, settings)
                totals[size][0] += elapsed
                totals[size][1] += joined
                totals[size][2] += verified
    base = float(totals[args.sizes[0]][0])
    for size in args.sizes:
        elapsed, joined, verified = totals[size]
        n = per_round * args.rounds
        print(
            f"store {size:>7}: {n} new documents in {elapsed:6.1f} s "
            f"({elapsed / n * 1000:.1f} ms each, {verified / n:.1f} candidates verified "
            f"each, {joined} joined a story) = {elapsed / base:.2f}x the "
            f"{args.sizes[0]} store",
            flush=True,
        )


if __name__ == "__main__":
    main()

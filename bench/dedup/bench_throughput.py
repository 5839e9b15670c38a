"""Signatures per second: the vectorised path of ``ingest.dedup`` against datasketch's default
``MinHash.update_batch`` path, on the same IndoSum texts in the same run.

    python bench/dedup/bench_throughput.py --indosum articles_flat.jsonl.gz [--docs 3000]

Both paths start from the raw text and end with one ``LeanMinHash`` (128 slots) per text over
word 5-shingles: the default path lower-cases, splits words with a regular expression, joins
each shingle to bytes and feeds ``MinHash(num_perm=128).update_batch`` (SHA-1 per shingle,
128 affine permutations); the vectorised path is ``text_signatures`` (raw text to signature
in one compiled pass per text when numba is installed) and, for reference, the same path on
its numpy passes only (``shingle_hashes`` + ``signatures``). The paths run in interleaved
rounds; the figures are the best and the median round.
The estimated Jaccard of both paths is compared with the exact Jaccard on near-copy pairs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHash

from ingest.dedup import kernels
from ingest.dedup.shingles import shingle_hashes
from ingest.dedup.signatures import text_signatures

WORD = re.compile(r"\w+")


def default_path(texts: list[str]) -> list[LeanMinHash]:
    out = []
    for text in texts:
        words = WORD.findall(text.lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)])
        out.append(LeanMinHash(m))
    return out


def vectorised_path(texts: list[str], batch: int = 1000) -> list[LeanMinHash]:
    out: list[LeanMinHash] = []
    for i in range(0, len(texts), batch):
        out.extend(text_signatures(texts[i : i + batch], k=5, num_perm=128, seed=1))
    return out


def numpy_path(texts: list[str]) -> list[LeanMinHash]:
    """The vectorised path without the compiled kernels (the values are the same)."""
    compiled, kernels.COMPILED = kernels.COMPILED, False
    try:
        return vectorised_path(texts)
    finally:
        kernels.COMPILED = compiled


def timed(fn, texts) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn(texts)
    return time.perf_counter() - started


def rounds(paths: dict[str, object], texts: list[str], count: int) -> dict[str, list[float]]:
    """Seconds per round of each path, the paths taking turns within every round."""
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(count):
        for name, fn in paths.items():
            seconds[name].append(timed(fn, texts))
    return seconds


def accuracy(texts: list[str]) -> tuple[float, float]:
    """Mean absolute error of the Jaccard estimate on (text, trimmed copy) pairs."""
    rnd = random.Random(5)
    pairs = []
    for text in texts[:300]:
        words = text.split()
        cut = rnd.randint(len(words) // 3, len(words))
        pairs.append((text, " ".join(words[:cut])))
    flat = [t for pair in pairs for t in pair]
    ours, theirs = vectorised_path(flat), default_path(flat)
    hashes, offsets = shingle_hashes(flat, 5)
    errors_ours, errors_theirs = [], []
    for k in range(len(pairs)):
        a = set(hashes[offsets[2 * k] : offsets[2 * k + 1]].tolist())
        b = set(hashes[offsets[2 * k + 1] : offsets[2 * k + 2]].tolist())
        exact = len(a & b) / len(a | b)
        errors_ours.append(abs(ours[2 * k].jaccard(ours[2 * k + 1]) - exact))
        errors_theirs.append(abs(theirs[2 * k].jaccard(theirs[2 * k + 1]) - exact))
    return float(np.mean(errors_ours)), float(np.mean(errors_theirs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indosum", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with gzip.open(args.indosum, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle][: args.docs]
    words = sum(len(t.split()) for t in texts) / len(texts)
    first_call = timed(vectorised_path, texts[:10])  # compiles, or loads the cached kernels
    paths = {
        "datasketch MinHash.update_batch": default_path,
        "ingest.dedup (compiled kernels)": vectorised_path,
        "ingest.dedup (numpy passes only)": numpy_path,
    }
    seconds = rounds(paths, texts, args.rounds)
    err_ours, err_default = accuracy(texts)
    print(f"{len(texts)} texts, {words:.0f} words on average, 128 slots, word 5-shingles")
    print(f"numba kernels: {kernels.COMPILED}, first call (10 texts): {first_call * 1e3:.0f} ms")
    print(f"{args.rounds} interleaved rounds; signatures/s of the best and the median round")
    print(f"{'path':34} {'best':>9} {'median':>9} {'|J est - J|':>12}")
    for name, secs in seconds.items():
        err = err_default if name.startswith("datasketch") else err_ours
        best, median = len(texts) / min(secs), len(texts) / float(np.median(secs))
        print(f"{name:34} {best:9.0f} {median:9.0f} {err:12.4f}")
    base = seconds["datasketch MinHash.update_batch"]
    for name in list(paths)[1:]:
        ratios = [b / o for b, o in zip(base, seconds[name], strict=True)]
        best_ratio = min(base) / min(seconds[name])
        print(
            f"speed-up of {name[14:-1]} (same round): min {min(ratios):.1f}x, "
            f"median {float(np.median(ratios)):.1f}x, best/best {best_ratio:.1f}x"
        )


if __name__ == "__main__":
    main()

"""A fresh install: the first process that deduplicates does not wait for numba to compile the
kernels; it uses the numpy passes (the same values) while a background process compiles them
into numba's cache, and the next process loads them from there without compiling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.dedup import kernels

_PROCESS = """
import json
from ingest.dedup import kernels, warmup
from ingest.dedup.signatures import text_signature_matrix
texts = ["Bupati Kutai Kartanegara meresmikan jembatan baru di Tenggarong, Senin (9/9)."] * 3
matrix = text_signature_matrix(texts, k=3, num_perm=64, seed=1)
kernels_ = [getattr(kernels, n) for n in kernels.__all__ if hasattr(getattr(kernels, n), "stats")]
print(json.dumps({
    "ready": warmup.ready(),
    "compiled": sum(len(f.signatures) for f in kernels_),
    "misses": sum(sum(f.stats.cache_misses.values()) for f in kernels_),
    "hits": sum(sum(f.stats.cache_hits.values()) for f in kernels_),
    "warmup": warmup._THIS.warmup.pid if warmup._THIS.warmup else None,
    "matrix": matrix.tolist(),
}))
"""


def _process(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROCESS], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.skipif(not kernels.COMPILED, reason="numba is not installed: nothing to compile")
def test_the_first_process_does_not_compile_and_the_next_loads_the_compiled_kernels(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "numba"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    first = _process(env)
    assert first["ready"] is False and first["compiled"] == 0, first
    assert first["warmup"], "no warm-up was started"

    deadline = time.monotonic() + 600  # compiling takes 4-15 s, more on a loaded machine
    while not list(cache.glob("*/ingest-kernels.json")):
        assert time.monotonic() < deadline, "the warm-up did not stamp numba's cache"
        time.sleep(0.2)

    second = _process(env)
    assert second["ready"] is True, second
    assert second["compiled"] > 0 and second["misses"] == 0 and second["hits"] > 0, second
    assert second["matrix"] == first["matrix"]
    assert second["warmup"] is None

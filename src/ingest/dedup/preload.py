"""Loads the compiled dedup kernels into this process: what the fork server of a run's worker
processes imports (see :data:`ingest.pool.FORKSERVER_PRELOAD`), so that every page worker it
forks starts with them. Loading them from numba's cache costs about 0.5 s of CPU a process,
and page workers are started for every large run. Until numba's cache holds them (see
:mod:`ingest.dedup.warmup`) nothing is loaded: they are being compiled in the background.

Importing this module runs each kernel once on a short text; :func:`load` does it again.
"""

from __future__ import annotations

from ingest.config import DedupSettings
from ingest.dedup import warmup
from ingest.dedup.features import featurize
from ingest.dedup.signatures import text_signature_matrix
from ingest.dedup.text import normalised_batch

__all__ = ["load"]

_TEXT = "Bupati Kutai Kartanegara meresmikan jembatan baru di Tenggarong – hari Senin."


def load() -> None:
    """Run every compiled kernel once (their first call loads them), if they are ready."""
    if not warmup.ready():
        return
    settings = DedupSettings()
    featurize([_TEXT], settings)
    text_signature_matrix(
        [_TEXT], k=settings.shingle_size, num_perm=settings.num_perm, seed=settings.seed
    )
    normalised_batch([_TEXT])


load()

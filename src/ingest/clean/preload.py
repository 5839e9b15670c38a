"""Loads py3langid's language model into this process: what the fork server of a run's worker
processes imports (see :data:`ingest.pool.FORKSERVER_PRELOAD`), so that every page worker it
forks starts with the model. py3langid reads and decompresses it on its first classification,
0.7 s of CPU in each worker process of each large run otherwise.

Importing this module classifies a short text once; :func:`load` does it again.
"""

from __future__ import annotations

import py3langid

__all__ = ["load"]

_TEXT = "Bupati Kutai Kartanegara meresmikan jembatan baru di Tenggarong pada hari Senin."


def load() -> None:
    """Classify a short text (the first classification loads the model)."""
    py3langid.classify(_TEXT)


load()

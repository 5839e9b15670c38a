"""The fork server's preload loads every compiled dedup kernel, so that a writer process
forked from it computes features without loading any (see ingest.pool.FORKSERVER_PRELOAD)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ingest.dedup import kernels

_CHECK = """
import ingest.dedup.preload
from ingest.dedup import kernels
print(",".join(n for n in kernels.__all__ if hasattr(getattr(kernels, n), "signatures")
               and not getattr(kernels, n).signatures))
"""


@pytest.mark.skipif(not kernels.COMPILED, reason="numba is not installed: nothing to load")
def test_preload_loads_every_public_kernel() -> None:
    """In a fresh interpreter (this one may have called the kernels already)."""
    done = subprocess.run(
        [sys.executable, "-c", _CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "", f"kernels not loaded by the preload: {done.stdout}"


def test_preload_loads_the_language_model() -> None:
    """py3langid reads its model on the first classification: the preload makes it."""
    check = "import ingest.clean.preload, py3langid.langid as l; print(l.IDENTIFIER is not None)"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "True"

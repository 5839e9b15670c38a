"""Whether this process may use the compiled dedup kernels, and compiling them ahead of need.

numba compiles a kernel (:mod:`ingest.dedup.kernels`) on its first call in a process unless
its cache already holds it: after an install that cost the first run 4 s of CPU (13 s of a
16 s demo run on a loaded 2-core machine). So no run waits for it:

- :func:`ready` is true once numba's cache holds the kernels, which a stamp file beside the
  cache says: the warm-up writes it after compiling them, naming numba's version, Python's and
  the kernels' source file, so an upgrade or an edit makes it stale;
- until then the callers use the numpy passes (the same values, a few times slower) and the
  first call starts the warm-up (:data:`COMMAND`, which runs :func:`main`) in the background,
  one at a time on the machine (a lock file beside the stamp); the run goes on without waiting;
- a process that found them not ready looks again at each batch, so a long run takes the
  compiled kernels once they are there (loading them from the cache costs about 0.5 s of CPU).

``COMMAND + ["--wait"]`` compiles them now in the foreground, or waits for the warm-up already
running: what the test suite does before its first test. (Not ``python -m``: run as
``__main__`` this module would be a second copy of itself, whose :func:`ready` no caller asks.)
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ingest.dedup import kernels

__all__ = ["COMMAND", "main", "ready"]

logger = logging.getLogger(__name__)

#: The warm-up as a command.
COMMAND = [sys.executable, "-c", "from ingest.dedup.warmup import main; raise SystemExit(main())"]

_STAMP = "ingest-kernels.json"
_LOCK = "ingest-kernels.lock"


@dataclass
class _Process:
    """What this process knows: the kernels are ready (then it stays so), the warm-up it
    started (at most one a process, not waited for: it outlives this process if need be)."""

    ready: bool = False
    started: bool = False
    warmup: subprocess.Popen[bytes] | None = None


_THIS = _Process()


def _cache_dir() -> Path:
    """Where numba caches the kernels (beside their module, or ``NUMBA_CACHE_DIR``)."""
    return Path(cast(Any, kernels.fold_batch).stats.cache_path)


def _stamp() -> str:
    import numba

    source = Path(kernels.__file__).stat()
    versions = {"numba": numba.__version__, "python": sys.version}
    return json.dumps({**versions, "source": [source.st_mtime_ns, source.st_size]})


def _stamped() -> bool:
    try:
        return (_cache_dir() / _STAMP).read_text() == _stamp()
    except OSError:
        return False


def ready() -> bool:
    """True when the compiled kernels can be called without compiling them (numba's cache
    holds them); otherwise start compiling them in the background, once, and say False."""
    if not kernels.COMPILED:
        return False
    if _THIS.ready:
        return True
    if _THIS.warmup is not None:
        _THIS.warmup.poll()  # reaped once it ends
    if _stamped():
        _THIS.ready = True
        return True
    if not _THIS.started:
        _THIS.started = True
        _start_in_background()
    return False


@contextmanager
def _locked(*, wait: bool) -> Iterator[bool]:
    """Hold the warm-up lock for the block; yields False when another process holds it and
    ``wait`` is false."""
    path = _cache_dir() / _LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _start_in_background() -> None:
    try:
        with _locked(wait=False) as free:
            if not free:
                logger.debug("dedup kernels are being compiled by another process")
                return
    except OSError as exc:  # no cache folder numba could write either: the numpy passes stay
        logger.debug("dedup kernels cannot be cached (%s): the numpy passes are used", exc)
        return
    _THIS.warmup = subprocess.Popen(
        COMMAND,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    logger.info(
        "dedup kernels not compiled yet: compiling them in the background (pid %s); "
        "the numpy passes give the same values meanwhile",
        _THIS.warmup.pid,
    )


def _compile() -> bool:
    """Call every kernel as the dedup steps do, so that numba compiles and caches them; True
    when each public kernel has been."""
    _THIS.ready = True  # compile on call, here
    from ingest.dedup import preload

    preload.load()
    public = [getattr(kernels, name) for name in kernels.__all__]
    return all(fn.signatures for fn in public if hasattr(fn, "signatures"))


def main(argv: Sequence[str] | None = None) -> int:
    """Compile the kernels into numba's cache and stamp it; ``--wait``: even if another
    process is doing it (then wait for it, and do it if it failed)."""
    wait = "--wait" in (sys.argv[1:] if argv is None else argv)
    if not kernels.COMPILED:
        return 0
    with _locked(wait=wait) as held:
        if not held or _stamped():
            return 0
        if not _compile():
            logger.error("the dedup kernels were not all compiled")
            return 1
        stamp = _cache_dir() / _STAMP
        partial = stamp.with_name(f"{_STAMP}.{os.getpid()}")
        partial.write_text(_stamp())
        partial.replace(stamp)
    return 0

"""Child processes that die with the process that started them, so that a run killed outright
(``kill -9``, the out-of-memory killer) leaves no worker behind fetching and storing the rest
of its pages::

    reader, writer = context.Pipe(duplex=False)   # the parent keeps ``writer`` open
    ...
    die_with_parent()         # first things in the child
    hold_lifeline(reader)

Two guards, because neither covers every case:

- :func:`die_with_parent`: on Linux the kernel kills the child when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, through ctypes). A child of multiprocessing's fork server has
  the fork server for its parent, though, and the fork server lives as long as any of its
  children does;
- :func:`hold_lifeline`: a thread of the child waits on a pipe whose only writing end the
  starting process holds; the kernel closes it when that process dies, whatever the child's
  own loop is busy with, and the thread ends the child at once. It works wherever pipes do.

A child told to stop closes in order; the parent closes the lifeline only once its children
have exited.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

__all__ = ["ORPHANED", "PR_SET_PDEATHSIG", "die_with_parent", "hold_lifeline"]

log = logging.getLogger(__name__)

#: From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1

#: The exit status of a child whose parent died.
ORPHANED = 1


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> bool:
    """Have the kernel send ``sig`` to this process when its parent dies (Linux); exit at once
    if the parent is gone already. False where the kernel offers no such call."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        failed = libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0
    except (OSError, AttributeError) as exc:
        log.debug("prctl unavailable: %s", exc)
        return False
    if failed:
        log.debug("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
        return False
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():  # it died before the call: no signal
        os._exit(ORPHANED)
    return True


def hold_lifeline(reader: Connection) -> threading.Thread:
    """End this process (at once, as ``kill -9`` would) when the writing end of ``reader``
    closes: the process holding it has died, or has closed it after this one exited."""

    def watch() -> None:
        try:
            while True:
                reader.recv_bytes()
        except (EOFError, OSError):
            pass
        os._exit(ORPHANED)

    thread = threading.Thread(target=watch, name="ingest-lifeline", daemon=True)
    thread.start()
    return thread

"""The processes a test started, seen through /proc (Linux): a process's descendants, and
waiting (with a generous bound) until none of them runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

PROC = Path("/proc")

needs_proc = pytest.mark.skipif(not (PROC / "self" / "stat").exists(), reason="needs /proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """The state letter and parent of ``pid``; None when it does not exist."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after the command's name, which may hold spaces
    return fields[0], int(fields[1])


def descendants(pid: int) -> set[int]:
    """Every process whose chain of parents leads to ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that run (a zombie waiting to be reaped does not)."""
    return {pid for pid in pids if (stat := _stat(pid)) is not None and stat[0] not in "ZXx"}


def wait_until_gone(pids: set[int], timeout: float = 60.0) -> set[int]:
    """Wait until none of ``pids`` runs, at most ``timeout`` seconds; those still running."""
    deadline = time.monotonic() + timeout
    while (left := running(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left

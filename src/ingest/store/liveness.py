"""Whether a run is still alive, so that a run that died (``kill -9``, out of memory, a reboot)
never holds its sources until a long lease runs out::

    with keep_alive(store, run_id, ttl=300.0):       # a heartbeat while the run works
        ...
    with store.session() as session:                 # what the next run does first
        for dead in reap_dead_runs(session, ttl=300.0):
            print(dead.run_id, dead.reason)          # marked interrupted, sources freed

A run records its process (host name, process id and, on Linux, the machine's boot and the
process's start, so that a reused process id is not taken for it) and renews ``heartbeat_at``
and the leases of its sources every quarter of ``ttl`` (at most every minute). Another run
finds it dead when its process is gone from this machine (at once), or when it has not been
heard from for ``ttl`` seconds (a run on another machine). Times come from the database's
clock, which every machine sharing the store agrees on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ingest.store.engine import Store
from ingest.store.models import Run, Source

__all__ = [
    "DeadRun",
    "ProcessId",
    "beat_interval",
    "db_now",
    "keep_alive",
    "reap_dead_runs",
    "renew",
]

log = logging.getLogger(__name__)

_PROC = Path("/proc")


def db_now(session: Session) -> datetime:
    """The database's time (PostgreSQL: its clock; SQLite: this machine's, where the file is)."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(text("SELECT now()"))
        if isinstance(value, datetime):
            return value.astimezone(UTC)
    return datetime.now(UTC)


def _process_start(pid: int) -> str | None:
    """The boot of this machine and the start of process ``pid`` in it (Linux), e.g.
    ``1b7c…/812345``; None where /proc cannot tell, or the process has exited."""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in "ZXx":  # exited, its parent has not reaped it yet
        return None
    return f"{boot}/{fields[19]}"  # starttime, field 22 of stat


@dataclass(frozen=True, slots=True)
class ProcessId:
    """A process on a machine, as a run records it."""

    host: str
    pid: int
    start: str | None

    @classmethod
    def current(cls) -> ProcessId:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _process_start(pid))

    def gone(self) -> bool:
        """True when this process surely runs no more: it ran on this machine and is not
        there now (or another process has its id). False when it runs, or ran elsewhere."""
        if self.host != socket.gethostname():
            return False
        now = _process_start(self.pid) if self.start is not None else None
        if now is not None:
            return now != self.start
        if self.start is not None and (_PROC / "self").exists():
            return True  # /proc answers for this machine, and has no such process
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def beat_interval(ttl: float) -> float:
    """Seconds between two heartbeats of a run whose sources are held ``ttl`` seconds."""
    return min(ttl / 4, 60.0)


def renew(session: Session, run_id: int, *, ttl: float) -> None:
    """One heartbeat: the run was heard from now, and its sources are held ``ttl`` more."""
    now = db_now(session)
    session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == "running")
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Source)
        .where(Source.lease_run_id == run_id)
        .values(lease_until=now + timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )


@contextmanager
def keep_alive(store: Store, run_id: int, *, ttl: float) -> Iterator[None]:
    """Renew the run's heartbeat from a thread while the block runs (whatever the run's
    event loop is busy with)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(beat_interval(ttl)):
            try:
                with store.session() as session:
                    renew(session, run_id, ttl=ttl)
            except Exception as exc:  # the next beat tries again; the run goes on
                log.warning("run %d: heartbeat not recorded: %s", run_id, exc)

    thread = threading.Thread(target=beat, name=f"ingest-heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True, slots=True)
class DeadRun:
    """A run found dead: when it was last heard from, and how it was found out."""

    run_id: int
    last_heard: datetime
    reason: str


def _dead(run: Run, now: datetime, ttl: float) -> DeadRun | None:
    last = run.heartbeat_at or run.started_at
    process = ProcessId(run.host, run.pid, run.process_start) if run.host and run.pid else None
    if process is not None and process.gone():
        return DeadRun(run.id, last, f"its process ({run.pid} on {run.host}) is gone")
    if last < now - timedelta(seconds=ttl):
        return DeadRun(run.id, last, f"not heard from for over {ttl:g} s")
    return None


def reap_dead_runs(session: Session, *, ttl: float) -> list[DeadRun]:
    """Mark every running run found dead ``interrupted`` (finished when last heard from,
    with the reason) and free the sources it held, or that any finished run still holds."""
    now = db_now(session)
    running = session.scalars(select(Run).where(Run.status == "running"))
    dead = [found for run in running if (found := _dead(run, now, ttl)) is not None]
    for found in dead:
        log.warning("run %d was interrupted: %s", found.run_id, found.reason)
        session.execute(
            update(Run)
            .where(Run.id == found.run_id, Run.status == "running")
            .values(status="interrupted", finished_at=found.last_heard, error=found.reason)
            .execution_options(synchronize_session=False)
        )
    live = select(Run.id).where(Run.status == "running")
    session.execute(
        update(Source)
        .where(Source.lease_run_id.is_not(None), Source.lease_run_id.not_in(live))
        .values(lease_run_id=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return dead

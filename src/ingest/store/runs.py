"""Run records: one row per run with its summary."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.store.liveness import ProcessId, db_now
from ingest.store.models import Run
from ingest.summary import RunSummary

__all__ = ["create_run", "recent_runs", "run_trigger", "save_run"]


def create_run(session: Session, *, trigger: str, flow_run_id: str | None = None) -> int:
    """A new run, ``running`` in this process (see :mod:`ingest.store.liveness`)."""
    process = ProcessId.current()
    run = Run(
        trigger=trigger,
        flow_run_id=flow_run_id,
        status="running",
        summary={},
        host=process.host[:255],
        pid=process.pid,
        process_start=process.start,
        heartbeat_at=db_now(session),
    )
    session.add(run)
    session.flush()
    return run.id


def save_run(session: Session, summary: RunSummary, *, error: str | None = None) -> None:
    run = session.get_one(Run, summary.run_id)
    run.finished_at = datetime.now(UTC)
    run.status = summary.status
    run.summary = summary.to_dict()
    run.error = error


def run_trigger(session: Session, run_id: int) -> str | None:
    """What started the run (``manual``, ``schedule``, ``import``, ``backfill``, ...)."""
    return session.scalar(select(Run.trigger).where(Run.id == run_id))


def recent_runs(session: Session, limit: int = 20) -> list[Run]:
    return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))

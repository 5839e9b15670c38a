"""Repository functions for source health and per-URL fetch state.

::

    with store.session() as session:
        if source_due(session, "kukarkab", now):
            ...
            record_source_success(session, "kukarkab", kind="rss", outlet=None,
                                  location="https://kukarkab.go.id/feed", at=now)
        rows = list_source_health(session)   # the ``ingest sources`` table

A source that keeps failing rests: after its n-th consecutive failure it is not due for
``min(base * 2**(n-1), cap)`` seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ingest.errors import IngestError
from ingest.records import FetchedPage
from ingest.store.models import FetchState, Source

__all__ = [
    "SourceHealth",
    "get_fetch_state",
    "list_source_health",
    "record_source_failure",
    "record_source_success",
    "save_fetch_state",
    "source_due",
]

DEFAULT_BACKOFF_BASE = 300.0
DEFAULT_BACKOFF_MAX = 86_400.0


@dataclass(frozen=True, kw_only=True)
class SourceHealth:
    """One row of the ``ingest sources`` table (no slots: ``vars(row)`` gives its fields)."""

    name: str
    kind: str
    outlet: str | None
    location: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    last_error_class: str | None
    consecutive_failures: int
    backoff_until: datetime | None
    held_by: int | None = None
    """The run ingesting the source now (its lease), if any."""
    held_until: datetime | None = None
    """Until when that run holds it unless it is heard from again."""

    def status(self, now: datetime) -> str:
        """``never run``, ``ok``, ``failing`` or ``backoff``."""
        if self.last_run_at is None:
            return "never run"
        if self.backoff_until is not None and self.backoff_until > now:
            return "backoff"
        return "failing" if self.consecutive_failures else "ok"


def _source(session: Session, name: str, kind: str | None = None) -> Source:
    row = session.scalars(select(Source).where(Source.name == name)).one_or_none()
    if row is None:
        row = Source(name=name, kind=kind or "unknown", consecutive_failures=0)
        session.add(row)
    return row


def record_source_success(
    session: Session,
    name: str,
    *,
    kind: str,
    outlet: str | None,
    location: str | None,
    at: datetime,
) -> None:
    """The source was discovered without error at ``at``: failures reset, backoff cleared."""
    row = _source(session, name, kind)
    row.kind, row.outlet, row.location = kind, outlet, location
    row.last_run_at = row.last_success_at = at
    row.consecutive_failures = 0
    row.backoff_until = None


def record_source_failure(
    session: Session,
    name: str,
    error: IngestError,
    *,
    at: datetime,
    kind: str | None = None,
    outlet: str | None = None,
    location: str | None = None,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    backoff_max: float = DEFAULT_BACKOFF_MAX,
) -> None:
    """The source failed at ``at`` with ``error``; its backoff grows with each failure."""
    row = _source(session, name, kind)
    if kind is not None:
        row.kind = kind
    if outlet is not None:
        row.outlet = outlet
    if location is not None:
        row.location = location
    failures = (row.consecutive_failures or 0) + 1
    row.consecutive_failures = failures
    row.last_run_at = row.last_error_at = at
    row.last_error = str(error)[:2000]
    row.last_error_class = str(getattr(error, "error_class", type(error).__name__))
    rest = min(backoff_base * 2 ** min(failures - 1, 30), backoff_max)
    row.backoff_until = at + timedelta(seconds=rest)


def acquire_lease(
    session: Session, name: str, *, run_id: int, now: datetime, ttl: timedelta
) -> int | None:
    """Take the source for ``run_id`` until ``now + ttl``; returns ``None`` when taken, else
    the id of the run that holds it. An expired lease (a crashed run) can be taken over."""
    try:
        with session.begin_nested():  # a concurrent first run may insert the row first
            _source(session, name)
    except IntegrityError:
        pass
    taken = session.execute(
        update(Source)
        .where(Source.name == name)
        .where(
            or_(
                Source.lease_until.is_(None),
                Source.lease_until < now,
                Source.lease_run_id == run_id,
            )
        )
        .values(lease_run_id=run_id, lease_until=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) == 1:
        return None
    holder = session.scalar(select(Source.lease_run_id).where(Source.name == name))
    return holder if holder is not None else -1


def release_lease(session: Session, name: str, *, run_id: int) -> None:
    """Give the source back, if ``run_id`` still holds it."""
    session.execute(
        update(Source)
        .where(Source.name == name, Source.lease_run_id == run_id)
        .values(lease_run_id=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def source_due(session: Session, name: str, now: datetime) -> bool:
    """False while the source rests after failures; True for unknown sources."""
    row = session.scalars(select(Source).where(Source.name == name)).one_or_none()
    return row is None or row.backoff_until is None or row.backoff_until <= now


def list_source_health(session: Session) -> list[SourceHealth]:
    """Every known source, by name."""
    rows = session.scalars(select(Source).order_by(Source.name))
    return [
        SourceHealth(
            name=r.name,
            kind=r.kind,
            outlet=r.outlet,
            location=r.location,
            last_run_at=r.last_run_at,
            last_success_at=r.last_success_at,
            last_error_at=r.last_error_at,
            last_error=r.last_error,
            last_error_class=r.last_error_class,
            consecutive_failures=r.consecutive_failures or 0,
            backoff_until=r.backoff_until,
            held_by=r.lease_run_id,
            held_until=r.lease_until,
        )
        for r in rows
    ]


def get_fetch_state(session: Session, url: str) -> FetchState | None:
    """What the last fetch of ``url`` left (validators for conditional GET), if any."""
    return session.get(FetchState, url)


def save_fetch_state(
    session: Session,
    page: FetchedPage,
    *,
    source: str,
    outcome: str | None,
    document_id: int | None,
) -> None:
    """Insert or update the state of ``page.url``; a 304 keeps the stored validators and hash,
    an ``outcome`` of None the stored outcome."""
    row = session.get(FetchState, page.url)
    if row is None:
        row = FetchState(url=page.url)
        session.add(row)
    row.source_name = source
    row.final_url = page.final_url
    row.status_code = page.status_code
    if outcome is not None:
        row.outcome = outcome[:40]
    row.fetched_at = page.fetched_at
    row.etag = page.etag or (row.etag if page.not_modified else None)
    row.last_modified = page.last_modified or (row.last_modified if page.not_modified else None)
    if not page.not_modified:
        row.content_sha1 = page.content_sha1 or hashlib.sha1(page.body).hexdigest()
    if document_id is not None:
        row.document_id = document_id
